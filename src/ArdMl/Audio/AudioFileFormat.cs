namespace ArdMl.Audio;

/// <summary>The container/codec of an encoded audio file, detected from its content.</summary>
public enum AudioFileFormat
{
    /// <summary>RIFF/WAVE with PCM or IEEE-float samples.</summary>
    Wav,

    /// <summary>Free Lossless Audio Codec (native FLAC stream, RFC 9639).</summary>
    Flac,

    /// <summary>MPEG-1/2 audio layer III.</summary>
    Mp3,

    /// <summary>Vorbis in an Ogg container.</summary>
    OggVorbis,
}
