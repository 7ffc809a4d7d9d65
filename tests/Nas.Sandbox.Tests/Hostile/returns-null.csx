// returns-null.csx — every Ask answers null, which is no architecture: a failed ask.
public sealed class ReturnsNull : IStrategy
{
    public Architecture Ask(SearchContext context) => null!;

    public void Tell(Trial trial) { }
}
