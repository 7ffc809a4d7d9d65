using System.CommandLine;
using System.CommandLine.Help;
using Nas.Sandbox.Cli;

namespace Nas.Sandbox.Tests.Docs;

/// <summary>
/// docs/reference/cli.md documents the command tree <see cref="NasCommandLine.Build"/> makes: every visible command has
/// a <c>## nas COMMAND</c> section, and every name and alias of each of its visible options, and each argument, is a code
/// span in that section (<c>`--budget N`</c>, <c>`-o DIR`</c>, <c>`FILE`</c>). Hidden commands and options
/// (<c>contestant-process</c>) and the built-in <c>--help</c> and <c>--version</c> are skipped.
/// </summary>
public sealed class CliReferenceTests
{
    /// <summary>
    /// Commands whose section says they take every option of another command, which documents those options: an option
    /// of the key is documented when its own section or the named command's section has it.
    /// </summary>
    private static readonly IReadOnlyDictionary<string, string> TakesEveryOptionOf = new Dictionary<string, string>
    {
        ["nas tui"] = "nas race",
    };

    /// <summary>Commands of the `nas` bash wrapper, which the System.CommandLine tree does not know.</summary>
    private static readonly string[] WrapperCommands = ["nas setup", "nas bench"];

    private static readonly MarkdownReference Page = MarkdownReference.Load("cli.md");

    [Fact]
    public void Every_visible_command_has_its_own_section()
    {
        var missing = VisibleCommands()
            .Select(c => c.Path)
            .Concat(WrapperCommands)
            .Where(path => Page.Section(path) is null)
            .Select(path => $"command '{path}' has no section: add a '## {path}' section to {Page.Path}")
            .ToList();
        missing.Should().BeEmpty("every command is documented in its own section");
    }

    /// <summary>Our diagnostic codes are stable for tools to match on, so each has a row in `nas script check`'s table.</summary>
    [Fact]
    public void Every_script_diagnostic_code_has_a_row_in_script_checks_section()
    {
        var codes = typeof(Nas.Sandbox.Core.Hosting.Scripts.ScriptDiagnosticCodes)
            .GetFields()
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToArray();
        codes.Should().Contain(["NAS0001", "NAS0010"], "the class walked is the real one");
        var section = Page.Section("nas script check")!;
        codes
            .Where(code => !section.HasRowFor(code))
            .Should()
            .BeEmpty($"every code has a row in the '## nas script check' section (line {section.Line}) of {Page.Path}");
    }

    [Fact]
    public void Every_option_and_argument_of_a_command_is_in_its_section()
    {
        var missing = new List<string>();
        foreach (var (path, command) in VisibleCommands())
        {
            if (Page.Section(path) is not { } section)
                continue; // reported by the test above
            var shared = TakesEveryOptionOf.TryGetValue(path, out string? other) ? Page.Section(other) : null;
            foreach (var option in command.Options.Where(o => !o.Hidden && o is not HelpOption and not VersionOption))
            foreach (string name in option.Aliases.Prepend(option.Name).Distinct())
                if (!section.HasRowFor(name) && shared?.HasRowFor(name) != true)
                    missing.Add(
                        $"option {name} of '{path}' is not documented: add a row `{name} ...` to the '## {path}' section "
                            + $"(line {section.Line}){(shared is null ? "" : $", or to the '## {other}' section whose options it takes,")} of {Page.Path}"
                    );
            foreach (var argument in command.Arguments.Where(a => !a.Hidden))
                if (!section.HasRowFor(argument.Name))
                    missing.Add(
                        $"argument {argument.Name} of '{path}' is not documented: add a row `{argument.Name}` to the '## {path}' section "
                            + $"(line {section.Line}) of {Page.Path}"
                    );
        }
        missing.Should().BeEmpty("every option and argument is documented in its command's section");
    }

    [Fact]
    public void The_tree_walked_is_the_real_one()
    {
        // Guards the walk itself: were it to find nothing, the tests above would pass on any page.
        var paths = VisibleCommands().Select(c => c.Path).ToList();
        paths
            .Should()
            .Contain(["nas race", "nas tui", "nas pack build", "nas estimators report"])
            .And.NotContain(p => p.Contains("contestant-process"));
        VisibleCommands()
            .Single(c => c.Path == "nas race")
            .Command.Options.Select(o => o.Name)
            .Should()
            .Contain(["--budget", "--resume"]);
    }

    /// <summary>Every visible command below the root, with its path (<c>nas pack build</c>).</summary>
    private static IEnumerable<(string Path, Command Command)> VisibleCommands()
    {
        IEnumerable<(string, Command)> Walk(Command parent, string path)
        {
            foreach (var child in parent.Subcommands.Where(c => !c.Hidden))
            {
                string childPath = $"{path} {child.Name}";
                yield return (childPath, child);
                foreach (var grandchild in Walk(child, childPath))
                    yield return grandchild;
            }
        }
        return Walk(NasCommandLine.Build(), "nas");
    }
}
