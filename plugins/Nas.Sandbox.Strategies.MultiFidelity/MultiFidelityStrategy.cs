using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Strategies.MultiFidelity;

/// <summary>
/// What the strategies of this pack share: they remember the trials told, and nothing else (each ask rebuilds its
/// bookkeeping from those and <see cref="SearchContext.Pending"/>, see <see cref="Ledger"/>); without a ladder of two
/// rungs or more they search at random at the race's fidelity (rung null, the top). <see cref="IParallelStrategy.MaxInFlight"/>
/// stays unlimited, since none of them needs a result before it can hand out more work, except DEHB's, which is 1
/// (see <see cref="Dehb"/>).
/// </summary>
public abstract class MultiFidelityStrategy : IMultiFidelityStrategy
{
    private readonly int? _eta;
    private readonly List<Trial> _told = [];

    /// <param name="eta">The reduction factor; null: derived from the ladder at each ask.</param>
    private protected MultiFidelityStrategy(int? eta) => _eta = eta;

    public TrialAsk AskTrial(SearchContext context)
    {
        var ladder = Ladder.Of(context, _eta);
        return ladder.HasRungs
            ? Ask(context, ladder, Ledger.Build(_told, context.Pending, ladder))
            : Fresh.WithoutLadder(context, _told);
    }

    public void Tell(Trial trial) => _told.Add(trial);

    /// <summary>The next trial on a ladder of two rungs or more, from every trial so far (told and in flight, by index).</summary>
    private protected abstract TrialAsk Ask(SearchContext context, Ladder ladder, IReadOnlyList<Entry> entries);
}
