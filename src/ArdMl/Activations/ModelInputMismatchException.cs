namespace ArdMl.Activations;

/// <summary>A model's inputs or outputs do not match its description; the message names the tensor, expected and actual.</summary>
public sealed class ModelInputMismatchException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModelInputMismatchException(string model, string tensor, string expected, string actual)
        : base($"Model '{model}', tensor '{tensor}': the description expects {expected} but the model has {actual}.")
    {
        Tensor = tensor;
        Expected = expected;
        Actual = actual;
    }

    /// <summary>The tensor name.</summary>
    public string Tensor { get; }

    /// <summary>What the description says.</summary>
    public string Expected { get; }

    /// <summary>What the model has.</summary>
    public string Actual { get; }
}
