using System.CommandLine;

namespace Nas.Sandbox.Cli;

/// <summary>The `nas` command tree (contract: shared/design/CLI.md).</summary>
public static class NasCommandLine
{
    public static RootCommand Build()
    {
        var root = new RootCommand("Nas.Sandbox: race neural architecture search strategies head-to-head.");
        root.Subcommands.Add(RaceCommand.Create());
        root.Subcommands.Add(TuiCommand.Create());
        root.Subcommands.Add(ListCommand.Create());
        root.Subcommands.Add(ScriptCommand.Create());
        root.Subcommands.Add(LeagueCommand.Create());
        root.Subcommands.Add(TabulateCommand.Create());
        root.Subcommands.Add(EstimatorsCommand.Create());
        root.Subcommands.Add(ParetoCommand.Create());
        // Temporary home of `nas pack new` until the pack command (build, install, list, remove, verify) is merged.
        root.Subcommands.Add(new Command("pack", "Plugin packs: scaffold pack projects.") { PackNewCommand.Create() });
        return root;
    }
}
