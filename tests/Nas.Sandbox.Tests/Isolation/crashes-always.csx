// A hostile contestant for --isolation process: its process exits at every ask.
public sealed class CrashesAlways : IStrategy
{
    public Architecture Ask(SearchContext context)
    {
        System.Environment.Exit(7);
        return null!;
    }

    public void Tell(Trial trial) { }
}
