using ArdMl.Audio;
using ArdMl.MlNet;
using ArdMl.Tests.Infrastructure;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace ArdMl.Tests.MlNet;

/// <summary>mlContext.Transforms.Ard().LoadAudio on real FSDD WAV and sonic-pi FLAC clips, and on generated bad clips.</summary>
public sealed class LoadAudioTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ardml-loadaudio-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    public sealed class PathRow
    {
        public string Path { get; set; } = string.Empty;
    }

    public sealed class BytesRow
    {
        [VectorType]
        public byte[] Audio { get; set; } = [];
    }

    public sealed class SamplesRow
    {
        [VectorType]
        public float[] Samples { get; set; } = [];

        public int SampleCount { get; set; }
    }

    [SkippableFact]
    public void Fsdd_wav_clips_load_as_16_kHz_mono_samples()
    {
        var clips = FsddClips(3);
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(clips.Select(p => new PathRow { Path = p }));

        var rows = Read(ml, ml.Transforms.Ard().LoadAudio().Fit(data).Transform(data));

        rows.Should().HaveCount(3);
        for (var i = 0; i < clips.Length; i++)
        {
            var expected = AudioLoader.LoadMono(clips[i]);
            rows[i].Samples.Should().Equal(expected);
            rows[i].SampleCount.Should().Be(expected.Length);
            var sourceFrames = AudioDecoder.Decode(clips[i]).FrameCount;
            rows[i].SampleCount.Should().BeCloseTo(sourceFrames * 2, 2, "FSDD is 8 kHz, resampled to 16 kHz");
        }
    }

    [SkippableFact]
    public void Flac_clips_load_at_the_chosen_rate_and_are_cut_to_the_maximum_duration()
    {
        var clip = SharedAssets.TryGet("data", "sonic-pi-samples", "ambi_choir.flac");
        Skip.If(clip is null, SharedAssets.MissingMessage);
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable([new PathRow { Path = clip! }]);
        var options = new LoadAudioOptions { SampleRate = 22050, MaxDurationSeconds = 0.5 };

        var row = Read(ml, ml.Transforms.Ard().LoadAudio(options).Fit(data).Transform(data)).Single();

        row.SampleCount.Should().Be(11025);
        row.Samples.Should().Equal(AudioLoader.LoadMono(clip!, 22050, 0.5));
        row.Samples.Should().Contain(s => Math.Abs(s) > 0.01f, "the clip is not silent");
    }

    [SkippableFact]
    public void Encoded_bytes_load_like_the_file()
    {
        var clip = SharedAssets.TryGet("data", "sonic-pi-samples", "ambi_choir.flac");
        Skip.If(clip is null, SharedAssets.MissingMessage);
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable([new BytesRow { Audio = File.ReadAllBytes(clip!) }]);

        var row = Read(ml, ml.Transforms.Ard().LoadAudio("Samples", "Audio").Fit(data).Transform(data)).Single();

        row.Samples.Should().Equal(AudioLoader.LoadMono(clip!));
    }

    [Fact]
    public void Relative_paths_resolve_against_the_base_directory()
    {
        var path = WriteTone("tone.wav", 8000, 800);
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable([new PathRow { Path = Path.GetFileName(path) }]);

        var row = Read(ml, ml.Transforms.Ard().LoadAudio(new LoadAudioOptions { BaseDirectory = _directory }).Fit(data).Transform(data)).Single();

        row.Samples.Should().Equal(AudioLoader.LoadMono(path));
    }

    [Fact]
    public void A_bad_clip_stops_the_pass_by_default_naming_the_clip()
    {
        var good = WriteTone("good.wav", 8000, 800);
        var bad = WriteBytes("truncated.wav", File.ReadAllBytes(good).AsSpan(0, 30).ToArray());
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable([new PathRow { Path = good }, new PathRow { Path = bad }]);
        var transformed = ml.Transforms.Ard().LoadAudio().Fit(data).Transform(data);

        var read = () => Read(ml, transformed);

        read.Should().Throw<AudioDecodeException>().Which.SourceName.Should().Be(bad);
    }

    [SkippableFact]
    public void Skip_mode_leaves_out_bad_clips_reports_each_and_keeps_every_good_clip()
    {
        var good = FsddClips(2);
        var truncated = WriteBytes("truncated.wav", File.ReadAllBytes(good[0]).AsSpan(0, 40).ToArray());
        var garbage = WriteBytes("garbage.flac", [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 37 % 251))]);
        var empty = WriteBytes("empty.wav", []);
        var missing = Path.Combine(_directory, "missing.wav");
        var paths = new[] { truncated, good[0], garbage, missing, good[1], empty };
        var ml = new MLContext(seed: 1);
        var log = new List<string>();
        ml.Log += (_, e) =>
        {
            lock (log)
            {
                log.Add(e.Message);
            }
        };
        var progress = new List<SkippedClip>();
        var options = new LoadAudioOptions { BadClipHandling = BadClipHandling.Skip, SkippedClipProgress = new SynchronousProgress(progress) };
        var data = ml.Data.LoadFromEnumerable(paths.Select(p => new PathRow { Path = p }));
        var transformer = ml.Transforms.Ard().LoadAudio(options).Fit(data);

        var transformed = transformer.Transform(data);
        var rows = Read(ml, transformed);
        transformed.GetColumn<string>("Path").ToList().Should().Equal(good, "the counts and paths of kept rows agree");

        rows.Select(r => r.Samples).Should().BeEquivalentTo(good.Select(p => AudioLoader.LoadMono(p)), o => o.WithStrictOrdering());
        transformer.SkippedClips.Select(c => c.Source).Should().Equal(truncated, garbage, missing, empty);
        transformer.SkippedClips.Should().OnlyContain(c => !string.IsNullOrWhiteSpace(c.Reason));
        transformer.SkippedClips.Single(c => c.Source == missing).Reason.Should().Contain("missing.wav");
        progress.Should().Equal(transformer.SkippedClips, "each skipped clip is reported once, however often the data is read");
        log.Where(m => m.Contains("LoadAudio skipped", StringComparison.Ordinal)).Should().HaveCount(4);
    }

    [SkippableFact]
    public void A_saved_LoadAudio_loads_in_a_new_context_with_identical_output()
    {
        var clips = FsddClips(2);
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(clips.Select(p => new PathRow { Path = p }));
        var options = new LoadAudioOptions { SampleRate = 11025, MaxDurationSeconds = 0.25, BadClipHandling = BadClipHandling.Skip, OutputColumnName = "Samples" };
        var transformer = ml.Transforms.Ard().LoadAudio(options).Fit(data);
        var path = Path.Combine(_directory, "loadaudio.zip");
        ml.Model.Save(transformer, data.Schema, path);

        var fresh = new MLContext(seed: 2);
        var loaded = fresh.Model.Load(path, out _);

        var loadedAudio = loaded.Should().BeOfType<LoadAudioTransformer>().Subject;
        loadedAudio.SampleRate.Should().Be(11025);
        loadedAudio.MaxDurationSeconds.Should().Be(0.25);
        loadedAudio.BadClipHandling.Should().Be(BadClipHandling.Skip);
        var expected = Read(ml, transformer.Transform(data));
        Read(fresh, loaded.Transform(fresh.Data.LoadFromEnumerable(clips.Select(p => new PathRow { Path = p }))))
            .Should().BeEquivalentTo(expected, o => o.WithStrictOrdering());
    }

    [SkippableFact]
    public void LoadAudio_in_a_chain_with_ml_net_transforms_round_trips()
    {
        var clips = FsddClips(4);
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(clips.Select(p => new PathRow { Path = p }));
        var pipeline = ml.Transforms.Ard().LoadAudio()
            .Append(ml.Transforms.Conversion.ConvertType("Seconds", "SampleCount", DataKind.Single))
            .Append(ml.Transforms.Concatenate("Features", "Seconds"))
            .Append(ml.Transforms.NormalizeMinMax("Features"));
        var model = pipeline.Fit(data);
        var path = Path.Combine(_directory, "chain.zip");
        ml.Model.Save(model, data.Schema, path);

        var fresh = new MLContext(seed: 2);
        var loaded = fresh.Model.Load(path, out _);
        var freshData = fresh.Data.LoadFromEnumerable(clips.Select(p => new PathRow { Path = p }));

        var expected = model.Transform(data).GetColumn<float[]>("Features").ToList();
        loaded.Transform(freshData).GetColumn<float[]>("Features").Should().BeEquivalentTo(expected, o => o.WithStrictOrdering());
        loaded.Transform(freshData).GetColumn<float[]>("Samples").Should().BeEquivalentTo(model.Transform(data).GetColumn<float[]>("Samples"), o => o.WithStrictOrdering());
        expected.Select(v => v.Single()).Should().Contain(1f).And.OnlyContain(v => v >= 0 && v <= 1);
    }

    [SkippableFact]
    public void PredictionEngine_loads_one_clip_and_fails_clearly_on_a_bad_clip_in_skip_mode()
    {
        var clip = FsddClips(1)[0];
        var bad = WriteBytes("bad.wav", [1, 2, 3]);
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable([new PathRow { Path = clip }]);
        var transformer = ml.Transforms.Ard().LoadAudio(new LoadAudioOptions { BadClipHandling = BadClipHandling.Skip }).Fit(data);
        using var engine = ml.Model.CreatePredictionEngine<PathRow, SamplesRow>(transformer);

        engine.Predict(new PathRow { Path = clip }).Samples.Should().Equal(AudioLoader.LoadMono(clip));
        var predictBad = () => engine.Predict(new PathRow { Path = bad });

        predictBad.Should().Throw<InvalidOperationException>().WithMessage("*bad.wav*cannot drop rows*");
    }

    [Fact]
    public void The_input_column_type_is_checked_before_Fit()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable([new SamplesRow { Samples = [1f], SampleCount = 1 }]);

        var fitWrongType = () => ml.Transforms.Ard().LoadAudio("Out", "SampleCount").Fit(data);
        var fitMissing = () => ml.Transforms.Ard().LoadAudio().Fit(data);

        fitWrongType.Should().Throw<ArgumentOutOfRangeException>().WithMessage("Input column 'SampleCount' has type Int32; expected text (file paths) or a vector of Byte*");
        fitMissing.Should().Throw<ArgumentOutOfRangeException>().WithMessage("Input column 'Path' was not found*");
    }

    [Fact]
    public void Invalid_options_are_refused_when_the_estimator_is_created()
    {
        var ml = new MLContext(seed: 1);

        ((Action)(() => ml.Transforms.Ard().LoadAudio(new LoadAudioOptions { SampleRate = 0 }))).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*sample rate*");
        ((Action)(() => ml.Transforms.Ard().LoadAudio(new LoadAudioOptions { MaxDurationSeconds = -1 }))).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*maximum duration*");
        ((Action)(() => ml.Transforms.Ard().LoadAudio(new LoadAudioOptions { OutputSampleCountColumnName = "Samples" }))).Should().Throw<ArgumentException>().WithMessage("*both named 'Samples'*");
    }

    private static List<SamplesRow> Read(MLContext ml, IDataView view) => [.. ml.Data.CreateEnumerable<SamplesRow>(view, reuseRowObject: false)];

    private static string[] FsddClips(int count)
    {
        var folder = SharedAssets.TryGet("data", "fsdd", "recordings");
        Skip.If(folder is null, SharedAssets.MissingMessage);
        return [.. Enumerable.Range(0, count).Select(i => Path.Combine(folder!, $"{i % 10}_george_{i}.wav"))];
    }

    private string WriteTone(string name, int sampleRate, int frames)
    {
        var samples = Enumerable.Range(0, frames).Select(i => 0.5f * MathF.Sin(2 * MathF.PI * 440 * i / sampleRate)).ToArray();
        var path = Path.Combine(_directory, name);
        WavWriter.Write(path, samples, sampleRate, 1, WavSampleFormat.Pcm16);
        return path;
    }

    private string WriteBytes(string name, byte[] bytes)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private sealed class SynchronousProgress(List<SkippedClip> sink) : IProgress<SkippedClip>
    {
        public void Report(SkippedClip value)
        {
            lock (sink)
            {
                sink.Add(value);
            }
        }
    }
}
