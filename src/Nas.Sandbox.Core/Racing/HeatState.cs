namespace Nas.Sandbox.Core.Racing;

/// <summary>
/// The contestants of the heat being run and whose turn is next. Turns go round in order, one trial each, so
/// partial standings are fair at every moment; contestants that joined mid-heat take their turns at the end of
/// the round.
/// </summary>
internal sealed class HeatState(List<ContestantRun> contestants)
{
    private int _next;

    public List<ContestantRun> Contestants { get; private set; } = contestants;

    public ContestantRun? NextTurn(Func<ContestantRun, bool> canPlay)
    {
        for (int i = 0; i < Contestants.Count; i++)
        {
            int index = (_next + i) % Contestants.Count;
            if (!canPlay(Contestants[index]))
                continue;
            _next = index + 1;
            return Contestants[index];
        }
        return null;
    }

    public void Remove(string label)
    {
        int index = Contestants.FindIndex(c => c.Label == label);
        if (index < 0)
            return;
        Contestants.RemoveAt(index);
        if (index < _next)
            _next--;
    }

    public void Reset(List<ContestantRun> contestants) => (Contestants, _next) = (contestants, 0);
}
