using System.Globalization;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Spaces;
using static Nas.Sandbox.Tests.StrategyTestKit;

namespace Nas.Sandbox.Tests;

/// <summary>
/// The multi-fidelity pack's strategies (successive halving, Hyperband, ASHA, BOHB) driven directly, without a referee,
/// on a synthetic learning curve: accuracy = quality(cell) · (1 − e^(−epochs/3)) plus a little deterministic noise, where
/// a cell's quality is the mean of its operations' (3×3 convolutions best, none worst). Each test checks what the paper
/// says the algorithm does, on the ladder 1, 3, 9 epochs unless it says otherwise.
/// </summary>
public sealed class MultiFidelityStrategyTests
{
    private static readonly Nb201Space Space = new();
    private static readonly int[] Ladder = [1, 3, 9];

    private static readonly Dictionary<string, double> OperationQuality = new()
    {
        ["none"] = 0.1,
        ["skip_connect"] = 0.45,
        ["nor_conv_1x1"] = 0.7,
        ["nor_conv_3x3"] = 0.95,
        ["avg_pool_3x3"] = 0.35,
    };

    /// <summary>What the cell reaches fully trained: its operations' mean, plus a small offset so that no two tie.</summary>
    private static double Quality(Architecture architecture) =>
        architecture.Choices.Average(c => OperationQuality[c]) + 0.02 * (HashScore(architecture) - 0.5);

    private static double Accuracy(Architecture architecture, int epochs)
    {
        double noise =
            (StableHash.Of('|', architecture.Key, epochs.ToString(CultureInfo.InvariantCulture)) % 1000) / 1000.0 - 0.5;
        return Quality(architecture) * (1 - Math.Exp(-epochs / 3.0)) + 0.002 * noise;
    }

    private static IMultiFidelityStrategy Create(string strategy, params (string Knob, string Value)[] knobs) =>
        (IMultiFidelityStrategy)StrategyTestKit.Create(strategy, knobs);

    /// <summary>
    /// A strategy with the trials it asked for in flight until told, as a race keeps them: asks see them in
    /// <see cref="SearchContext.Pending"/>, and a trial comes back at the rung (and with the parent) it was asked with.
    /// </summary>
    private sealed class Driver(IMultiFidelityStrategy strategy, int[] ladder, int seed = 1)
    {
        public List<PendingTrial> Pending { get; } = [];
        public List<Trial> Told { get; } = [];
        public List<TrialAsk> Asks { get; } = [];

        /// <summary>How many trials had come back when each ask was made.</summary>
        public List<int> ToldAtAsk { get; } = [];

        /// <summary>The heat's epoch budget the strategy is shown (<see cref="SearchContext.EpochBudget"/>); null: none.</summary>
        public double? EpochBudget { get; init; }

        /// <summary>Epochs the trials told so far paid, as the race charges them: a continuation only its extra epochs.</summary>
        public double EpochsPaid { get; private set; }

        public TrialAsk Ask()
        {
            int index = Asks.Count;
            ToldAtAsk.Add(Told.Count);
            var ask = strategy.AskTrial(
                new SearchContext
                {
                    Space = Space,
                    Random = new Random(seed * 100_003 + index),
                    AskIndex = index,
                    Pending = Pending.ToArray(),
                    Fidelities = ladder,
                    EpochBudget = EpochBudget,
                    EpochsUsed = EpochsPaid,
                }
            );
            Asks.Add(ask);
            Pending.Add(
                new PendingTrial
                {
                    Index = index,
                    Architecture = ask.Architecture,
                    Rung = ask.Rung,
                    Continues = ask.Continues,
                }
            );
            return ask;
        }

        /// <summary>
        /// Evaluates trial <paramref name="index"/> on the learning curve (or gives it <paramref name="objective"/>, or
        /// fails it) and tells the strategy.
        /// </summary>
        public Trial Tell(int index, bool fail = false, double? objective = null)
        {
            var pending = Pending.Single(p => p.Index == index);
            Pending.Remove(pending);
            int epochs = ladder.Length == 0 ? 9 : ladder[pending.Rung ?? ladder.Length - 1];
            double accuracy = objective ?? Accuracy(pending.Architecture, epochs);
            var trial = new Trial
            {
                Index = index,
                Architecture = pending.Architecture,
                Status = fail ? TrialStatus.Failed : TrialStatus.Ok,
                Metrics = fail ? new Metrics() : new Metrics { ValidationAccuracy = accuracy },
                Objective = fail ? null : accuracy,
                CostSeconds = 1,
                Rung = pending.Rung,
                Continues = pending.Continues,
            };
            Told.Add(trial);
            strategy.Tell(trial);
            int parentEpochs = Told.FirstOrDefault(t => t.Index == pending.Continues) is { Rung: int parentRung }
                ? ladder[parentRung]
                : 0;
            EpochsPaid += epochs - parentEpochs;
            return trial;
        }

        public void TellAll(Func<int, bool>? fail = null)
        {
            foreach (var pending in Pending.ToArray())
                Tell(pending.Index, fail?.Invoke(pending.Index) ?? false);
        }

        /// <summary>
        /// Runs <paramref name="trials"/> trials with <paramref name="workers"/> in flight, results coming back in an order
        /// a seeded scheduler picks (one worker: ask, tell, ask …).
        /// </summary>
        public void Run(int trials, int workers, Func<int, bool>? fail = null, int schedulerSeed = 5)
        {
            var scheduler = new Random(schedulerSeed);
            while (Asks.Count < trials || Pending.Count > 0)
            {
                while (Asks.Count < trials && Pending.Count < workers)
                    Ask();
                int index = Pending[scheduler.Next(Pending.Count)].Index;
                Tell(index, fail?.Invoke(index) ?? false);
            }
        }

        /// <summary>
        /// Runs until <paramref name="epochs"/> are paid, as a race with that epoch budget does: it asks while the trials
        /// that came back have paid less than the budget, so the last trials may run over it.
        /// </summary>
        public void RunUntilPaid(double epochs, int workers, int schedulerSeed = 5)
        {
            var scheduler = new Random(schedulerSeed);
            while (true)
            {
                while (Pending.Count < workers && EpochsPaid < epochs)
                    Ask();
                if (Pending.Count == 0)
                    return;
                Tell(Pending[scheduler.Next(Pending.Count)].Index);
            }
        }
    }

    private static string Shape(TrialAsk ask) => ask.Continues is null ? $"new@{ask.Rung}" : $"continue@{ask.Rung}";

    private static IEnumerable<Trial> Best(IEnumerable<Trial> trials, int count) =>
        trials.Where(t => t.Status == TrialStatus.Ok).OrderByDescending(t => t.Objective).Take(count);

    [Fact]
    public void Successive_halving_continues_exactly_the_best_third_of_a_full_rung_rung_after_rung()
    {
        var driver = new Driver(Create("successive-halving"), Ladder);
        for (int i = 0; i < 9; i++)
            driver.Ask().Should().Match<TrialAsk>(a => a.Rung == 0 && a.Continues == null);
        driver.Asks.Select(a => a.Architecture).Should().OnlyHaveUniqueItems();
        // The best cell by quality fails: a failed trial ranks last and is never continued.
        var failing = driver.Pending.MaxBy(p => Quality(p.Architecture))!.Index;
        driver.TellAll(index => index == failing);

        var promoted = Enumerable.Range(0, 3).Select(_ => driver.Ask()).ToArray();
        promoted.Should().OnlyContain(a => a.Rung == 1);
        promoted
            .Select(a => a.Continues)
            .Should()
            .Equal(Best(driver.Told, 3).Select(t => (int?)t.Index), "the best 3 of 9 ok trials, best first");
        // The bracket waits for its rung 1: a free worker starts the next bracket instead.
        driver.Ask().Should().Match<TrialAsk>(a => a.Rung == 0 && a.Continues == null);

        foreach (var ask in promoted)
            driver.Tell(driver.Pending.Single(p => p.Continues == ask.Continues).Index);
        var rungOne = driver.Told.Where(t => t.Rung == 1);
        var top = driver.Ask();
        top.Rung.Should().Be(2);
        top.Continues.Should().Be(Best(rungOne, 1).Single().Index);
        // The first bracket is done with its one top-rung trial; the second still fills its first rung.
        driver.Ask().Should().Match<TrialAsk>(a => a.Rung == 0 && a.Continues == null);
    }

    [Fact]
    public void A_bracket_rung_with_fewer_ok_trials_than_the_next_rung_holds_promotes_only_those()
    {
        var driver = new Driver(Create("successive-halving"), Ladder);
        for (int i = 0; i < 9; i++)
            driver.Ask();
        driver.TellAll(index => index != 4);
        driver.Ask().Should().Be(TrialAsk.Continue(driver.Told.Single(t => t.Index == 4), 1)); // 9
        driver.Ask().Should().Match<TrialAsk>(a => a.Rung == 0 && a.Continues == null, "the only ok one went up"); // 10
        driver.Tell(9);
        driver.Ask().Should().Match<TrialAsk>(a => a.Rung == 2 && a.Continues == 9);

        // A rung without any ok trial ends its bracket: the next asks fill the next bracket.
        var failing = new Driver(Create("successive-halving"), Ladder);
        for (int i = 0; i < 9; i++)
            failing.Ask();
        failing.TellAll(_ => true);
        Enumerable.Range(0, 9).Select(_ => failing.Ask()).Should().OnlyContain(a => a.Rung == 0 && a.Continues == null);
    }

    [Fact]
    public void Successive_halving_derives_eta_and_n_from_the_ladder()
    {
        // η = round(2/1) = 2 and n = 2^3: 8 → 4 → 2 → 1.
        var driver = new Driver(Create("successive-halving"), [1, 2, 4, 8]);
        driver.Run(trials: 16, workers: 1);
        driver
            .Asks.Take(15)
            .Select(Shape)
            .Should()
            .Equal(
                Enumerable
                    .Repeat("new@0", 8)
                    .Concat(Enumerable.Repeat("continue@1", 4))
                    .Concat(Enumerable.Repeat("continue@2", 2))
                    .Append("continue@3")
            );
        Shape(driver.Asks[15]).Should().Be("new@0", "then a new bracket");

        var knobbed = new Driver(Create("successive-halving", ("n", "4"), ("eta", "4")), Ladder);
        knobbed.Run(trials: 7, workers: 1);
        knobbed
            .Asks.Select(Shape)
            .Should()
            .Equal("new@0", "new@0", "new@0", "new@0", "continue@1", "continue@2", "new@0");
    }

    /// <summary>Hyperband's brackets on 1, 3, 9 (η = 3, s_max = 2): n = ⌈3/(s+1)·3^s⌉ at rung 2 − s, i.e. 9, 5, 3.</summary>
    private static readonly string[] HyperbandCycle =
    [
        .. Enumerable.Repeat("new@0", 9),
        .. Enumerable.Repeat("continue@1", 3),
        "continue@2",
        .. Enumerable.Repeat("new@1", 5),
        "continue@2",
        .. Enumerable.Repeat("new@2", 3),
    ];

    [Theory]
    [InlineData("hyperband")]
    [InlineData("bohb")]
    public void Hyperband_brackets_have_the_papers_sizes_on_the_ladder_1_3_9(string strategy)
    {
        var driver = new Driver(Create(strategy), Ladder);
        driver.Run(trials: 2 * HyperbandCycle.Length, workers: 1);
        driver
            .Asks.Select(Shape)
            .Should()
            .Equal(HyperbandCycle.Concat(HyperbandCycle), "the cycle of brackets repeats");
        // Within a bracket, the best of a rung are the ones continued.
        driver
            .Asks.Skip(9)
            .Take(3)
            .Select(a => a.Continues)
            .Should()
            .Equal(Best(driver.Told.Take(9), 3).Select(t => (int?)t.Index));
        driver.Asks[18].Continues.Should().Be(Best(driver.Told.Skip(13).Take(5), 1).Single().Index);
    }

    private static string[] HalvingBracket(int n) =>
        [.. Enumerable.Repeat("new@0", n), .. Enumerable.Repeat("continue@1", Math.Max(1, n / 3)), "continue@2"];

    [Fact]
    public void Successive_halving_fits_its_last_bracket_into_the_epoch_budget_so_that_it_reaches_the_top_rung()
    {
        // A bracket of 9 costs 9·1 + 3·2 + 1·6 = 21 epochs. With 60, two full brackets leave 18: the third starts 8
        // (8 + 2·2 + 6 = 18), and every epoch goes to a bracket that ends at 9 epochs.
        var fitted = new Driver(Create("successive-halving"), Ladder) { EpochBudget = 60 };
        fitted.RunUntilPaid(60, workers: 1);
        fitted.Asks.Select(Shape).Should().Equal([.. HalvingBracket(9), .. HalvingBracket(9), .. HalvingBracket(8)]);
        fitted.EpochsPaid.Should().Be(60);

        // Shown no budget, a race of 50 epochs cuts the third bracket off after its first 8 one-epoch cells: 8 epochs
        // that buy nothing, since the pick is the best at the highest rung reached.
        var unfitted = new Driver(Create("successive-halving"), Ladder);
        unfitted.RunUntilPaid(50, workers: 1);
        unfitted.Asks.Skip(26).Select(Shape).Should().Equal(Enumerable.Repeat("new@0", 8));

        // Fitted to 50: no bracket fits the 8 epochs left (a single cell climbing to the top costs 9), so the last ask
        // is one cell at the top rung, which the race lets run over the budget as any strategy's last trial.
        var tight = new Driver(Create("successive-halving"), Ladder) { EpochBudget = 50 };
        tight.RunUntilPaid(50, workers: 1);
        tight.Asks.Select(Shape).Should().Equal([.. HalvingBracket(9), .. HalvingBracket(9), "new@2"]);
        tight.Told.Count(t => t.Rung == 2).Should().Be(3).And.BeGreaterThan(unfitted.Told.Count(t => t.Rung == 2));
    }

    [Theory]
    [InlineData("hyperband")]
    [InlineData("bohb")]
    public void Hyperband_fits_its_brackets_into_the_epoch_budget_keeping_their_rungs(string strategy)
    {
        // The cycle costs 21 + 21 + 27 = 69 epochs. With 84, the next bracket (9 at 1 epoch, 21 epochs) has 15 left:
        // it starts 5 (5 + 2 + 6 = 13); the 2 epochs after it fit no climb, so the last ask is a cell at the top rung.
        var driver = new Driver(Create(strategy), Ladder) { EpochBudget = 84 };
        driver.RunUntilPaid(84, workers: 1);
        driver.Asks.Select(Shape).Should().Equal([.. HyperbandCycle, .. HalvingBracket(5), "new@2"]);
        driver.EpochsPaid.Should().Be(69 + 13 + 9);
    }

    /// <summary>DEHB's brackets on 1, 3, 9, sized as its code sizes them: n = ⌊3/(s+1)⌋·3^s at rung 2 − s, i.e. 9, 3, 3.</summary>
    private static readonly string[] DehbCycle =
    [
        .. Enumerable.Repeat("new@0", 9),
        .. Enumerable.Repeat("continue@1", 3),
        "continue@2",
        .. Enumerable.Repeat("new@1", 3),
        "continue@2",
        .. Enumerable.Repeat("new@2", 3),
    ];

    private static int?[] RungsOf(IEnumerable<string> shapes) =>
        [.. shapes.Select(shape => (int?)int.Parse(shape[^1..], CultureInfo.InvariantCulture))];

    [Fact]
    public void Dehb_runs_its_cycle_one_trial_at_a_time_promoting_in_its_first_iteration_and_evolving_after_it()
    {
        var strategy = Create("dehb");
        ((IParallelStrategy)strategy).MaxInFlight.Should().Be(1, "DEHB is the paper's sequential algorithm");
        var driver = new Driver(strategy, Ladder);
        driver.Run(trials: 2 * DehbCycle.Length, workers: 1);
        driver.Asks.Take(DehbCycle.Length).Select(Shape).Should().Equal(DehbCycle);
        // The first iteration promotes the best of the rung below, as successive halving does.
        driver
            .Asks.Skip(9)
            .Take(3)
            .Select(a => a.Continues)
            .Should()
            .Equal(Best(driver.Told.Take(9), 3).Select(t => (int?)t.Index));
        // After it, the brackets' rungs are the same, each filled with evolved cells: new ones, trained from the rung's
        // start, or cells that came back from a lower rung, continued from there.
        var second = driver.Asks.Skip(DehbCycle.Length).ToList();
        second.Select(a => a.Rung).Should().Equal(RungsOf(DehbCycle));
        second.Count(a => a.Continues is null).Should().BeGreaterThan(second.Count / 2, "most evolved cells are new");
        foreach (var ask in second.Where(a => a.Continues is not null))
            driver.Told.Single(t => t.Index == ask.Continues).Architecture.Should().Be(ask.Architecture);
        driver.Asks.Should().OnlyContain(a => Space.Contains(a.Architecture));
    }

    [Fact]
    public void Dehb_fits_its_brackets_into_the_epoch_budget_paying_new_cells_in_full_after_the_first_iteration()
    {
        // The first iteration costs 21 + 15 + 27 = 63 epochs. With 84, the next bracket, whose cells are all new (9, 3
        // and 1 at 1, 3 and 9 epochs: 9 + 9 + 9 = 27), has 21 left: it runs 6 → 2 → 1 (6 + 2·3 + 9 = 21; 7 would cost 22).
        var driver = new Driver(Create("dehb"), Ladder) { EpochBudget = 84 };
        driver.RunUntilPaid(84, workers: 1);
        driver.Asks.Select(a => a.Rung).Should().Equal([.. RungsOf(DehbCycle), 0, 0, 0, 0, 0, 0, 1, 1, 2]);
        driver.EpochsPaid.Should().BeLessThanOrEqualTo(84, "a cell continued from a lower rung pays less than planned");
    }

    [Fact]
    public void Dehb_evolves_better_new_cells_than_random_sampling_once_its_subpopulations_are_filled()
    {
        // Hyperband draws every new cell uniformly: the baseline DE has to beat. One worker each (DEHB asks one trial at
        // a time), new cells after DEHB's first iteration.
        double MeanAfterFirstIteration(string strategy, params (string Knob, string Value)[] knobs)
        {
            var qualities = new List<double>();
            for (int seed = 1; seed <= 4; seed++)
            {
                var driver = new Driver(Create(strategy, knobs), Ladder, seed);
                driver.Run(trials: 200, workers: 1);
                qualities.AddRange(
                    driver
                        .Asks.Skip(DehbCycle.Length)
                        .Where(a => a.Continues is null)
                        .Select(a => Quality(a.Architecture))
                );
            }
            return qualities.Average();
        }
        double random = MeanAfterFirstIteration("hyperband");
        double dehb = MeanAfterFirstIteration("dehb");
        double dehbWithoutCrossover = MeanAfterFirstIteration("dehb", ("crossover-rate", "0"));
        random.Should().BeInRange(0.46, 0.56, "uniform cells average the operations' qualities (0.51)");
        dehb.Should().BeGreaterThan(random + 0.1, "selection keeps the better cells and mutation recombines them");
        dehbWithoutCrossover
            .Should()
            .BeLessThan(dehb, "with CR = 0 a new cell is its target but for one coordinate: a slower search");
    }

    [Theory]
    [InlineData("successive-halving")]
    [InlineData("hyperband")]
    [InlineData("bohb")]
    public void With_several_workers_each_bracket_stays_synchronous_and_keeps_its_sizes(string strategy)
    {
        var driver = new Driver(Create(strategy), Ladder);
        driver.Run(trials: 300, workers: 6, fail: index => index % 11 == 4);
        var byIndex = driver.Told.ToDictionary(t => t.Index);
        var toldAt = driver.Told.Select((t, position) => (t.Index, position)).ToDictionary();
        var asked = driver.Asks.Select((ask, index) => (ask, index)).ToArray();
        // New cells fill the brackets in the order they start: 9 at rung 0 for successive halving, Hyperband's cycle
        // of 9 at rung 0, 5 at rung 1 and 3 at rung 2 otherwise.
        var sizes = strategy == "successive-halving" ? new[] { 9 } : [9, 5, 3];
        var brackets = new List<List<int>>();
        foreach (var (ask, index) in asked.Where(a => a.ask.Continues is null))
        {
            if (brackets.Count == 0 || brackets[^1].Count == sizes[(brackets.Count - 1) % sizes.Length])
                brackets.Add([]);
            brackets[^1].Add(index);
        }
        brackets.Should().HaveCountGreaterThan(4, "free workers start new brackets");
        int checkedRungs = 0;
        foreach (var (bracket, number) in brackets.SkipLast(3).Select((b, n) => (b, n))) // the last may not be over
        {
            int baseRung = strategy == "successive-halving" ? 0 : number % 3;
            var rung = bracket;
            for (int level = 1; level < Ladder.Length - baseRung; level++)
            {
                var children = asked.Where(a => a.ask.Continues is int p && rung.Contains(p)).ToArray();
                var ok = rung.Select(i => byIndex[i]).Where(t => t.Status == TrialStatus.Ok).ToArray();
                int expected = Math.Min(bracket.Count / (int)Math.Pow(3, level), ok.Length);
                children
                    .Select(c => c.ask.Continues)
                    .Should()
                    .BeEquivalentTo(
                        Best(ok, expected).Select(t => (int?)t.Index),
                        $"bracket of {bracket.Count} at level {level}: the best ⌊n/η^i⌋ ok trials of the rung below"
                    );
                // Synchronous: a rung is ranked, and continued, only once every one of its trials has come back.
                foreach (var (_, child) in children)
                    rung.Should().OnlyContain(i => toldAt[i] < driver.ToldAtAsk[child]);
                rung = children.Select(c => c.index).ToList();
                checkedRungs++;
            }
            asked
                .Where(a => a.ask.Continues is int p && rung.Contains(p))
                .Should()
                .BeEmpty("nothing goes past the top rung");
        }
        checkedRungs.Should().BeGreaterThan(15);
    }

    [Fact]
    public void Asha_promotes_a_top_third_trial_of_a_rung_as_algorithm_2_says_and_never_the_same_trial_twice()
    {
        var driver = new Driver(Create("asha"), Ladder);
        for (int i = 0; i < 3; i++)
            driver.Ask().Should().Match<TrialAsk>(a => a.Rung == 0 && a.Continues == null);
        driver.Tell(0, objective: 0.5);
        driver.Tell(1, objective: 0.3);
        // ⌊2/3⌋ = 0: nothing to promote yet, a new cell.
        driver.Ask().Should().Match<TrialAsk>(a => a.Rung == 0 && a.Continues == null); // 3
        driver.Tell(2, objective: 0.4);
        driver.Ask().Should().Be(TrialAsk.Continue(driver.Told[0], 1), "⌊3/3⌋ = 1: the best of rung 0"); // 4
        // Not promoted again while its promotion is in flight, nor once it has come back.
        driver.Ask().Should().Match<TrialAsk>(a => a.Rung == 0 && a.Continues == null); // 5
        driver.Tell(4, objective: 0.7);
        driver.Ask().Should().Match<TrialAsk>(a => a.Rung == 0 && a.Continues == null); // 6
        driver.Tell(3, objective: 0.2);
        driver.Tell(5, objective: 0.45);
        driver.Tell(6, objective: 0.1);
        // Rung 0 has 6 results, 0 (0.5) and 5 (0.45) its top two: 5 goes up now.
        driver.Ask().Should().Match<TrialAsk>(a => a.Rung == 1 && a.Continues == 5);
        driver.Ask().Should().Match<TrialAsk>(a => a.Rung == 0 && a.Continues == null, "no third promotion of six");
    }

    [Fact]
    public void Asha_ranks_failed_trials_last_never_promotes_them_and_promotes_from_the_highest_rung_first()
    {
        var driver = new Driver(Create("asha"), Ladder);
        for (int i = 0; i < 6; i++)
            driver.Ask();
        // Four of six fail: ⌊6/3⌋ = 2, and the two ok trials are the top two.
        foreach (int failed in new[] { 0, 2, 3, 5 })
            driver.Tell(failed, fail: true);
        driver.Tell(1, objective: 0.3);
        driver.Tell(4, objective: 0.6);
        driver.Ask().Should().Match<TrialAsk>(a => a.Rung == 1 && a.Continues == 4); // 6
        driver.Ask().Should().Match<TrialAsk>(a => a.Rung == 1 && a.Continues == 1); // 7
        driver.Ask().Should().Match<TrialAsk>(a => a.Rung == 0 && a.Continues == null); // 8
        driver.Tell(6, objective: 0.5);
        driver.Tell(7, objective: 0.7);
        // Rung 1 has 2 results (⌊2/3⌋ = 0), rung 0 has promoted its top two: new cells.
        driver.Ask().Continues.Should().BeNull(); // 9
        driver.Ask().Continues.Should().BeNull(); // 10
        driver.Tell(8, objective: 0.55);
        driver.Tell(9, objective: 0.2);
        driver.Tell(10, objective: 0.25);
        // Rung 0 has 9 results, top 3: 4, 8, 1.
        driver.Ask().Should().Match<TrialAsk>(a => a.Rung == 1 && a.Continues == 8); // 11
        for (int i = 0; i < 3; i++)
            driver.Ask().Continues.Should().BeNull(); // 12, 13, 14
        driver.Tell(11, objective: 0.65);
        driver.Tell(12, objective: 0.9);
        driver.Tell(13, objective: 0.1);
        driver.Tell(14, objective: 0.15);
        // Rung 1 (3 results, 7 the best) and rung 0 (12 results, top 4 with 12 not promoted) both have a trial to
        // promote: the higher rung goes first.
        driver.Ask().Should().Match<TrialAsk>(a => a.Rung == 2 && a.Continues == 7);
        driver.Ask().Should().Match<TrialAsk>(a => a.Rung == 1 && a.Continues == 12);
    }

    [Fact]
    public void A_trial_told_without_a_rung_counts_as_one_of_the_top_rung_and_is_not_promoted()
    {
        var asha = Create("asha");
        var cells = FarApart(Space, 6);
        for (int i = 0; i < 6; i++)
            asha.Tell(Ok(i, cells[i], 0.5 + i / 100.0) with { Rung = i < 3 ? null : 0 });
        var context = new SearchContext
        {
            Space = Space,
            Random = new Random(3),
            AskIndex = 6,
            Fidelities = Ladder,
        };
        // Three at rung 0 make one promotion, of the best of them (5); the three without a rung are at the top.
        asha.AskTrial(context).Should().Match<TrialAsk>(a => a.Continues == 5 && a.Rung == 1);
        asha.Tell(Ok(6, cells[5], 0.9) with { Rung = 1, Continues = 5 });
        asha.AskTrial(context with { AskIndex = 7 }).Continues.Should().BeNull();
    }

    [Fact]
    public void Asha_with_every_trial_failed_at_a_rung_promotes_nothing_from_it()
    {
        var driver = new Driver(Create("asha"), Ladder);
        for (int i = 0; i < 6; i++)
            driver.Ask();
        driver.TellAll(_ => true);
        Enumerable.Range(0, 5).Select(_ => driver.Ask()).Should().OnlyContain(a => a.Continues == null && a.Rung == 0);
    }

    [Theory]
    [InlineData("successive-halving")]
    [InlineData("hyperband")]
    [InlineData("asha")]
    [InlineData("bohb")]
    [InlineData("dehb")]
    public void A_continuation_always_names_an_ok_trial_of_its_own_at_a_lower_rung_and_only_once(string strategy)
    {
        var driver = new Driver(Create(strategy), Ladder);
        driver.Run(trials: 200, workers: 5, fail: index => index % 5 == 2 || index % 7 == 3);
        var continuations = driver
            .Asks.Select((ask, index) => (ask, index))
            .Where(a => a.ask.Continues is not null)
            .ToArray();
        continuations.Should().NotBeEmpty();
        driver.Asks.Should().Contain(a => a.Rung == 0, "it spends epochs at the bottom of the ladder");
        foreach (var (ask, index) in continuations)
        {
            int parentIndex = ask.Continues!.Value;
            int parentBack = driver.Told.FindIndex(t => t.Index == parentIndex);
            parentBack
                .Should()
                .BeInRange(
                    0,
                    driver.ToldAtAsk[index] - 1,
                    $"ask {index} continues trial {parentIndex} before it came back"
                );
            var parent = driver.Told[parentBack];
            parent.Status.Should().Be(TrialStatus.Ok, $"ask {index} continues a failed trial");
            parent.Architecture.Should().Be(ask.Architecture);
            ask.Rung.Should().NotBeNull().And.BeGreaterThan(parent.Rung!.Value).And.BeLessThan(Ladder.Length);
        }
        continuations.Select(c => c.ask.Continues).Should().OnlyHaveUniqueItems("a trial is promoted once");
        driver
            .Asks.Where(a => a.Continues is null)
            .Select(a => a.Architecture)
            .Should()
            .OnlyHaveUniqueItems("new cells are distinct");
    }

    [Theory]
    [InlineData("successive-halving")]
    [InlineData("hyperband")]
    [InlineData("asha")]
    [InlineData("bohb")]
    [InlineData("dehb")]
    public void Without_a_ladder_of_two_rungs_it_is_random_search_at_the_race_fidelity(string strategy)
    {
        foreach (int[] ladder in new[] { Array.Empty<int>(), [9] })
        {
            var driver = new Driver(Create(strategy), ladder);
            driver.Run(trials: 40, workers: 3);
            driver.Asks.Should().OnlyContain(a => a.Rung == null && a.Continues == null);
            driver.Asks.Select(a => a.Architecture).Should().OnlyHaveUniqueItems();
        }
    }

    /// <summary>The mean quality of the new cells a strategy asks for from the <paramref name="from"/>-th trial on, over seeds.</summary>
    private static double MeanNewQuality(string strategy, int from, params (string Knob, string Value)[] knobs)
    {
        var qualities = new List<double>();
        for (int seed = 1; seed <= 4; seed++)
        {
            var driver = new Driver(Create(strategy, knobs), Ladder, seed);
            driver.Run(trials: 260, workers: 4, schedulerSeed: seed);
            qualities.AddRange(
                driver.Asks.Skip(from).Where(a => a.Continues is null).Select(a => Quality(a.Architecture))
            );
        }
        return qualities.Average();
    }

    [Fact]
    public void Bohb_draws_better_new_cells_than_random_sampling_once_its_model_has_observations()
    {
        // Hyperband draws its new cells uniformly, with the same brackets: the baseline BOHB's model has to beat.
        double random = MeanNewQuality("hyperband", from: 60);
        double bohb = MeanNewQuality("bohb", from: 60);
        double bohbWithoutModel = MeanNewQuality("bohb", from: 60, ("random-fraction", "1"));
        random.Should().BeInRange(0.46, 0.56, "uniform cells average the operations' qualities (0.51)");
        bohbWithoutModel.Should().BeApproximately(random, 0.04, "with random-fraction 1 BOHB is Hyperband");
        bohb.Should().BeGreaterThan(random + 0.1, "two thirds of its new cells come from the model");
    }
}
