// throws-in-ask.csx — every Ask throws: each one is a failed ask (`ask` phase), charged one evaluation of the budget.
public sealed class ThrowsInAsk : IStrategy
{
    public Architecture Ask(SearchContext context) =>
        throw new InvalidOperationException($"hostile: Ask #{context.AskIndex} refuses to answer");

    public void Tell(Trial trial) { }
}
