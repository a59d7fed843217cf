using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace ArdMl.Steering;

/// <summary>
/// Cuts an ONNX model at an internal value (the tap) by graph surgery on its <see cref="ModelProto"/>.
/// Node sets come from reachability. The suffix holds the nodes that depend on the tap (transitively, counting values
/// a node's subgraphs — <c>If</c>/<c>Loop</c>/<c>Scan</c> bodies — read from the outer scope) and are needed for an
/// output, plus copies of the constant nodes they read (nodes that depend on no graph input and draw no random
/// numbers). The prefix holds the nodes needed for the tap, for the other values the suffix reads from it, and for
/// the outputs that do not depend on the tap. Each half keeps the initializers its nodes read, the model's IR version,
/// opset imports, functions and metadata, and the <c>value_info</c> of its values. Every value crossing the cut
/// becomes a prefix output and a suffix input; where the model does not record a crossing value's type, it is taken
/// from ONNX Runtime's type inference on the prefix. Models whose tensors live in external data files are not
/// supported by <see cref="SplitModelSession"/> (it loads the halves from memory).
/// </summary>
public static class OnnxModelSplitter
{
    /// <summary>Operators whose outputs must not be recomputed in the suffix (copies would draw different values).</summary>
    private static readonly HashSet<string> NondeterministicOps =
        ["RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "Multinomial", "Bernoulli"];

    /// <summary>Splits the model file at <paramref name="modelPath"/> at the value <paramref name="tapName"/>.</summary>
    public static OnnxModelSplit Split(string modelPath, string tapName)
    {
        ArgumentNullException.ThrowIfNull(modelPath);
        if (!File.Exists(modelPath))
        {
            throw new FileNotFoundException($"ONNX model '{modelPath}' does not exist.", modelPath);
        }

        return Split(File.ReadAllBytes(modelPath), tapName, modelPath);
    }

    /// <summary>Splits a serialised model; <paramref name="sourceName"/> names it in errors.</summary>
    public static OnnxModelSplit Split(byte[] modelBytes, string tapName, string sourceName = "model")
    {
        ArgumentNullException.ThrowIfNull(modelBytes);
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(modelBytes);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"{sourceName} is not a valid ONNX model: {e.Message}", e);
        }

        return Split(model, tapName, sourceName);
    }

    /// <summary>Splits <paramref name="model"/> (left unchanged) at the value <paramref name="tapName"/>.</summary>
    /// <exception cref="ArgumentException">The tap is not a value computed by a node, or nothing depends on it.</exception>
    public static OnnxModelSplit Split(ModelProto model, string tapName, string sourceName = "model")
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(tapName);
        var graph = model.Graph ?? throw new InvalidDataException($"{sourceName} has no graph.");
        var nodes = graph.Node;
        var initializers = graph.Initializer.Select(t => t.Name).Concat(graph.SparseInitializer.Select(s => s.Values.Name)).ToHashSet(StringComparer.Ordinal);
        var originalInputs = graph.Input.Select(i => i.Name).Where(n => !initializers.Contains(n)).ToList();
        var originalOutputs = graph.Output.Select(o => o.Name).ToList();

        var producer = new Dictionary<string, int>(StringComparer.Ordinal);
        var reads = new List<string>[nodes.Count];
        for (int n = 0; n < nodes.Count; n++)
        {
            foreach (var output in nodes[n].Output.Where(o => o.Length > 0))
            {
                producer[output] = n;
            }

            reads[n] = [.. nodes[n].Input.Where(i => i.Length > 0).Concat(OuterScopeReads(nodes[n])).Distinct(StringComparer.Ordinal)];
        }

        if (!producer.ContainsKey(tapName))
        {
            var kind = originalInputs.Contains(tapName) ? "a graph input" : initializers.Contains(tapName) ? "an initializer" : "not a value of the graph";
            throw new ArgumentException(
                $"{sourceName}: the tap '{tapName}' is {kind}; it must be a value computed by a node (for example '{nodes.LastOrDefault(n => n.Output.Count > 0)?.Output[0]}').",
                nameof(tapName));
        }

        // Nodes that depend on the tap (ONNX requires nodes in topological order, so one pass suffices).
        var downstream = new bool[nodes.Count];
        var tainted = new HashSet<string>(StringComparer.Ordinal) { tapName };
        for (int n = 0; n < nodes.Count; n++)
        {
            MarkDownstream(n);
        }

        // Nodes needed for an output or the tap.
        var needed = new bool[nodes.Count];
        var stack = new Stack<string>(originalOutputs.Append(tapName));
        var visited = new HashSet<string>(StringComparer.Ordinal);
        while (stack.Count > 0)
        {
            var value = stack.Pop();
            if (!visited.Add(value) || !producer.TryGetValue(value, out var n) || needed[n])
            {
                continue;
            }

            needed[n] = true;
            foreach (var input in reads[n])
            {
                stack.Push(input);
            }
        }

        if (!Enumerable.Range(0, nodes.Count).Any(n => needed[n] && downstream[n]))
        {
            throw new ArgumentException(
                $"{sourceName}: no output depends on the tap '{tapName}'; there is nothing to run after it.", nameof(tapName));
        }

        // Constant nodes (reading no graph input, directly or through other nodes) that the suffix needs are copied
        // into the suffix rather than exposed as crossing values.
        var constant = new bool[nodes.Count];
        for (int n = 0; n < nodes.Count; n++)
        {
            constant[n] = !NondeterministicOps.Contains(nodes[n].OpType) && reads[n].All(v => (initializers.Contains(v) && !originalInputs.Contains(v))
                || (producer.TryGetValue(v, out var p) && p < n && constant[p]));
        }

        var inSuffix = Enumerable.Range(0, nodes.Count).Select(n => needed[n] && downstream[n]).ToArray();
        for (int n = nodes.Count - 1; n >= 0; n--)
        {
            if (!inSuffix[n])
            {
                continue;
            }

            foreach (var value in reads[n])
            {
                if (producer.TryGetValue(value, out var p) && constant[p] && !inSuffix[p])
                {
                    inSuffix[p] = true;
                }
            }
        }

        var suffixNodes = Enumerable.Range(0, nodes.Count).Where(n => inSuffix[n]).ToList();

        var suffixProduced = suffixNodes.SelectMany(n => nodes[n].Output).Where(o => o.Length > 0).ToHashSet(StringComparer.Ordinal);
        var crossing = new List<string>();
        var suffixOriginalInputs = new List<string>();
        var suffixInitializers = new HashSet<string>(StringComparer.Ordinal);
        foreach (var value in suffixNodes.SelectMany(n => reads[n]))
        {
            if (value == tapName || suffixProduced.Contains(value))
            {
                continue;
            }

            if (producer.ContainsKey(value))
            {
                if (!crossing.Contains(value))
                {
                    crossing.Add(value);
                }
            }
            else if (initializers.Contains(value))
            {
                suffixInitializers.Add(value);
            }
            else if (originalInputs.Contains(value))
            {
                if (!suffixOriginalInputs.Contains(value))
                {
                    suffixOriginalInputs.Add(value);
                }
            }
            else
            {
                throw new InvalidDataException($"{sourceName}: value '{value}' is read but neither computed, an input nor an initializer.");
            }
        }

        suffixOriginalInputs = [.. originalInputs.Where(suffixOriginalInputs.Contains)];
        var suffixOutputs = originalOutputs.Where(suffixProduced.Contains).ToList();
        var passThrough = originalOutputs.Where(o => !suffixProduced.Contains(o)).ToList();
        foreach (var output in passThrough)
        {
            if (!producer.ContainsKey(output))
            {
                throw new NotSupportedException(
                    $"{sourceName}: output '{output}' is a graph input or initializer passed straight through; such models cannot be split.");
            }
        }

        var prefixOutputNames = new List<string> { tapName };
        prefixOutputNames.AddRange(crossing);
        prefixOutputNames.AddRange(passThrough.Where(o => !prefixOutputNames.Contains(o)));

        // The prefix: the nodes its outputs need (none of them depends on the tap).
        var inPrefix = new bool[nodes.Count];
        var pending = new Stack<string>(prefixOutputNames);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (pending.Count > 0)
        {
            var value = pending.Pop();
            if (seen.Add(value) && producer.TryGetValue(value, out var n) && !inPrefix[n])
            {
                inPrefix[n] = true;
                foreach (var input in reads[n])
                {
                    pending.Push(input);
                }
            }
        }

        var prefixNodes = Enumerable.Range(0, nodes.Count).Where(n => inPrefix[n]).ToList();
        var prefixReads = prefixNodes.SelectMany(n => reads[n]).ToHashSet(StringComparer.Ordinal);
        var types = KnownTypes(graph);

        var prefix = NewModel(model);
        prefix.Graph.Name = graph.Name + "_prefix";
        prefix.Graph.Node.AddRange(prefixNodes.Select(n => nodes[n].Clone()));
        prefix.Graph.Input.AddRange(graph.Input.Where(i => prefixReads.Contains(i.Name)).Select(i => i.Clone()));
        prefix.Graph.Initializer.AddRange(graph.Initializer.Where(t => prefixReads.Contains(t.Name)).Select(t => t.Clone()));
        prefix.Graph.SparseInitializer.AddRange(graph.SparseInitializer.Where(t => prefixReads.Contains(t.Values.Name)).Select(t => t.Clone()));
        var prefixProduced = prefixNodes.SelectMany(n => nodes[n].Output).ToHashSet(StringComparer.Ordinal);
        prefix.Graph.ValueInfo.AddRange(graph.ValueInfo.Where(v => prefixProduced.Contains(v.Name) && !prefixOutputNames.Contains(v.Name)).Select(v => v.Clone()));
        prefix.Graph.Output.AddRange(prefixOutputNames.Select(name => types.TryGetValue(name, out var info) ? info.Clone() : new ValueInfoProto { Name = name }));

        var missingTypes = prefix.Graph.Output.Where(o => o.Type?.TensorType is null || o.Type.TensorType.ElemType == 0).ToList();
        if (missingTypes.Count > 0)
        {
            InferTypes(prefix, missingTypes, sourceName);
        }

        var prefixTypes = prefix.Graph.Output.ToDictionary(o => o.Name, StringComparer.Ordinal);
        var suffix = NewModel(model);
        suffix.Graph.Name = graph.Name + "_suffix";
        suffix.Graph.Node.AddRange(suffixNodes.Select(n => nodes[n].Clone()));
        suffix.Graph.Input.Add(prefixTypes[tapName].Clone());
        suffix.Graph.Input.AddRange(crossing.Select(c => prefixTypes[c].Clone()));
        suffix.Graph.Input.AddRange(graph.Input.Where(i => suffixOriginalInputs.Contains(i.Name)).Select(i => i.Clone()));
        suffix.Graph.Input.AddRange(graph.Input.Where(i => initializers.Contains(i.Name) && suffixInitializers.Contains(i.Name)).Select(i => i.Clone()));
        suffix.Graph.Initializer.AddRange(graph.Initializer.Where(t => suffixInitializers.Contains(t.Name)).Select(t => t.Clone()));
        suffix.Graph.SparseInitializer.AddRange(graph.SparseInitializer.Where(t => suffixInitializers.Contains(t.Values.Name)).Select(t => t.Clone()));
        suffix.Graph.ValueInfo.AddRange(graph.ValueInfo.Where(v => suffixProduced.Contains(v.Name) && !originalOutputs.Contains(v.Name)).Select(v => v.Clone()));
        suffix.Graph.Output.AddRange(graph.Output.Where(o => suffixProduced.Contains(o.Name)).Select(o => o.Clone()));
        prefix.Graph.Input.AddRange(graph.Input.Where(i => initializers.Contains(i.Name) && prefixReads.Contains(i.Name) && prefix.Graph.Input.All(p => p.Name != i.Name)).Select(i => i.Clone()));

        return new OnnxModelSplit(prefix, suffix, tapName, crossing, suffixOriginalInputs, passThrough, suffixOutputs, originalInputs, originalOutputs);

        void MarkDownstream(int n)
        {
            if (!downstream[n] && reads[n].Any(tainted.Contains))
            {
                downstream[n] = true;
                foreach (var output in nodes[n].Output.Where(o => o.Length > 0))
                {
                    tainted.Add(output);
                }
            }
        }
    }

    /// <summary>Names a node's subgraphs read from enclosing scopes (not defined inside the subgraph itself).</summary>
    private static IEnumerable<string> OuterScopeReads(NodeProto node)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        foreach (var attribute in node.Attribute)
        {
            if (attribute.G is { } g)
            {
                CollectOuterReads(g, result);
            }

            foreach (var sub in attribute.Graphs)
            {
                CollectOuterReads(sub, result);
            }
        }

        return result;
    }

    private static void CollectOuterReads(GraphProto graph, HashSet<string> result)
    {
        var defined = new HashSet<string>(StringComparer.Ordinal);
        defined.UnionWith(graph.Input.Select(i => i.Name));
        defined.UnionWith(graph.Initializer.Select(i => i.Name));
        defined.UnionWith(graph.SparseInitializer.Select(i => i.Values.Name));
        foreach (var node in graph.Node)
        {
            var nested = new HashSet<string>(StringComparer.Ordinal);
            foreach (var attribute in node.Attribute)
            {
                if (attribute.G is { } g)
                {
                    CollectOuterReads(g, nested);
                }

                foreach (var sub in attribute.Graphs)
                {
                    CollectOuterReads(sub, nested);
                }
            }

            foreach (var input in node.Input.Where(i => i.Length > 0).Concat(nested))
            {
                if (!defined.Contains(input))
                {
                    result.Add(input);
                }
            }

            defined.UnionWith(node.Output);
        }

        foreach (var output in graph.Output.Where(o => !defined.Contains(o.Name)))
        {
            result.Add(output.Name);
        }
    }

    private static Dictionary<string, ValueInfoProto> KnownTypes(GraphProto graph)
    {
        var types = new Dictionary<string, ValueInfoProto>(StringComparer.Ordinal);
        foreach (var info in graph.ValueInfo.Concat(graph.Output).Concat(graph.Input))
        {
            if (info.Type?.TensorType is { ElemType: > 0 })
            {
                types[info.Name] = info;
            }
        }

        return types;
    }

    private static ModelProto NewModel(ModelProto model)
    {
        var copy = new ModelProto
        {
            IrVersion = model.IrVersion,
            ProducerName = model.ProducerName,
            ProducerVersion = model.ProducerVersion,
            Domain = model.Domain,
            ModelVersion = model.ModelVersion,
            DocString = model.DocString,
            Graph = new GraphProto(),
        };
        copy.OpsetImport.AddRange(model.OpsetImport.Select(o => o.Clone()));
        copy.MetadataProps.AddRange(model.MetadataProps.Select(p => p.Clone()));
        copy.Functions.AddRange(model.Functions.Select(f => f.Clone()));
        return copy;
    }

    /// <summary>Fills the element type (and the known dimensions) of outputs the model leaves untyped.</summary>
    private static void InferTypes(ModelProto prefix, List<ValueInfoProto> untyped, string sourceName)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        using var session = new InferenceSession(Google.Protobuf.MessageExtensions.ToByteArray(prefix), options);
        foreach (var output in untyped)
        {
            if (!session.OutputMetadata.TryGetValue(output.Name, out var meta) || !meta.IsTensor)
            {
                throw new InvalidDataException(
                    $"{sourceName}: ONNX Runtime could not infer a tensor type for the crossing value '{output.Name}'.");
            }

            var shape = new TensorShapeProto();
            for (int i = 0; i < meta.Dimensions.Length; i++)
            {
                var dim = new TensorShapeProto.Types.Dimension();
                if (meta.Dimensions[i] > 0)
                {
                    dim.DimValue = meta.Dimensions[i];
                }
                else if (!string.IsNullOrEmpty(meta.SymbolicDimensions[i]))
                {
                    dim.DimParam = meta.SymbolicDimensions[i];
                }

                shape.Dim.Add(dim);
            }

            output.Type = new TypeProto
            {
                TensorType = new TypeProto.Types.Tensor { ElemType = (int)meta.ElementDataType, Shape = shape },
            };
        }
    }
}
