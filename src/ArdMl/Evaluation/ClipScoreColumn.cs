using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace ArdMl.Evaluation;

/// <summary>
/// A concept's scores as one float array aligned with a clip index shared by all concepts: a compact
/// <see cref="IReadOnlyDictionary{TKey, TValue}"/> for <see cref="BenchmarkConcept.Representativeness"/> when there are
/// many concepts and clips (5,000 concepts × 10,000 clips take 200 MB as floats instead of gigabytes of dictionaries).
/// </summary>
public sealed class ClipScoreColumn : IReadOnlyDictionary<string, double>
{
    private readonly IReadOnlyDictionary<string, int> _clipIndex;
    private readonly float[] _scores;

    /// <summary>Creates the column; <paramref name="clipIndex"/> maps clip id → position in <paramref name="scores"/>.</summary>
    public ClipScoreColumn(IReadOnlyDictionary<string, int> clipIndex, float[] scores)
    {
        ArgumentNullException.ThrowIfNull(clipIndex);
        ArgumentNullException.ThrowIfNull(scores);
        foreach (var (clip, position) in clipIndex)
        {
            if (position < 0 || position >= scores.Length)
            {
                throw new ArgumentException($"Clip '{clip}' maps to position {position}, outside the {scores.Length} scores.", nameof(clipIndex));
            }
        }

        _clipIndex = clipIndex;
        _scores = scores;
    }

    /// <summary>Builds the shared clip index for clip ids in score order (ids must be unique).</summary>
    public static IReadOnlyDictionary<string, int> IndexOf(IReadOnlyList<string> clipIds)
    {
        ArgumentNullException.ThrowIfNull(clipIds);
        var index = new Dictionary<string, int>(clipIds.Count, StringComparer.Ordinal);
        for (int i = 0; i < clipIds.Count; i++)
        {
            if (!index.TryAdd(clipIds[i], i))
            {
                throw new ArgumentException($"Clip id '{clipIds[i]}' occurs twice (positions {index[clipIds[i]]} and {i}).", nameof(clipIds));
            }
        }

        return index;
    }

    /// <inheritdoc />
    public double this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"No score for clip '{key}'.");

    /// <inheritdoc />
    public IEnumerable<string> Keys => _clipIndex.Keys;

    /// <inheritdoc />
    public IEnumerable<double> Values => _clipIndex.Values.Select(i => (double)_scores[i]);

    /// <inheritdoc />
    public int Count => _clipIndex.Count;

    /// <inheritdoc />
    public bool ContainsKey(string key) => _clipIndex.ContainsKey(key);

    /// <inheritdoc />
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out double value)
    {
        if (_clipIndex.TryGetValue(key, out var i))
        {
            value = _scores[i];
            return true;
        }

        value = 0;
        return false;
    }

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, double>> GetEnumerator() =>
        _clipIndex.Select(p => new KeyValuePair<string, double>(p.Key, _scores[p.Value])).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
