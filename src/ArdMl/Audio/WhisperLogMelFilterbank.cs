namespace ArdMl.Audio;

/// <summary>
/// The Slaney-style mel filterbank that librosa builds with <c>librosa.filters.mel(sr, n_fft, n_mels, htk=False,
/// norm='slaney')</c> and that Whisper ships in <c>mel_filters.npz</c>: triangles on the Slaney mel scale (linear below
/// 1 kHz, logarithmic above), each scaled by 2 / (upper edge - lower edge) in Hz so that every filter has the same area.
/// </summary>
public sealed class WhisperLogMelFilterbank
{
    private const double LinearHzPerMel = 200.0 / 3.0;
    private const double LogRegionStartHz = 1000.0;
    private const double LogRegionStartMel = LogRegionStartHz / LinearHzPerMel;
    private static readonly double LogStep = Math.Log(6.4) / 27.0;

    private readonly float[] _weights;
    private readonly int[] _firstBin;
    private readonly int[] _lastBin;

    private WhisperLogMelFilterbank(int sampleRate, int fftSize, int melBins, double minHz, double maxHz)
    {
        SampleRate = sampleRate;
        FftSize = fftSize;
        MelBins = melBins;
        FrequencyBins = (fftSize / 2) + 1;
        MinHz = minHz;
        MaxHz = maxHz;

        var minMel = HzToMel(minHz);
        var maxMel = HzToMel(maxHz);
        var edges = new double[melBins + 2];
        for (var i = 0; i < edges.Length; i++)
        {
            edges[i] = MelToHz(minMel + ((maxMel - minMel) * i / (melBins + 1)));
        }

        BandEdgesHz = Array.AsReadOnly(edges);
        _weights = new float[melBins * FrequencyBins];
        _firstBin = new int[melBins];
        _lastBin = new int[melBins];
        for (var m = 0; m < melBins; m++)
        {
            double lower = edges[m], center = edges[m + 1], upper = edges[m + 2];
            var norm = 2.0 / (upper - lower);
            _firstBin[m] = FrequencyBins;
            _lastBin[m] = -1;
            for (var k = 0; k < FrequencyBins; k++)
            {
                var hz = (double)k * sampleRate / fftSize;
                var rising = (hz - lower) / (center - lower);
                var falling = (upper - hz) / (upper - center);
                var weight = Math.Max(0.0, Math.Min(rising, falling)) * norm;
                _weights[(m * FrequencyBins) + k] = (float)weight;
                if (weight > 0)
                {
                    _firstBin[m] = Math.Min(_firstBin[m], k);
                    _lastBin[m] = k;
                }
            }
        }
    }

    /// <summary>Sample rate in Hz the filterbank was built for.</summary>
    public int SampleRate { get; }

    /// <summary>FFT length.</summary>
    public int FftSize { get; }

    /// <summary>Number of mel filters (rows).</summary>
    public int MelBins { get; }

    /// <summary>Number of FFT bins each filter spans (FftSize / 2 + 1).</summary>
    public int FrequencyBins { get; }

    /// <summary>Lowest band edge in Hz.</summary>
    public double MinHz { get; }

    /// <summary>Highest band edge in Hz.</summary>
    public double MaxHz { get; }

    /// <summary>The MelBins + 2 band edges in Hz: filter m rises from edge m, peaks at m + 1, falls to m + 2.</summary>
    public IReadOnlyList<double> BandEdgesHz { get; }

    /// <summary>
    /// Builds the filterbank. Defaults match Whisper: 0 Hz to the Nyquist frequency.
    /// </summary>
    /// <param name="sampleRate">Sample rate in Hz.</param>
    /// <param name="fftSize">FFT length.</param>
    /// <param name="melBins">Number of filters (Whisper uses 80, or 128 for large-v3).</param>
    /// <param name="minHz">Lowest edge in Hz.</param>
    /// <param name="maxHz">Highest edge in Hz; null means sampleRate / 2.</param>
    public static WhisperLogMelFilterbank CreateSlaney(int sampleRate, int fftSize, int melBins, double minHz = 0, double? maxHz = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(fftSize, 4);
        ArgumentOutOfRangeException.ThrowIfLessThan(melBins, 1);
        var top = maxHz ?? sampleRate / 2.0;
        if (minHz < 0 || top <= minHz || top > sampleRate / 2.0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxHz), $"Band {minHz}..{top} Hz must lie inside 0..{sampleRate / 2.0} Hz.");
        }

        return new WhisperLogMelFilterbank(sampleRate, fftSize, melBins, minHz, top);
    }

    /// <summary>Slaney mel value of a frequency in Hz (librosa, htk=False).</summary>
    public static double HzToMel(double hz) =>
        hz < LogRegionStartHz ? hz / LinearHzPerMel : LogRegionStartMel + (Math.Log(hz / LogRegionStartHz) / LogStep);

    /// <summary>Frequency in Hz of a Slaney mel value (inverse of <see cref="HzToMel"/>).</summary>
    public static double MelToHz(double mel) =>
        mel < LogRegionStartMel ? mel * LinearHzPerMel : LogRegionStartHz * Math.Exp(LogStep * (mel - LogRegionStartMel));

    /// <summary>Weight of filter <paramref name="melBin"/> at FFT bin <paramref name="frequencyBin"/>.</summary>
    public float Weight(int melBin, int frequencyBin) => _weights[(melBin * FrequencyBins) + frequencyBin];

    /// <summary>A copy of the weights, row-major MelBins × FrequencyBins (the layout of Whisper's mel_filters.npz).</summary>
    public float[] ToArray() => (float[])_weights.Clone();

    /// <summary>Applies every filter to one power spectrum, writing MelBins values.</summary>
    public void Apply(ReadOnlySpan<float> power, Span<float> mel)
    {
        if (power.Length < FrequencyBins || mel.Length < MelBins)
        {
            throw new ArgumentException($"Expected {FrequencyBins} power bins and room for {MelBins} mel values.");
        }

        var weights = _weights.AsSpan();
        for (var m = 0; m < MelBins; m++)
        {
            var first = _firstBin[m];
            var count = _lastBin[m] - first + 1;
            mel[m] = count <= 0
                ? 0f
                : System.Numerics.Tensors.TensorPrimitives.Dot(weights.Slice((m * FrequencyBins) + first, count), power.Slice(first, count));
        }
    }
}
