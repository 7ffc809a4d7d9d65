using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Tests;

/// <summary>
/// What the README's standings promise, checked on the shipped table with the README's seeds: the model-based and
/// local strategies find better cells than random search over 10 heats of 100 evaluations.
/// </summary>
public sealed class FieldStrategyStandingsTests
{
    [Theory]
    [InlineData("bananas")]
    [InlineData("local-search")]
    public void Beats_random_search_on_the_shipped_table(string strategy)
    {
        var (exit, stdout, stderr) = NasProcess.Run(
            "race",
            "--estimator",
            "tabular",
            "--strategy",
            strategy,
            "--strategy",
            "random-search",
            "--json"
        );
        exit.Should().Be(0, stderr);
        var contestants = ((JArray)JObject.Parse(stdout)["contestants"]!).ToDictionary(c => (string)c["strategy"]!);
        double Test(string name) => (double)contestants[name]["testAccuracyOfBest"]!;
        double Validation(string name) => (double)contestants[name]["bestValidationAccuracy"]!;
        Validation(strategy).Should().BeGreaterThan(Validation("random-search"));
        Test(strategy)
            .Should()
            .BeGreaterThan(
                Test("random-search") + 0.004,
                "on the shipped table, random search's best tests at 0.7151 ± 0.0094 over these 10 heats"
            );
    }
}
