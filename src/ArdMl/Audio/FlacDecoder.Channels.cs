using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace ArdMl.Audio;

/// <summary>The decoder's channel output: stereo decorrelation, interleaving, down-mix to mono and the MD5 feed.</summary>
internal sealed partial class FlacDecoder
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Decorrelate(int channelCode, int blockSize)
    {
        if (channelCode < 8)
        {
            return;
        }

        var a = _channelBuffers[0].AsSpan(0, blockSize);
        var b = _channelBuffers[1].AsSpan(0, blockSize);
        switch (channelCode)
        {
            case 8: // left, side -> right = left - side
                for (var i = 0; i < a.Length; i++)
                {
                    b[i] = a[i] - b[i];
                }

                break;
            case 9: // side, right -> left = side + right
                for (var i = 0; i < a.Length; i++)
                {
                    a[i] += b[i];
                }

                break;
            default: // mid, side
                for (var i = 0; i < a.Length; i++)
                {
                    var side = b[i];
                    var mid = (a[i] << 1) | (side & 1);
                    a[i] = (mid + side) >> 1;
                    b[i] = (mid - side) >> 1;
                }

                break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Interleave(Span<int> target, int frames)
    {
        var channels = _channelBuffers.Length;
        if (channels == 1)
        {
            var mono = _channelBuffers[0];
            for (var i = 0; i < frames; i++)
            {
                target[i] = (int)mono[i];
            }
        }
        else if (channels == 2)
        {
            var left = _channelBuffers[0];
            var right = _channelBuffers[1];
            for (int i = 0, j = 0; i < frames; i++, j += 2)
            {
                target[j] = (int)left[i];
                target[j + 1] = (int)right[i];
            }
        }
        else
        {
            for (var c = 0; c < channels; c++)
            {
                var channel = _channelBuffers[c];
                for (int i = 0, j = c; i < frames; i++, j += channels)
                {
                    target[j] = (int)channel[i];
                }
            }
        }
    }

    /// <summary>
    /// Averages the channel buffers, still as coded (left/side, side/right or mid/side for stereo), into
    /// <paramref name="target"/>; <paramref name="scale"/> includes 1/channels.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Downmix(Span<float> target, float scale)
    {
        var channels = _channelBuffers.Length;
        var first = _channelBuffers[0].AsSpan(0, target.Length);
        if (channels == 2)
        {
            var second = _channelBuffers[1].AsSpan(0, target.Length);
            switch (_channelCode)
            {
                case 8: // left, side: left + right = 2 left - side
                    for (var i = 0; i < target.Length; i++)
                    {
                        target[i] = ((2 * first[i]) - second[i]) * scale;
                    }

                    return;
                case 9: // side, right: left + right = side + 2 right
                    for (var i = 0; i < target.Length; i++)
                    {
                        target[i] = (first[i] + (2 * second[i])) * scale;
                    }

                    return;
                case 10: // mid, side: mid + side and mid - side are even, so left + right = (mid << 1) | (side & 1)
                    for (var i = 0; i < target.Length; i++)
                    {
                        target[i] = ((first[i] << 1) | (second[i] & 1)) * scale;
                    }

                    return;
                default:
                    for (var i = 0; i < target.Length; i++)
                    {
                        target[i] = (first[i] + second[i]) * scale;
                    }

                    return;
            }
        }

        for (var i = 0; i < target.Length; i++)
        {
            var sum = first[i];
            for (var c = 1; c < channels; c++)
            {
                sum += _channelBuffers[c][i];
            }

            target[i] = sum * scale;
        }
    }

    /// <summary>Feeds the frame to the MD5 as interleaved little-endian samples of (bits + 7) / 8 bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AppendToHash(IncrementalHash md5, int frames, int bitsPerSample)
    {
        var channels = _channelBuffers.Length;
        var bytesPerSample = (bitsPerSample + 7) / 8;
        var length = frames * channels * bytesPerSample;
        if (_hashBuffer.Length < length)
        {
            _hashBuffer = new byte[length];
        }

        var bytes = _hashBuffer.AsSpan(0, length);
        if (bytesPerSample == 2 && channels == 2)
        {
            var left = _channelBuffers[0];
            var right = _channelBuffers[1];
            for (int i = 0, j = 0; i < frames; i++, j += 4)
            {
                BinaryPrimitives.WriteInt16LittleEndian(bytes[j..], (short)left[i]);
                BinaryPrimitives.WriteInt16LittleEndian(bytes[(j + 2)..], (short)right[i]);
            }
        }
        else
        {
            for (var c = 0; c < channels; c++)
            {
                var channel = _channelBuffers[c];
                var stride = channels * bytesPerSample;
                for (int i = 0, j = c * bytesPerSample; i < frames; i++, j += stride)
                {
                    var v = channel[i];
                    switch (bytesPerSample)
                    {
                        case 1:
                            bytes[j] = (byte)v;
                            break;
                        case 2:
                            BinaryPrimitives.WriteInt16LittleEndian(bytes[j..], (short)v);
                            break;
                        case 3:
                            bytes[j] = (byte)v;
                            bytes[j + 1] = (byte)(v >> 8);
                            bytes[j + 2] = (byte)(v >> 16);
                            break;
                        default:
                            BinaryPrimitives.WriteInt32LittleEndian(bytes[j..], (int)v);
                            break;
                    }
                }
            }
        }

        md5.AppendData(bytes);
    }
}
