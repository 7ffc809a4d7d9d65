using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Journal;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Cli.Report;

/// <summary>
/// The search space a journaled race searched, made again as the race made it: its race-started line's
/// <c>settings.space</c> (<c>nb201</c> when absent, as in journals from before spaces), its <c>operations</c>, and its
/// fidelity's C and N (what a plugin or script space is checked at), resolved by the host as <c>nas race --space</c>
/// resolves it. Reports and <c>nas train --from</c> parse the journal's keys in it and draw or build with its provider.
/// </summary>
internal sealed record JournalSpace(ISearchSpace Space, SpaceEntry Entry)
{
    public ISpaceProvider Provider => Entry.Provider;

    /// <summary>
    /// The space of the race whose race-started line is <paramref name="started"/> (of the journal at
    /// <paramref name="path"/>); a space the host cannot make any more (its script or plugin gone, renamed, broken) is
    /// one error naming the journal and the space.
    /// </summary>
    public static JournalSpace Of(string path, JournalLine started, SandboxHost host)
    {
        var f = new JournalFields(path, started);
        var settings = f.RequiredObject("settings");
        string name = f.OptionalString("space", settings) ?? "nb201";
        var operations = started.Event["operations"] is null
            ? null
            : f.Array("operations")
                .Select(o =>
                    o is JValue { Type: JTokenType.String } value
                        ? (string)value!
                        : throw f.Wrong(null, "operations", "must hold strings (operation names)")
                )
                .ToArray();
        var fidelity = f.OptionalObject("fidelity", settings);
        int channels = (fidelity is null ? null : f.OptionalInt("channels", fidelity, min: 1)) ?? 16;
        int cells = (fidelity is null ? null : f.OptionalInt("cellsPerStage", fidelity, min: 1)) ?? 5;
        try
        {
            var space = host.CreateSpace(name, operations, channels, cells);
            return new JournalSpace(space, host.ResolveSpace(name));
        }
        catch (NasException e)
        {
            throw new NasException(
                $"{path}: the race searched space '{name}', which cannot be made here: {e.Message} "
                    + "(a space from a plugin or script needs its folder: give it with --plugins or --scripts).",
                e
            );
        }
    }

    /// <summary>
    /// <paramref name="architecture"/> as its space draws it, at most about <paramref name="maxWidth"/> columns; its key
    /// when the provider's drawing fails (a picture is not worth losing the report over).
    /// </summary>
    public IReadOnlyList<string> Draw(Architecture architecture, int maxWidth)
    {
        try
        {
            return Provider.Draw(architecture, maxWidth);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return [architecture.Key];
        }
    }
}
