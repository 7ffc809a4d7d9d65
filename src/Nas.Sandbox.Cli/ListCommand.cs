using System.CommandLine;
using Nas.Sandbox.Core.Hosting;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Cli;

/// <summary><c>nas list</c>: every strategy, estimator, space, operation and dataset available, and where it came from.</summary>
internal static class ListCommand
{
    public static Command Create()
    {
        var plugins = CommonOptions.Plugins();
        var scripts = CommonOptions.Scripts();
        var json = CommonOptions.Json("print as one JSON document");
        var verbose = CommonOptions.Verbose();
        var command = new Command(
            "list",
            "List strategies, estimators, spaces, operations and datasets, with their sources."
        )
        {
            plugins,
            scripts,
            json,
            verbose,
        };
        command.SetAction((result, _) => CommonOptions.GuardAsync(result.GetValue(verbose), () =>
                {
                    using var host = SandboxHost.Create(
                        typeof(ListCommand).Assembly,
                        result.GetValue(plugins),
                        result.GetValue(scripts)
                    );
                    var document = Describe(host);
                    if (result.GetValue(json))
                        Console.Out.WriteLine(document.ToString(Formatting.Indented));
                    else
                        Print(document);
                    foreach (string warning in host.Warnings)
                        Console.Error.WriteLine($"warning: {warning}");
                    return Task.FromResult(0);
                }));
        return command;
    }

    internal static JObject Describe(SandboxHost host) =>
        new()
        {
            ["strategies"] = new JArray(
                host.Strategies.All.Select(s => new JObject
                {
                    ["name"] = s.Name,
                    ["source"] = s.Source.Kind,
                    ["version"] = s.Source.Version,
                    ["origin"] = s.Source.Origin,
                    ["description"] = s.Factory.Description,
                    ["knobs"] = new JArray(
                        s.Factory.Knobs.Select(k => new JObject
                        {
                            ["name"] = k.Name,
                            ["default"] = k.DefaultValue,
                            ["description"] = k.Description,
                        })
                    ),
                })
            ),
            ["estimators"] = new JArray(
                SandboxHost
                    .EstimatorNames.Select(n => new JObject { ["name"] = n, ["source"] = "built-in" })
                    .Concat(
                        host.Plugins.Estimators.Select(e => new JObject
                        {
                            ["name"] = e.Name,
                            ["source"] = e.Source.Kind,
                            ["version"] = e.Source.Version,
                            ["origin"] = e.Source.Origin,
                        })
                    )
                    .Concat(
                        host.Scripts.Scripts.SelectMany(s =>
                            s.Estimators.Select(e => new JObject
                            {
                                ["name"] = e.Name,
                                ["source"] = "script",
                                ["version"] = s.Version,
                                ["origin"] = s.Path,
                            })
                        )
                    )
            ),
            ["spaces"] = new JArray(host.Spaces.Entries.Select(DescribeSpace)),
            ["operations"] = new JArray(
                host.Operations.Names.Select(n => new JObject
                {
                    ["name"] = n,
                    ["source"] = host.Operations.SourceOf(n),
                })
            ),
            ["datasets"] = new JArray(
                SandboxHost.DatasetNames.Select(n => new JObject { ["name"] = n, ["source"] = "built-in" })
            ),
            ["pluginErrors"] = new JArray(
                host.Plugins.Errors.Select(e => new JObject { ["plugin"] = e.PluginPath, ["message"] = e.Message })
            ),
            ["scriptErrors"] = new JArray(
                host.Scripts.Errors.Select(e => new JObject { ["script"] = e.Path, ["message"] = e.Message })
            ),
        };

    /// <summary>A space with its source (<c>built-in</c>, <c>plugin</c>, <c>script</c>) and origin; one that cannot be made says why.</summary>
    private static JObject DescribeSpace(SpaceEntry entry)
    {
        int blank = entry.Source.IndexOf(' ');
        var space = new JObject
        {
            ["name"] = entry.Name,
            ["source"] = blank < 0 ? entry.Source : entry.Source[..blank],
            ["description"] = entry.Provider.Description,
        };
        if (blank >= 0)
            space["origin"] = entry.Source[(blank + 1)..];
        try
        {
            var made = entry.Provider.CreateSpace(null);
            space["size"] = made.Size;
            space["operations"] = new JArray(made.Operations);
        }
        catch (Exception e)
        {
            space["error"] = $"{e.GetType().Name}: {e.Message}";
        }
        return space;
    }

    private static void Print(JObject document)
    {
        Console.WriteLine("strategies:");
        foreach (var s in document["strategies"]!)
        {
            Console.WriteLine($"  {s["name"], -24} {s["source"], -14} {s["version"], -8} {s["description"]}");
            Console.WriteLine($"  {"", -24} from {s["origin"]}");
            foreach (var k in s["knobs"]!)
                Console.WriteLine($"  {"", -24}   {k["name"]}={k["default"]}: {k["description"]}");
        }
        Console.WriteLine("estimators:");
        foreach (var e in document["estimators"]!)
        {
            Console.WriteLine($"  {e["name"], -24} {e["source"], -14} {e["version"]}".TrimEnd());
            if (e["origin"] is { } origin)
                Console.WriteLine($"  {"", -24} from {origin}");
        }
        Console.WriteLine("spaces:");
        foreach (var s in document["spaces"]!)
        {
            Console.WriteLine(
                s["error"] is { } error
                    ? $"  {s["name"], -24} {s["source"], -14} cannot be made: {error}"
                    : $"  {s["name"], -24} {s["source"], -14} {s["size"]} architectures; choices {string.Join(", ", s["operations"]!)}"
            );
            Console.WriteLine($"  {"", -24} {s["description"]}");
            if (s["origin"] is { } origin)
                Console.WriteLine($"  {"", -24} from {origin}");
        }
        Console.WriteLine("operations:");
        foreach (var o in document["operations"]!)
            Console.WriteLine($"  {o["name"], -24} {o["source"]}");
        Console.WriteLine("datasets:");
        foreach (var d in document["datasets"]!)
            Console.WriteLine($"  {d["name"], -24} {d["source"]}");
    }
}
