using TorchSharp;
using static TorchSharp.torch;

namespace ArdMl.Demo;

/// <summary>
/// Adam with a cosine learning-rate decay, written against TorchSharp's in-place tensor operations with every Scalar
/// created explicitly and held until the native call returns. (TorchSharp's own optimisers and operators create
/// implicit Scalars, e.g. <c>alpha = 1</c>, that the garbage collector may finalise while libtorch still reads them,
/// which crashes long CPU runs at random.)
/// </summary>
internal sealed class DemoAdam : IDisposable
{
    private const double Beta1 = 0.9;
    private const double Beta2 = 0.999;
    private const double Epsilon = 1e-8;

    private readonly Tensor[] _parameters;
    private readonly Tensor[] _firstMoments;
    private readonly Tensor[] _secondMoments;
    private readonly double _learningRate;
    private readonly int _totalEpochs;
    private int _step;

    public DemoAdam(IEnumerable<Tensor> parameters, double learningRate, int totalEpochs)
    {
        _parameters = [.. parameters];
        _firstMoments = [.. _parameters.Select(p => zeros_like(p).DetachFromDisposeScope())];
        _secondMoments = [.. _parameters.Select(p => zeros_like(p).DetachFromDisposeScope())];
        _learningRate = learningRate;
        _totalEpochs = totalEpochs;
    }

    /// <summary>The epoch (0-based) whose cosine-decayed learning rate the next steps use.</summary>
    public int Epoch { get; set; }

    public void ZeroGrad()
    {
        foreach (var p in _parameters)
        {
            p.grad?.zero_();
        }
    }

    public void Step()
    {
        _step++;
        var rate = _learningRate * 0.5 * (1 + Math.Cos(Math.PI * Epoch / _totalEpochs));
        var correction1 = 1 - Math.Pow(Beta1, _step);
        var correction2 = 1 - Math.Pow(Beta2, _step);
        using var noGrad = no_grad();
        using var beta1 = Beta1.ToScalar();
        using var beta2 = Beta2.ToScalar();
        using var oneMinusBeta1 = (1 - Beta1).ToScalar();
        using var oneMinusBeta2 = (1 - Beta2).ToScalar();
        using var one = 1.0.ToScalar();
        using var epsilon = Epsilon.ToScalar();
        using var sqrtCorrection2 = Math.Sqrt(correction2).ToScalar();
        using var stepSize = (-rate / correction1).ToScalar();
        for (var i = 0; i < _parameters.Length; i++)
        {
            var grad = _parameters[i].grad;
            if (grad is null)
            {
                continue;
            }

            _firstMoments[i].mul_(beta1).add_(grad, oneMinusBeta1);
            _secondMoments[i].mul_(beta2).addcmul_(grad, grad, oneMinusBeta2);
            using var denominator = _secondMoments[i].sqrt().div_(sqrtCorrection2).add_(epsilon, one);
            _parameters[i].addcdiv_(_firstMoments[i], denominator, stepSize);
        }
    }

    public void Dispose()
    {
        foreach (var t in _firstMoments.Concat(_secondMoments))
        {
            t.Dispose();
        }
    }
}
