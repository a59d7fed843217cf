namespace ArdMl.Demo;

/// <summary>
/// The fixed weights of the demo model's log-mel front end: Hann-windowed DFT kernels (real and imaginary parts, as
/// convolution filters with a stride of one hop) and a triangular mel filterbank (HTK mel scale, 0 to 8 kHz, as a
/// 1×1 convolution). The log-mel value of a band is <c>(ln(mel power + 1e-6) − mean) · scale</c> with a per-band mean and scale set from the training clips.
/// </summary>
internal static class DemoFrontEnd
{
    public const float Epsilon = 1e-6f;

    /// <summary>DFT kernels [bins, 1, frame]: cos (real) or -sin (imaginary) times a periodic Hann window, scaled so a full-scale sine has magnitude about 1.</summary>
    public static float[] DftKernels(bool imaginary)
    {
        const int n = DemoModelOptions.FrameSamples;
        var kernels = new float[DemoModelOptions.SpectrumBins * n];
        var windowSum = 0.0;
        var window = new double[n];
        for (var i = 0; i < n; i++)
        {
            window[i] = 0.5 - (0.5 * Math.Cos(2 * Math.PI * i / n));
            windowSum += window[i];
        }

        for (var k = 0; k < DemoModelOptions.SpectrumBins; k++)
        {
            for (var i = 0; i < n; i++)
            {
                var angle = 2 * Math.PI * k * i / n;
                var basis = imaginary ? -Math.Sin(angle) : Math.Cos(angle);
                kernels[(k * n) + i] = (float)(2 * window[i] * basis / windowSum);
            }
        }

        return kernels;
    }

    /// <summary>Triangular mel filters [bands, bins, 1] on the HTK mel scale from 0 Hz to the Nyquist frequency.</summary>
    public static float[] MelFilters(int bands)
    {
        const int bins = DemoModelOptions.SpectrumBins;
        const double sampleRate = DemoCorpusGenerator.SampleRate;
        static double ToMel(double hz) => 2595 * Math.Log10(1 + (hz / 700));
        static double ToHz(double mel) => 700 * (Math.Pow(10, mel / 2595) - 1);
        var maxMel = ToMel(sampleRate / 2);
        var edges = new double[bands + 2];
        for (var i = 0; i < edges.Length; i++)
        {
            edges[i] = ToHz(maxMel * i / (bands + 1));
        }

        var filters = new float[bands * bins];
        for (var m = 0; m < bands; m++)
        {
            for (var k = 0; k < bins; k++)
            {
                var hz = k * sampleRate / DemoModelOptions.FrameSamples;
                var rising = (hz - edges[m]) / (edges[m + 1] - edges[m]);
                var falling = (edges[m + 2] - hz) / (edges[m + 2] - edges[m + 1]);
                filters[(m * bins) + k] = (float)Math.Max(0, Math.Min(rising, falling));
            }
        }

        return filters;
    }
}
