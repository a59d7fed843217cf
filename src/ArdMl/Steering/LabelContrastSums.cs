namespace ArdMl.Steering;

/// <summary>
/// The label-contrast rule shared by <see cref="LabelContrastLatentSelector"/> and
/// <see cref="LabelContrastNeuronSelector"/>: per unit, the sum of clip-mean activations over the clips with the label
/// and over the clips without it, then the two means ranked by their difference (largest first, lowest index on ties).
/// </summary>
internal sealed class LabelContrastSums(int width)
{
    private readonly double[] _with = new double[width];
    private readonly double[] _without = new double[width];
    private int _withCount;
    private int _withoutCount;

    /// <summary>Counts one more clip of its side and returns that side's sums, to which the caller adds the clip's per-unit means.</summary>
    public double[] SumsOfNextClip(bool hasLabel)
    {
        if (hasLabel)
        {
            _withCount++;
            return _with;
        }

        _withoutCount++;
        return _without;
    }

    /// <summary>The units by difference of means, each as (unit, mean with the label, mean without it).</summary>
    /// <exception cref="ArgumentException">One side has no clip with frames.</exception>
    public IEnumerable<(int Unit, double MeanWithLabel, double MeanWithoutLabel)> Ranked(string parameterName)
    {
        if (_withCount == 0 || _withoutCount == 0)
        {
            throw new ArgumentException(
                $"Label contrast needs clips with and without the label (with frames); got {_withCount} with and {_withoutCount} without.", parameterName);
        }

        return Enumerable.Range(0, _with.Length)
            .Select(j => (Unit: j, MeanWithLabel: _with[j] / _withCount, MeanWithoutLabel: _without[j] / _withoutCount))
            .OrderByDescending(u => u.MeanWithLabel - u.MeanWithoutLabel)
            .ThenBy(u => u.Unit);
    }
}
