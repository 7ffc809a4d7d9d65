using Nas.Sandbox.Core.Estimators.Tabular;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Racing;
using Nas.Sandbox.Core.Racing.Objectives;
using Nas.Sandbox.Core.Spaces;

namespace Nas.Sandbox.Tests;

/// <summary>NSGA-II as a contestant: it must find better Pareto fronts than random search on the shipped table.</summary>
public sealed class Nsga2Tests
{
    private static readonly Lazy<SandboxHost> Host = new(() => SandboxHost.Create(typeof(Nsga2Tests).Assembly));

    /// <summary>
    /// Accuracy vs parameters on the shipped table (729 cells), 4 master seeds × 10 heats, 150 evaluations per heat.
    /// Parameters take only 7 values in this space (they depend on the number of convolutions only), so the true front
    /// has 4 points and random search gets close to it; at 100 evaluations the two are within noise of each other.
    /// </summary>
    [Fact]
    public async Task Nsga2_beats_random_search_on_hypervolume_in_an_accuracy_vs_params_race()
    {
        var table = TabularTable.Load(ShippedTables.DefaultPath, new TableColumns(), Host.Value.Operations.Names);
        var objective = RaceObjective.Parse("pareto:accuracy,params");
        var results = new List<(double Nsga, double Random)>();
        foreach (long seed in new long[] { 1, 2, 3, 4 })
        {
            var referee = new Referee(
                new Nb201Space(table.Operations),
                new TabularEstimator(table),
                Host.Value.Strategies,
                new ListJournal()
            );
            var summary = await referee.RunAsync(
                new RaceSettings
                {
                    Contestants = [ContestantSpec.Parse("nsga-ii"), ContestantSpec.Parse("random-search")],
                    Budget = 150,
                    Heats = 10,
                    Seed = seed,
                    Estimator = "tabular",
                    Objective = objective,
                    KnownWorstCosts = TableObjective.WorstCosts(objective, table),
                    KnownWorstSource = "table",
                }
            );
            double Volume(string label) => summary.Contestants.Single(c => c.Label == label).Hypervolume!.Value;
            results.Add((Volume("nsga-ii"), Volume("random-search")));
        }
        results.Average(r => r.Nsga).Should().BeGreaterThan(results.Average(r => r.Random));
        results
            .Count(r => r.Nsga > r.Random)
            .Should()
            .BeGreaterThanOrEqualTo(3, $"NSGA-II vs random per seed: {string.Join("; ", results)}");
    }
}
