using System.Buffers.Binary;
using System.Text;
using ArdMl.Sae;
using static TorchSharp.torch;

namespace ArdMl.Tests.Sae;

public sealed class SparsifyFormatTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ard-sae-io-" + Guid.NewGuid().ToString("N"));

    public SparsifyFormatTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static TopKSparseAutoencoder RandomSae(int d = 6, int m = 20, int k = 3)
    {
        var sae = new TopKSparseAutoencoder(d, m, k);
        sae.InitializeTied(11);
        using (no_grad())
        {
            sae.EncoderWeight.add_(randn(m, d, generator: new Generator(1)) * 0.1);
            sae.EncoderBias.copy_(randn(m, generator: new Generator(2)) * 0.1);
            sae.DecoderBias.copy_(randn(d, generator: new Generator(3)));
        }

        return sae;
    }

    [Fact]
    public void WriteThenReadIsIdenticalAndEncodesIdentically()
    {
        using var sae = RandomSae();
        SparsifyFormat.Save(sae, _dir);
        using var loaded = SparsifyFormat.Load(_dir);

        loaded.K.Should().Be(3);
        foreach (var (a, b) in sae.parameters().Zip(loaded.parameters()))
        {
            SaeTestData.Weights(b).Should().Equal(SaeTestData.Weights(a));
        }

        var cfg = File.ReadAllText(Path.Combine(_dir, "cfg.json"));
        cfg.Should().Contain("\"d_in\": 6").And.Contain("\"num_latents\": 20").And.Contain("\"k\": 3").And.Contain("\"normalize_decoder\": true");
        var tensors = SafeTensorsFile.Read(Path.Combine(_dir, "sae.safetensors"));
        tensors.Keys.Should().BeEquivalentTo("encoder.weight", "encoder.bias", "W_dec", "b_dec");
        tensors["encoder.weight"].Shape.Should().Equal(20, 6);
        tensors["encoder.weight"].DType.Should().Be(SafeTensorDType.F32);

        var frames = SaeTestData.SparseClips(1, 6, 5, 2, seed: 4, minFrames: 9, maxFrames: 9)[0];
        using var e1 = new SparseAutoencoderEncoder(sae);
        using var e2 = new SparseAutoencoderEncoder(loaded);
        e2.Encode(frames).Values.Should().Equal(e1.Encode(frames).Values);
    }

    [Fact]
    public void ReadsFloat16AndBFloat16()
    {
        var values = new[] { 1.5f, -2.25f, 0.0078125f, 3f };
        var half = values.SelectMany(v => BitConverter.GetBytes((Half)v)).ToArray();
        var bf16 = values.SelectMany(v => BitConverter.GetBytes((ushort)(BitConverter.SingleToInt32Bits(v) >> 16))).ToArray();
        string path = Path.Combine(_dir, "mixed.safetensors");
        SafeTensorsFile.Write(path, [new SafeTensor("h", SafeTensorDType.F16, [2, 2], half), new SafeTensor("b", SafeTensorDType.BF16, [4], bf16)]);

        var read = SafeTensorsFile.Read(path);
        read["h"].ToSingles().Should().Equal(values);
        read["b"].ToSingles().Should().Equal(values);
        read["h"].Shape.Should().Equal(2, 2);
    }

    [Fact]
    public void LoadsSparsifyLayoutStoredInBFloat16()
    {
        using var sae = RandomSae();
        SparsifyFormat.Save(sae, _dir);
        string path = Path.Combine(_dir, "sae.safetensors");
        var tensors = SafeTensorsFile.Read(path);
        SafeTensorsFile.Write(path, tensors.Values.Select(t => new SafeTensor(
            t.Name, SafeTensorDType.BF16, t.Shape, t.ToSingles().SelectMany(v => BitConverter.GetBytes((ushort)(BitConverter.SingleToInt32Bits(v) >> 16))).ToArray())));

        using var loaded = SparsifyFormat.Load(_dir);
        var expected = SaeTestData.Weights(sae.DecoderWeight);
        var actual = SaeTestData.Weights(loaded.DecoderWeight);
        for (int i = 0; i < expected.Length; i++)
        {
            actual[i].Should().BeApproximately(expected[i], Math.Abs(expected[i]) / 128 + 1e-6f);
        }
    }

    [Fact]
    public void CorruptFilesGetNamedErrors()
    {
        string path = Path.Combine(_dir, "t.safetensors");
        SafeTensorsFile.Write(path, [SafeTensor.FromSingles("a", [1f, 2f, 3f], 3), SafeTensor.FromSingles("b", [4f], 1)]);
        var good = File.ReadAllBytes(path);

        void Expect(byte[] bytes, string message)
        {
            File.WriteAllBytes(path, bytes);
            FluentActions.Invoking(() => SafeTensorsFile.Read(path)).Should().Throw<SafeTensorsFormatException>()
                .WithMessage($"*t.safetensors*{message}*");
        }

        Expect(good[..^2], "truncated");
        Expect([.. good, 0, 0, 0, 0], "trailing");
        Expect(good[..5], "shorter than");
        var huge = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(huge, 1UL << 40);
        Expect(huge, "header length");
        int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(good);
        string header = Encoding.UTF8.GetString(good, 8, headerLength);
        Expect(Rewrite(good, header.Replace("F32", "Q8")), "unsupported dtype");
        Expect(Rewrite(good, header.Replace("[3]", "[4]")), "needs 16 bytes");
        Expect(Rewrite(good, header.Replace("{", "[")), "JSON");

        Directory.CreateDirectory(Path.Combine(_dir, "sae"));
        File.WriteAllText(Path.Combine(_dir, "sae", "cfg.json"), "{\"k\": 3}");
        File.WriteAllBytes(Path.Combine(_dir, "sae", "sae.safetensors"), good);
        FluentActions.Invoking(() => SparsifyFormat.Load(Path.Combine(_dir, "sae"))).Should().Throw<SafeTensorsFormatException>()
            .WithMessage("*encoder.weight*missing*");
    }

    private static byte[] Rewrite(byte[] file, string header)
    {
        int oldLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        var headerBytes = Encoding.UTF8.GetBytes(header);
        var result = new byte[8 + headerBytes.Length + (file.Length - 8 - oldLength)];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)headerBytes.Length);
        headerBytes.CopyTo(result, 8);
        file.AsSpan(8 + oldLength).CopyTo(result.AsSpan(8 + headerBytes.Length));
        return result;
    }
}
