using Google.Protobuf;
using Onnx;

namespace ArdMl.Activations;

/// <summary>
/// Exposes internal values of an ONNX model as graph outputs, so that ONNX Runtime returns them: the ModelProto is
/// parsed, each requested name is checked against the graph's node outputs, inputs and initializers, and added to
/// <c>graph.output</c> (with its type from <c>value_info</c> where the model records one; otherwise ONNX Runtime infers
/// it). The edited bytes are handed to an InferenceSession; the file on disk is never changed.
/// </summary>
public sealed class OnnxTapEditor
{
    private readonly ModelProto _model;
    private readonly HashSet<string> _nodeOutputs;
    private readonly HashSet<string> _inputs;
    private readonly HashSet<string> _initializers;
    private readonly HashSet<string> _outputs;

    private OnnxTapEditor(ModelProto model, string modelName)
    {
        _model = model;
        ModelName = modelName;
        var graph = model.Graph ?? throw new InvalidDataException($"ONNX model '{modelName}' has no graph.");
        _nodeOutputs = new HashSet<string>(graph.Node.SelectMany(n => n.Output).Where(o => o.Length > 0), StringComparer.Ordinal);
        _initializers = new HashSet<string>(graph.Initializer.Select(i => i.Name), StringComparer.Ordinal);
        _inputs = new HashSet<string>(graph.Input.Select(i => i.Name).Where(n => !_initializers.Contains(n)), StringComparer.Ordinal);
        _outputs = new HashSet<string>(graph.Output.Select(o => o.Name), StringComparer.Ordinal);
    }

    /// <summary>Name used in messages.</summary>
    public string ModelName { get; }

    /// <summary>Parses a model.</summary>
    /// <param name="modelBytes">The ONNX file content.</param>
    /// <param name="modelName">Name used in messages (usually the file path).</param>
    public static OnnxTapEditor Parse(byte[] modelBytes, string modelName)
    {
        ArgumentNullException.ThrowIfNull(modelBytes);
        try
        {
            return new OnnxTapEditor(ModelProto.Parser.ParseFrom(modelBytes), modelName);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"'{modelName}' is not a valid ONNX model: {e.Message}", e);
        }
    }

    /// <summary>Every value that can be tapped: node outputs and graph inputs, in graph order.</summary>
    public IReadOnlyList<string> TapNames =>
        [.. _model.Graph.Input.Select(i => i.Name).Where(_inputs.Contains), .. _model.Graph.Node.SelectMany(n => n.Output).Where(o => o.Length > 0)];

    /// <summary>The graph's declared outputs.</summary>
    public IReadOnlyList<string> OutputNames => [.. _model.Graph.Output.Select(o => o.Name)];

    /// <summary>The graph's inputs (initializers excluded).</summary>
    public IReadOnlyList<string> InputNames => [.. _model.Graph.Input.Select(i => i.Name).Where(_inputs.Contains)];

    /// <summary>The op type of the node producing <paramref name="name"/>, or null for inputs and unknown names.</summary>
    public string? ProducerOf(string name) => _model.Graph.Node.FirstOrDefault(n => n.Output.Contains(name))?.OpType;

    /// <summary>Whether the name is a graph input (served from the input tensor itself, no edit needed).</summary>
    public bool IsGraphInput(string name) => _inputs.Contains(name);

    /// <summary>
    /// Checks every tap and returns the model bytes with the node-output taps added to graph.output (unchanged bytes
    /// when all are already outputs or inputs).
    /// </summary>
    /// <exception cref="UnknownTapException">A name is no value of the graph (lists the nearest names).</exception>
    public byte[] ExposeTaps(IEnumerable<string> taps, byte[] originalBytes)
    {
        ArgumentNullException.ThrowIfNull(taps);
        var toAdd = new List<string>();
        foreach (var tap in taps.Distinct(StringComparer.Ordinal))
        {
            if (_initializers.Contains(tap))
            {
                throw new ArgumentException(
                    $"Tap '{tap}' of model '{ModelName}' is an initializer (a constant weight), not an activation; name a node output instead.", nameof(taps));
            }

            if (!_nodeOutputs.Contains(tap) && !_inputs.Contains(tap))
            {
                throw new UnknownTapException(tap, ModelName, Nearest(tap, 8));
            }

            if (_nodeOutputs.Contains(tap) && !_outputs.Contains(tap))
            {
                toAdd.Add(tap);
            }
        }

        if (toAdd.Count == 0)
        {
            return originalBytes;
        }

        var edited = _model.Clone();
        var known = edited.Graph.ValueInfo.ToDictionary(v => v.Name, StringComparer.Ordinal);
        foreach (var tap in toAdd)
        {
            edited.Graph.Output.Add(known.TryGetValue(tap, out var info) ? info.Clone() : new ValueInfoProto { Name = tap });
        }

        return edited.ToByteArray();
    }

    /// <summary>The existing names closest to <paramref name="name"/>: substring matches first, then by edit distance.</summary>
    public IReadOnlyList<string> Nearest(string name, int count)
    {
        var all = TapNames.Distinct(StringComparer.Ordinal).ToList();
        return [.. all
            .Select(n => (Name: n, Contains: n.Contains(name, StringComparison.OrdinalIgnoreCase) || name.Contains(n, StringComparison.OrdinalIgnoreCase), Distance: EditDistance(name, n)))
            .OrderByDescending(x => x.Contains)
            .ThenBy(x => x.Distance)
            .ThenBy(x => x.Name, StringComparer.Ordinal)
            .Take(count)
            .Select(x => x.Name)];
    }

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
