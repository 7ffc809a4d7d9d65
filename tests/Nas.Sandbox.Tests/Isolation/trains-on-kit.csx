// Touches the race's training kit at every 3rd ask (reads its seed and batch size, which loads no data), so the
// referee charges those asks' wall time as search time, wherever the contestant runs.
public sealed class TrainsOnKit : IStrategy
{
    public Architecture Ask(SearchContext context)
    {
        if (context.AskIndex % 3 == 0 && context.Training is { } kit && kit.Seed != 0 && kit.BatchSize > 0)
            System.Threading.Thread.Sleep(5);
        return context.Space.Sample(context.Random);
    }

    public void Tell(Trial trial) { }
}
