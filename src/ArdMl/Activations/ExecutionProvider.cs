namespace ArdMl.Activations;

/// <summary>The ONNX Runtime execution provider to run on.</summary>
public enum ExecutionProvider
{
    /// <summary>CPU (always available).</summary>
    Cpu,

    /// <summary>
    /// CUDA device 0. Needs a build with <c>-p:ArdGpu=true</c> (Microsoft.ML.OnnxRuntime.Gpu) and CUDA 13 libraries;
    /// where either is missing the extractor falls back to CPU and says why in <see cref="ActivationExtractor.ExecutionNotice"/>.
    /// </summary>
    Cuda,
}
