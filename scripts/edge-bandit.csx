// edge-bandit.csx — one UCB1 bandit per edge, each choosing that edge's operation.
//
// The idea: treat every edge of the cell as an independent multi-armed bandit whose arms are the operations. Each ask
// builds an architecture by letting every edge pick the operation with the highest upper confidence bound
//     mean reward(op) + c · sqrt(ln n / n_op)
// (UCB1, Auer, Cesa-Bianchi & Fischer, "Finite-time Analysis of the Multiarmed Bandit Problem", 2002), where the reward
// of a trial is the race's objective, trial.Objective (validation accuracy by default; 0 for a failed trial), n is the number of trials so far and n_op the number
// that used op on this edge. An operation never tried on an edge is tried first. Assuming edges act independently is
// wrong in general but cheap and a useful baseline; it is the bandit view behind e.g. Li et al. (2018) and the
// per-edge sampling distributions of GDAS/ENAS-style methods.
//
// How to read it as a how-to:
//  * A strategy with a knob is published through an IStrategyFactory: `--strategy edge-bandit:exploration=1.0`.
//    KnobValues has already checked the knob name; GetDouble checks the value and names the knob on error.
//  * The bandit's statistics are sums over Tell calls only, and ties are broken with context.Random, so an instance
//    rebuilt by replaying Tell asks exactly what the original would have.
//  * A repeat of an architecture is served from the contestant's cache but still costs one evaluation of the budget
//    and teaches nothing new, so when the bandits' favourite was already evaluated the strategy deviates on the edge
//    where that costs the least score (and samples at random if every such neighbour was evaluated too).

public sealed class EdgeBanditFactory : IStrategyFactory
{
    public string Name => "edge-bandit";
    public string Description =>
        "One UCB1 bandit per edge over its operations, reward = the race's objective (Auer et al. 2002).";
    public IReadOnlyList<Knob> Knobs { get; } =
    [new("exploration", "0.5", "c in mean + c·sqrt(ln n / n_op); 0 = greedy, sqrt(2) = classic UCB1")];

    public IStrategy Create(KnobValues knobs) => new EdgeBandit(knobs.GetDouble("exploration", min: 0, max: 100));
}

public sealed class EdgeBandit(double exploration) : IStrategy
{
    private const int MaxRedraws = 100;

    // Per edge: operation → (times chosen, sum of rewards).
    private readonly List<Dictionary<string, (int Count, double Sum)>> _arms = [];
    private readonly HashSet<Architecture> _evaluated = [];
    private int _trials;

    public Architecture Ask(SearchContext context)
    {
        var space = context.Space;
        var ranked = Enumerable
            .Range(0, space.ChoiceCount)
            .Select(edge => Rank(edge, space.Operations, context.Random))
            .ToArray();
        var favourite = space.FromChoices(ranked.Select(r => r[0].Op).ToArray());
        if (!_evaluated.Contains(favourite))
            return favourite;

        // The bandits' favourite was already paid for, and a repeat costs budget but teaches nothing new: deviate on
        // the one edge where the runner-up operation loses the least score.
        var deviations =
            from edge in Enumerable.Range(0, ranked.Length)
            from option in ranked[edge].Skip(1)
            let loss = ranked[edge][0].Score == option.Score ? 0 : ranked[edge][0].Score - option.Score
            orderby loss
            select (edge, option.Op);
        foreach (var (edge, op) in deviations)
        {
            var choices = favourite.Choices.ToArray();
            choices[edge] = op;
            var candidate = space.FromChoices(choices);
            if (!_evaluated.Contains(candidate))
                return candidate;
        }
        var sample = space.Sample(context.Random);
        for (int i = 0; i < MaxRedraws && _evaluated.Contains(sample); i++)
            sample = space.Sample(context.Random);
        return sample;
    }

    public void Tell(Trial trial)
    {
        double reward = trial.Status == TrialStatus.Ok ? trial.Objective ?? 0 : 0;
        _trials++;
        _evaluated.Add(trial.Architecture);
        for (int edge = 0; edge < trial.Architecture.Choices.Count; edge++)
        {
            while (_arms.Count <= edge)
                _arms.Add([]);
            string op = trial.Architecture.Choices[edge];
            var (count, sum) = _arms[edge].GetValueOrDefault(op);
            _arms[edge][op] = (count + 1, sum + reward);
        }
    }

    // The edge's operations by UCB1 score, best first; an operation never tried on the edge scores +∞ (tried first).
    // Shuffled before the (stable) sort, so ties are broken at random, from this ask's context.Random.
    private List<(string Op, double Score)> Rank(int edge, IReadOnlyList<string> operations, Random random)
    {
        var arms = edge < _arms.Count ? _arms[edge] : [];
        var scored = operations
            .Select(op =>
                (
                    Op: op,
                    Score: arms.TryGetValue(op, out var arm) && arm.Count > 0
                        ? arm.Sum / arm.Count + exploration * Math.Sqrt(Math.Log(_trials) / arm.Count)
                        : double.PositiveInfinity
                )
            )
            .ToList();
        for (int i = scored.Count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (scored[i], scored[j]) = (scored[j], scored[i]);
        }
        return scored.OrderByDescending(s => s.Score).ToList();
    }
}
