namespace ArdMl.Activations;

/// <summary>
/// Receives a copy of every model input an <see cref="ActivationExtractor"/> builds, in run order, so a benchmark can
/// replay exactly the same ONNX Runtime work without the extractor around it.
/// </summary>
internal interface IModelInputRecorder
{
    /// <summary>One batched windows run: the input values and their shape.</summary>
    void RecordWindows(ReadOnlySpan<float> input, long[] shape);

    /// <summary>One run of the separate mel model on a clip's scaled samples.</summary>
    void RecordMel(float[] scaled);

    /// <summary>The start of a group of clips run together through a recurrent model (state starts from zero).</summary>
    void StartRecurrentGroup(int batch);

    /// <summary>One step of a recurrent group: the chunk input and its shape (the state comes from the step before).</summary>
    void RecordRecurrentStep(float[] input, long[] shape);
}
