namespace Nas.Sandbox.Abstractions;

/// <summary>
/// The objective of a race as a strategy may know it. <see cref="Text"/> is the race's <c>--objective</c>, e.g.
/// <c>accuracy</c>, <c>accuracy-0.5*params</c> or <c>pareto:accuracy,params</c>. In a Pareto race
/// <see cref="Components"/> names the entries of <see cref="Trial.Objectives"/> in order; each is maximised, so a cost
/// appears negated (<c>-params</c>: minus the parameters in millions). A single-objective race has one component, the
/// scalar <see cref="Trial.Objective"/>.
/// </summary>
public sealed record ObjectiveDescription(string Text, IReadOnlyList<string> Components, bool IsPareto)
{
    /// <summary>The default race: maximise validation accuracy.</summary>
    public static readonly ObjectiveDescription Accuracy = new("accuracy", ["accuracy"], false);
}
