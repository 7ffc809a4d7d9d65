using Nas.Sandbox.Core.Racing;
using static Nas.Sandbox.Tests.LeagueTestKit;

namespace Nas.Sandbox.Tests;

/// <summary>The league's multiplayer Elo: pairwise games by best validation accuracy, K = 32/(n-1).</summary>
public class LeagueEloTests
{
    private static readonly ContestantInfo A = Contestant("alpha"),
        B = Contestant("beta"),
        C = Contestant("gamma");

    private static LeagueStandings Heat(
        LeagueStandings before,
        string id,
        params (ContestantInfo, double?)[] results
    ) => before.WithHeat(id, results, PlayedAt);

    [Fact]
    public void At_equal_ratings_the_winner_gains_16_points_and_the_loser_loses_them()
    {
        var after = Heat(LeagueStandings.Empty, "h1", (A, 0.9), (B, 0.8));
        after.RatingOf("alpha").Should().Be(1516);
        after.RatingOf("beta").Should().Be(1484);
        after
            .Find("alpha")!
            .Should()
            .Match<LeaguePlayer>(p => p.Wins == 1 && p.Draws == 0 && p.Losses == 0 && p.Heats == 1);
        after
            .Find("beta")!
            .Should()
            .Match<LeaguePlayer>(p => p.Wins == 0 && p.Draws == 0 && p.Losses == 1 && p.Heats == 1);
    }

    [Fact]
    public void At_unequal_ratings_the_winner_gains_exactly_what_the_loser_loses_and_an_upset_pays_more()
    {
        var start = Heat(LeagueStandings.Empty, "h1", (A, 0.9), (B, 0.8)); // alpha 1516, beta 1484
        var favouriteWins = Heat(start, "h2", (A, 0.9), (B, 0.8));
        var upset = Heat(start, "h2", (A, 0.7), (B, 0.8));

        double gain = favouriteWins.RatingOf("alpha") - 1516,
            loss = 1484 - favouriteWins.RatingOf("beta");
        gain.Should().BeApproximately(loss, 1e-9);
        gain.Should().BeApproximately(32 * (1 - LeagueElo.Expected(1516, 1484)), 1e-9).And.BeLessThan(16);
        (upset.RatingOf("beta") - 1484)
            .Should()
            .BeGreaterThan(16)
            .And.BeApproximately(1516 - upset.RatingOf("alpha"), 1e-9);
    }

    [Fact]
    public void A_draw_at_equal_ratings_changes_no_rating()
    {
        var after = Heat(LeagueStandings.Empty, "h1", (A, 0.85), (B, 0.85));
        after.RatingOf("alpha").Should().Be(1500);
        after.RatingOf("beta").Should().Be(1500);
        after.Find("alpha")!.Draws.Should().Be(1);
    }

    [Fact]
    public void Nothing_succeeded_loses_to_any_accuracy_and_draws_with_nothing()
    {
        LeagueElo.Score(null, 0.01).Should().Be(0);
        LeagueElo.Score(0.01, null).Should().Be(1);
        LeagueElo.Score(null, null).Should().Be(0.5);
        LeagueElo.Score(double.NaN, 0.5).Should().Be(0);

        var after = Heat(LeagueStandings.Empty, "h1", (A, null), (B, 0.05), (C, null));
        after.Find("beta")!.Wins.Should().Be(2);
        after.Find("alpha")!.Should().Match<LeaguePlayer>(p => p.Losses == 1 && p.Draws == 1 && p.BestAccuracy == null);
        after.RatingOf("alpha").Should().Be(after.RatingOf("gamma")).And.BeLessThan(1500);
    }

    [Fact]
    public void Three_players_split_K_over_their_two_games_each()
    {
        var after = Heat(LeagueStandings.Empty, "h1", (A, 0.9), (B, 0.8), (C, 0.7));
        after.RatingOf("alpha").Should().Be(1516);
        after.RatingOf("beta").Should().Be(1500);
        after.RatingOf("gamma").Should().Be(1484);
        after.Players.Select(p => p.Key).Should().Equal("alpha", "beta", "gamma");
        after.Find("beta")!.Should().Match<LeaguePlayer>(p => p.Wins == 1 && p.Losses == 1);
    }

    [Fact]
    public void The_result_of_a_heat_does_not_depend_on_the_order_of_the_contestants()
    {
        // Different ratings before the heat, so every pair term is different.
        var start = Heat(Heat(LeagueStandings.Empty, "h1", (A, 0.9), (B, 0.8), (C, 0.7)), "h2", (A, 0.5), (C, 0.6));
        (ContestantInfo, double?)[] results = [(A, 0.7), (B, 0.9), (C, 0.8)];
        var orders = new[] { new[] { 0, 1, 2 }, [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0] };
        var outcomes = orders.Select(order => Heat(start, "h3", order.Select(i => results[i]).ToArray())).ToArray();
        foreach (var outcome in outcomes.Skip(1))
            outcome.Players.Should().BeEquivalentTo(outcomes[0].Players, o => o.WithStrictOrdering());
        outcomes[0].Players.Sum(p => p.Rating).Should().BeApproximately(4500, 1e-9);

        var reversed = LeagueElo.Rate([(1530, 0.7), (1490, 0.9), (1470, 0.8)]);
        var forward = LeagueElo.Rate([(1470, 0.8), (1490, 0.9), (1530, 0.7)]);
        reversed.Should().Equal(forward.Reverse());
    }

    [Fact]
    public void A_player_entered_twice_in_a_heat_counts_once_with_its_better_result()
    {
        var twin = A with { Label = "alpha#2" };
        var after = Heat(LeagueStandings.Empty, "h1", (A, 0.6), (twin, 0.95), (B, 0.9));
        after.Players.Should().HaveCount(2);
        after.Find("alpha")!.Should().Match<LeaguePlayer>(p => p.Heats == 1 && p.Wins == 1 && p.BestAccuracy == 0.95);
        after.RatingOf("alpha").Should().Be(1516);
    }

    [Fact]
    public void A_heat_with_fewer_than_two_players_rates_nobody()
    {
        LeagueStandings.Empty.WithHeat("h1", [(A, 0.9)], PlayedAt).Should().BeSameAs(LeagueStandings.Empty);
        LeagueStandings.Empty.RatingOf("alpha").Should().Be(LeagueElo.InitialRating);
    }

    [Fact]
    public void The_player_key_is_the_strategy_with_its_knobs_sorted_by_name()
    {
        LeagueKey.Of(Contestant("regularized-evolution")).Should().Be("regularized-evolution");
        LeagueKey
            .Of(Contestant("regularized-evolution", ("sample", "3"), ("population", "20")))
            .Should()
            .Be("regularized-evolution:population=20,sample=3");
        LeagueKey.Of(Contestant("x", ("b", "1"), ("B", "2"), ("a", "3"))).Should().Be("x:B=2,a=3,b=1");
    }
}
