using NLayer;
using NVorbis;

namespace ArdMl.Audio;

/// <summary>Lossy formats decoded by managed libraries: MP3 (NLayer) and Ogg Vorbis (NVorbis).</summary>
internal static class CompressedAudioDecoder
{
    private const int ChunkFrames = 4096;

    public static DecodedAudio DecodeMp3(byte[] data, string sourceName, double maxSeconds)
    {
        try
        {
            using var stream = new MemoryStream(data, writable: false);
            using var mpeg = new MpegFile(stream);
            return ReadAll(AudioFileFormat.Mp3, mpeg.SampleRate, mpeg.Channels, sourceName, maxSeconds,
                (buffer, count) => mpeg.ReadSamples(buffer, 0, count));
        }
        catch (Exception e) when (e is not AudioDecodeException and not OutOfMemoryException)
        {
            throw new AudioDecodeException(sourceName, $"corrupt or unsupported MP3 data ({e.Message})", e);
        }
    }

    public static DecodedAudio DecodeOggVorbis(byte[] data, string sourceName, double maxSeconds)
    {
        try
        {
            using var stream = new MemoryStream(data, writable: false);
            using var vorbis = new VorbisReader(stream, closeOnDispose: false);
            return ReadAll(AudioFileFormat.OggVorbis, vorbis.SampleRate, vorbis.Channels, sourceName, maxSeconds,
                (buffer, count) => vorbis.ReadSamples(buffer, 0, count));
        }
        catch (Exception e) when (e is not AudioDecodeException and not OutOfMemoryException)
        {
            throw new AudioDecodeException(sourceName, $"corrupt or unsupported Ogg data (only Vorbis is read: {e.Message})", e);
        }
    }

    private static DecodedAudio ReadAll(
        AudioFileFormat format, int sampleRate, int channels, string sourceName, double maxSeconds, Func<float[], int, int> read)
    {
        if (sampleRate <= 0 || channels <= 0)
        {
            throw new AudioDecodeException(sourceName, $"invalid stream format: {channels} channels at {sampleRate} Hz");
        }

        var maxFrames = AudioDecoder.FrameLimit(maxSeconds, sampleRate);
        var chunk = new float[ChunkFrames * channels];
        var output = new float[chunk.Length * 16];
        long total = 0;
        var limit = maxFrames == long.MaxValue ? long.MaxValue : maxFrames * channels;
        while (total < limit)
        {
            var wanted = (int)Math.Min(chunk.Length, limit - total);
            wanted -= wanted % channels;
            var count = read(chunk, wanted);
            if (count <= 0)
            {
                break;
            }

            if (total + count > output.Length)
            {
                Array.Resize(ref output, (int)Math.Min(Array.MaxLength, Math.Max(total + count, output.Length * 2L)));
            }

            chunk.AsSpan(0, count).CopyTo(output.AsSpan((int)total));
            total += count;
        }

        var frames = (int)(total / channels);
        if (frames == 0)
        {
            throw new AudioDecodeException(sourceName, $"no {format} audio frames could be decoded");
        }

        Array.Resize(ref output, frames * channels);
        return new DecodedAudio(format, sampleRate, channels, 32, frames, output);
    }
}
