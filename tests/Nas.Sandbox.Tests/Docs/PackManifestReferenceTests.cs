using Nas.Sandbox.Core.Hosting.Packs;

namespace Nas.Sandbox.Tests.Docs;

/// <summary>
/// docs/reference/pack-manifest.md lists the options a shared race may record (<see cref="PackRaceArguments.Options"/>,
/// which is also what <c>nas race --resume</c> refuses to be given again): the list in the page is the list in the code.
/// </summary>
public sealed class PackManifestReferenceTests
{
    private static readonly MarkdownReference Page = MarkdownReference.Load("pack-manifest.md");

    [Fact]
    public void The_shared_race_options_in_the_reference_are_the_ones_the_code_accepts()
    {
        var section = Page.Section("Shared-race arguments");
        section.Should().NotBeNull($"{Page.Path} has a 'Shared-race arguments' section");
        var documented = section!.CodeSpans.Where(s => s.StartsWith("--", StringComparison.Ordinal)).ToHashSet();
        PackRaceArguments
            .Options.Concat(PackRaceArguments.Safety)
            .Where(o => !documented.Contains(o))
            .Select(o =>
                $"{o} is accepted in a shared race but not listed in '{section.Title}' of {Page.Path} (line {section.Line})"
            )
            .Should()
            .BeEmpty();
    }
}
