namespace ArdMl.Audio;

/// <summary>
/// Real-input FFT of an even length N, computed as a complex mixed-radix (2, 3, 4, 5, generic) Stockham FFT of
/// length N/2 followed by the usual split step. All twiddles are precomputed; <see cref="PowerSpectrum"/> allocates
/// nothing. One instance may be shared by threads as long as each thread passes its own <see cref="Workspace"/>.
/// </summary>
internal sealed class WhisperLogMelFft
{
    private readonly int _size;
    private readonly int _half;
    private readonly int[] _radices;
    private readonly double[][] _stageTwiddleRe;
    private readonly double[][] _stageTwiddleIm;
    private readonly double[][] _stageDftRe;
    private readonly double[][] _stageDftIm;
    private readonly double[] _splitRe;
    private readonly double[] _splitIm;

    public WhisperLogMelFft(int size)
    {
        if (size < 4 || size % 2 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "The real FFT length must be even and at least 4.");
        }

        _size = size;
        _half = size / 2;
        _radices = Factorize(_half);
        _stageTwiddleRe = new double[_radices.Length][];
        _stageTwiddleIm = new double[_radices.Length][];
        _stageDftRe = new double[_radices.Length][];
        _stageDftIm = new double[_radices.Length][];
        var span = 1;
        for (var stage = 0; stage < _radices.Length; stage++)
        {
            var radix = _radices[stage];
            var re = new double[span * radix];
            var im = new double[span * radix];
            for (var k = 0; k < span; k++)
            {
                for (var r = 0; r < radix; r++)
                {
                    var angle = -2.0 * Math.PI * r * k / (span * radix);
                    re[(k * radix) + r] = Math.Cos(angle);
                    im[(k * radix) + r] = Math.Sin(angle);
                }
            }

            _stageTwiddleRe[stage] = re;
            _stageTwiddleIm[stage] = im;
            _stageDftRe[stage] = new double[radix * radix];
            _stageDftIm[stage] = new double[radix * radix];
            for (var q = 0; q < radix; q++)
            {
                for (var r = 0; r < radix; r++)
                {
                    var angle = -2.0 * Math.PI * ((q * r) % radix) / radix;
                    _stageDftRe[stage][(q * radix) + r] = Math.Cos(angle);
                    _stageDftIm[stage][(q * radix) + r] = Math.Sin(angle);
                }
            }
            span *= radix;
        }

        _splitRe = new double[_half + 1];
        _splitIm = new double[_half + 1];
        for (var k = 0; k <= _half; k++)
        {
            var angle = -2.0 * Math.PI * k / size;
            _splitRe[k] = Math.Cos(angle);
            _splitIm[k] = Math.Sin(angle);
        }
    }

    /// <summary>The real transform length.</summary>
    public int Size => _size;

    /// <summary>Number of non-negative frequency bins, N/2 + 1.</summary>
    public int BinCount => _half + 1;

    /// <summary>Scratch buffers for one thread.</summary>
    public sealed class Workspace
    {
        internal Workspace(int half)
        {
            Re = new double[half];
            Im = new double[half];
            ScratchRe = new double[half];
            ScratchIm = new double[half];
            DftRe = new double[8];
            DftIm = new double[8];
        }

        internal double[] Re { get; }

        internal double[] Im { get; }

        internal double[] ScratchRe { get; }

        internal double[] ScratchIm { get; }

        internal double[] DftRe { get; set; }

        internal double[] DftIm { get; set; }
    }

    /// <summary>Creates the scratch buffers one thread needs.</summary>
    public Workspace CreateWorkspace() => new(_half);

    /// <summary>Writes |X[k]|² for k = 0..N/2 of the real input <paramref name="input"/> (length N).</summary>
    public void PowerSpectrum(ReadOnlySpan<float> input, Span<float> power, Workspace workspace)
    {
        if (input.Length != _size || power.Length < _half + 1)
        {
            throw new ArgumentException($"Expected {_size} input samples and room for {_half + 1} bins.");
        }

        var re = workspace.Re;
        var im = workspace.Im;
        for (var n = 0; n < _half; n++)
        {
            re[n] = input[2 * n];
            im[n] = input[(2 * n) + 1];
        }

        Transform(workspace);
        var zr = workspace.Re;
        var zi = workspace.Im;

        // X[k] = (Z[k] + conj(Z[M-k])) / 2 - i e^{-2πik/N} (Z[k] - conj(Z[M-k])) / 2, Z[M] = Z[0].
        for (var k = 0; k <= _half; k++)
        {
            var a = k == _half ? 0 : k;
            var b = k == 0 ? 0 : _half - k;
            double ar = zr[a], ai = zi[a], br = zr[b], bi = -zi[b];
            var evenRe = 0.5 * (ar + br);
            var evenIm = 0.5 * (ai + bi);
            var oddRe = 0.5 * (ar - br);
            var oddIm = 0.5 * (ai - bi);

            // multiply odd by -i: (x + iy)(-i) = y - ix
            var rotRe = oddIm;
            var rotIm = -oddRe;
            var wr = _splitRe[k];
            var wi = _splitIm[k];
            var xr = evenRe + ((wr * rotRe) - (wi * rotIm));
            var xi = evenIm + ((wr * rotIm) + (wi * rotRe));
            power[k] = (float)((xr * xr) + (xi * xi));
        }
    }

    /// <summary>Complex forward FFT of the length-N/2 sequence held in the workspace (result left in Re/Im).</summary>
    internal void ForwardComplex(Workspace workspace) => Transform(workspace);

    private void Transform(Workspace workspace)
    {
        var n = _half;
        double[] srcRe = workspace.Re, srcIm = workspace.Im, dstRe = workspace.ScratchRe, dstIm = workspace.ScratchIm;
        var span = 1;
        for (var stage = 0; stage < _radices.Length; stage++)
        {
            var radix = _radices[stage];
            var stride = n / radix;
            var twRe = _stageTwiddleRe[stage];
            var twIm = _stageTwiddleIm[stage];
            if (workspace.DftRe.Length < radix)
            {
                workspace.DftRe = new double[radix];
                workspace.DftIm = new double[radix];
            }

            var vRe = workspace.DftRe;
            var vIm = workspace.DftIm;
            for (var j = 0; j < stride; j++)
            {
                var k = j % span;
                for (var r = 0; r < radix; r++)
                {
                    double xr = srcRe[j + (r * stride)], xi = srcIm[j + (r * stride)];
                    double wr = twRe[(k * radix) + r], wi = twIm[(k * radix) + r];
                    vRe[r] = (xr * wr) - (xi * wi);
                    vIm[r] = (xr * wi) + (xi * wr);
                }

                var outBase = ((j / span) * span * radix) + k;
                Butterfly(radix, vRe, vIm, dstRe, dstIm, outBase, span, _stageDftRe[stage], _stageDftIm[stage]);
            }

            (srcRe, dstRe) = (dstRe, srcRe);
            (srcIm, dstIm) = (dstIm, srcIm);
            span *= radix;
        }

        if (!ReferenceEquals(srcRe, workspace.Re))
        {
            Array.Copy(srcRe, workspace.Re, n);
            Array.Copy(srcIm, workspace.Im, n);
        }
    }

    private static void Butterfly(
        int radix, double[] vRe, double[] vIm, double[] dstRe, double[] dstIm, int outBase, int span, double[] dftRe, double[] dftIm)
    {
        switch (radix)
        {
            case 2:
                dstRe[outBase] = vRe[0] + vRe[1];
                dstIm[outBase] = vIm[0] + vIm[1];
                dstRe[outBase + span] = vRe[0] - vRe[1];
                dstIm[outBase + span] = vIm[0] - vIm[1];
                return;
            case 4:
                {
                    double s0r = vRe[0] + vRe[2], s0i = vIm[0] + vIm[2];
                    double d0r = vRe[0] - vRe[2], d0i = vIm[0] - vIm[2];
                    double s1r = vRe[1] + vRe[3], s1i = vIm[1] + vIm[3];
                    double d1r = vRe[1] - vRe[3], d1i = vIm[1] - vIm[3];
                    dstRe[outBase] = s0r + s1r;
                    dstIm[outBase] = s0i + s1i;
                    dstRe[outBase + (2 * span)] = s0r - s1r;
                    dstIm[outBase + (2 * span)] = s0i - s1i;

                    // X1 = d0 - i d1, X3 = d0 + i d1
                    dstRe[outBase + span] = d0r + d1i;
                    dstIm[outBase + span] = d0i - d1r;
                    dstRe[outBase + (3 * span)] = d0r - d1i;
                    dstIm[outBase + (3 * span)] = d0i + d1r;
                    return;
                }

            default:
                for (var q = 0; q < radix; q++)
                {
                    double accRe = 0, accIm = 0;
                    for (var r = 0; r < radix; r++)
                    {
                        double wr = dftRe[(q * radix) + r], wi = dftIm[(q * radix) + r];
                        accRe += (vRe[r] * wr) - (vIm[r] * wi);
                        accIm += (vRe[r] * wi) + (vIm[r] * wr);
                    }

                    dstRe[outBase + (q * span)] = accRe;
                    dstIm[outBase + (q * span)] = accIm;
                }

                return;
        }
    }

    private static int[] Factorize(int n)
    {
        var factors = new List<int>();
        while (n % 4 == 0)
        {
            factors.Add(4);
            n /= 4;
        }

        foreach (var p in new[] { 2, 3, 5 })
        {
            while (n % p == 0)
            {
                factors.Add(p);
                n /= p;
            }
        }

        for (var p = 7; n > 1; p += 2)
        {
            while (n % p == 0)
            {
                factors.Add(p);
                n /= p;
            }
        }

        return [.. factors];
    }
}
