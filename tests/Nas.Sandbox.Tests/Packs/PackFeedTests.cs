using Nas.Sandbox.Core.Hosting.Packs;

namespace Nas.Sandbox.Tests.Packs;

/// <summary>Installing by id from a local folder feed, the way packs are shared.</summary>
public class PackFeedTests(PackFixture fixture) : IClassFixture<PackFixture>
{
    private string Feed()
    {
        string feed = Path.Combine(fixture.Folder, "feed-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(feed);
        foreach (string version in new[] { "1.0.0", "1.1.0", "2.0.0-beta.1" })
            File.Copy(fixture.Build(version, "Pack.Feed"), Path.Combine(feed, $"Pack.Feed.{version}.nupkg"));
        return feed;
    }

    private static string Download(string id, string? version, string feed, string into) =>
        PackFeed.DownloadAsync(id, version, [feed], into, CancellationToken.None).GetAwaiter().GetResult();

    [Fact]
    public void The_newest_stable_version_is_taken_unless_one_is_named()
    {
        string feed = Feed();
        PackVerifier
            .Verify(Download("Pack.Feed", null, feed, fixture.NewHome()))
            .Manifest.Version.ToNormalizedString()
            .Should()
            .Be("1.1.0");
        PackVerifier
            .Verify(Download("pack.feed", "1.0.0", feed, fixture.NewHome()))
            .Manifest.Version.ToNormalizedString()
            .Should()
            .Be("1.0.0");
        PackVerifier
            .Verify(Download("Pack.Feed", "2.0.0-beta.1", feed, fixture.NewHome()))
            .Manifest.Version.ToNormalizedString()
            .Should()
            .Be("2.0.0-beta.1");
    }

    [Fact]
    public void A_missing_version_or_id_says_what_the_feed_has()
    {
        string feed = Feed();
        FluentActions
            .Invoking(() => Download("Pack.Feed", "3.0.0", feed, fixture.NewHome()))
            .Should()
            .Throw<PackException>()
            .WithMessage("--version 3.0.0: 'Pack.Feed' has no such version*1.0.0, 1.1.0, 2.0.0-beta.1.");
        FluentActions
            .Invoking(() => Download("Pack.Nowhere", null, feed, fixture.NewHome()))
            .Should()
            .Throw<PackException>()
            .WithMessage($"No pack 'Pack.Nowhere' on {feed}.");
        FluentActions
            .Invoking(() => Download("Pack.Feed", null, Path.Combine(feed, "absent"), fixture.NewHome()))
            .Should()
            .Throw<PackException>()
            .WithMessage("--source */absent: no such folder.");
    }
}
