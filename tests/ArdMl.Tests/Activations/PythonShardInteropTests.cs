using System.Diagnostics;
using ArdMl.Activations;
using ArdMl.Tests.Infrastructure;

namespace ArdMl.Tests.Activations;

/// <summary>
/// The shard writer of models/export_activations.py (run with the machine's python3, no numpy needed for
/// <c>write_bytes</c>) produces folders that <see cref="ActivationShardReader"/> reads back exactly, including after
/// a resumed, interrupted run.
/// </summary>
public sealed class PythonShardInteropTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ardml-python-shards-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [SkippableTheory]
    [InlineData("float32")]
    [InlineData("float16")]
    public void ShardsWrittenByTheExportScriptReadBackExactly(string dtype)
    {
        var python = FindPython();
        Skip.If(python is null, "python3 is not on PATH.");
        var script = $$"""
            import struct, sys
            sys.path.insert(0, {{Quote(Path.Combine(SharedAssets.RepositoryRoot, "models"))}})
            from pathlib import Path
            import export_activations as e
            fmt = "<e" if "{{dtype}}" == "float16" else "<f"
            def encode(values):
                return b"".join(struct.pack(fmt, v) for v in values)
            folder = Path({{Quote(_folder)}})
            w = e.ShardWriter(folder, 3, "{{dtype}}", "test-model", "layer.1", {"shard": "0/1"}, max_shard_bytes=40)
            for k in range(4):
                w.write_bytes(f"clip{k}", k, encode([k + 0.25 * j for j in range(3 * k)]), {"path": f"clip{k}.wav"})
            w.index_file.write(b'{"clip":"torn"')   # an interrupted run
            w.index_file.close()
            w.shard_file.close()
            w = e.ShardWriter(folder, 3, "{{dtype}}", "test-model", "layer.1", {"shard": "0/1"}, max_shard_bytes=40)
            assert "clip3" in w and "torn" not in w
            w.write_bytes("clip4", 2, encode([-1.5, 2.0, 0.0, 8.0, 9.5, -0.125]))
            w.close()
            """;
        RunPython(python!, script);

        var reader = ActivationShardReader.Open(_folder);
        reader.Manifest.Model.Should().Be("test-model");
        reader.Manifest.DataType.Should().Be(dtype == "float16" ? ActivationShardDataType.Float16 : ActivationShardDataType.Float32);
        reader.Width.Should().Be(3);
        var clips = reader.ReadClips().ToList();
        clips.Select(c => c.ClipId).Should().Equal("clip0", "clip1", "clip2", "clip3", "clip4");
        for (var k = 0; k < 4; k++)
        {
            clips[k].Tokens.Should().Be(k);
            clips[k].Data.Should().Equal(Enumerable.Range(0, 3 * k).Select(j => k + (0.25f * j)));
            clips[k].Metadata["path"].Should().Be($"clip{k}.wav");
        }

        clips[4].Data.Should().Equal(-1.5f, 2.0f, 0.0f, 8.0f, 9.5f, -0.125f);
        Directory.GetFiles(_folder, "shard-*.bin").Length.Should().BeGreaterThan(1, "the 40-byte limit rolls over");
    }

    private static string Quote(string text) => "r'" + text.Replace("'", "\\'", StringComparison.Ordinal) + "'";

    private static string? FindPython() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, "python3"))
            .FirstOrDefault(File.Exists);

    private static void RunPython(string python, string script)
    {
        var start = new ProcessStartInfo(python, ["-B", "-c", script]) { RedirectStandardError = true, RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        process.ExitCode.Should().Be(0, $"the script succeeds: {output}{error.Result}");
    }
}
