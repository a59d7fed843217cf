namespace ArdMl.Evaluation;

/// <summary>A decision threshold chosen on held-out clips and the F1 it reached there.</summary>
/// <param name="Threshold">A clip is predicted positive when its score is ≥ this value; +∞ predicts nothing.</param>
/// <param name="HeldOutF1">F1 of that rule on the held-out clips.</param>
public sealed record ThresholdChoice(double Threshold, double HeldOutF1);
