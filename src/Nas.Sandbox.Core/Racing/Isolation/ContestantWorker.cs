using System.Reflection;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Estimators;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Journal;
using Nas.Sandbox.Core.Racing.Objectives;
using Nas.Sandbox.Core.Racing.Training;
using Nas.Sandbox.Core.Spaces;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Core.Racing.Isolation;

/// <summary>
/// The contestant process's side (<c>nas contestant-process</c>, started by <see cref="ContestantProcess"/>): it loads
/// one strategy build the way the race's host did (same plugin and script folders), makes the race's space, and then
/// runs that strategy's constructor, Ask, Tell and Dispose as the referee asks, one instance at a time. Whatever the
/// strategy does here (exit, overflow its stack, crash in native code, allocate without bound) ends this process only.
/// </summary>
public static class ContestantWorker
{
    /// <summary>Serves requests until the referee says exit or closes the pipe; returns the process's exit code.</summary>
    public static int Serve(Stream pipe, Assembly hostAssembly)
    {
        using var reader = new StreamReader(pipe, leaveOpen: true);
        using var writer = new StreamWriter(pipe, leaveOpen: true) { NewLine = "\n" };
        if (WorkerWire.Read(reader) is not { } setup)
            return 0;
        Session session;
        try
        {
            session = Session.Open(setup, hostAssembly);
        }
        catch (Exception e)
        {
            WorkerWire.Write(
                writer,
                WorkerWire.Error(e is NasException ? e.Message : $"{e.GetType().Name}: {e.Message}")
            );
            return 1;
        }
        using (session)
        {
            WorkerWire.Write(writer, new JObject { ["ok"] = true, ["build"] = session.Entry.Source.Build });
            while (WorkerWire.Read(reader) is { } request)
            {
                if ((string?)request["op"] == "exit")
                    return 0;
                JObject reply;
                try
                {
                    reply = session.Handle(request);
                }
                catch (KnobException e)
                {
                    reply = WorkerWire.Error(e.Message, "knob");
                }
                catch (OutOfMemoryException e)
                {
                    // The instance holds what it allocated: the process goes, and the memory with it.
                    WorkerWire.Write(
                        writer,
                        WorkerWire.Error($"OutOfMemoryException: {e.Message}{Session.MemoryLimitNote}", "fatal")
                    );
                    return 3;
                }
                catch (Exception e)
                {
                    reply = WorkerWire.Error($"{e.GetType().Name}: {e.Message}");
                }
                WorkerWire.Write(writer, reply);
            }
            return 0;
        }
    }

    /// <summary>One strategy build, the race's space and training data, and the instance being raced.</summary>
    private sealed class Session : IDisposable
    {
        private readonly SandboxHost _host;
        private readonly ISearchSpace _space;
        private readonly ObjectiveDescription _objective;
        private readonly Lazy<RaceTrainingData>? _training;
        private readonly Fidelity _fidelity;
        private IStrategy? _instance;
        private DeferredTrainingKit? _kit;

        private Session(
            SandboxHost host,
            StrategyEntry entry,
            ISearchSpace space,
            ObjectiveDescription objective,
            Lazy<RaceTrainingData>? training,
            Fidelity fidelity
        )
        {
            (_host, Entry, _space, _objective, _training, _fidelity) = (
                host,
                entry,
                space,
                objective,
                training,
                fidelity
            );
        }

        public StrategyEntry Entry { get; }

        public static string MemoryLimitNote =>
            GC.GetGCMemoryInfo().TotalAvailableMemoryBytes is var limit and > 0
            && Environment.GetEnvironmentVariable("DOTNET_GCHeapHardLimit") is not null
                ? $" (the contestant's managed heap limit is {limit / (1024.0 * 1024 * 1024):0.##} GiB)"
                : "";

        public static Session Open(JObject setup, Assembly hostAssembly)
        {
            var host = SandboxHost.Create(
                hostAssembly,
                Strings(setup["plugins"]),
                Strings(setup["scripts"]),
                lazyScripts: true
            );
            try
            {
                var strategy = (JObject)setup["strategy"]!;
                var entry = Find(
                    host,
                    (string)strategy["name"]!,
                    (string)strategy["origin"]!,
                    (string?)strategy["build"] ?? ""
                );
                var space = (JObject)setup["space"]!;
                var operations = Strings(space["operations"]);
                // The race validated the space already; its provider makes the same space here.
                var spaceEntry = host.ResolveSpace((string)space["name"]!);
                ISearchSpace searchSpace = spaceEntry.Provider.CreateSpace(
                    SandboxHost.UnlessDefault(spaceEntry, operations)
                );
                var objective = RaceObjective.Parse((string?)setup["objective"] ?? "accuracy").Description;
                var fidelity = setup["fidelity"]?.ToObject<Fidelity>(JournalFormat.Serializer) ?? new Fidelity();
                Lazy<RaceTrainingData>? training = null;
                if (setup["training"] is JObject data)
                {
                    var settings = data["settings"]!.ToObject<TrainingSettings>(JournalFormat.Serializer)!;
                    string dataset = (string)data["dataset"]!,
                        device = (string)data["device"]!;
                    training = new Lazy<RaceTrainingData>(() =>
                        new RaceTrainingData(
                            () => SandboxHost.LoadDataset(dataset),
                            host.Operations,
                            settings,
                            Evaluation.Devices.Resolve(device)
                        )
                    );
                }
                return new Session(host, entry, searchSpace, objective, training, fidelity);
            }
            catch
            {
                host.Dispose();
                throw;
            }
        }

        /// <summary>The entry the race raced: same name, same file, same build (a source edited since is refused: the race will swap to it).</summary>
        private static StrategyEntry Find(SandboxHost host, string name, string origin, string build)
        {
            if (origin.EndsWith(".csx", StringComparison.OrdinalIgnoreCase))
                host.RequireScript(origin);
            StrategyEntry? entry = host.Strategies.All.FirstOrDefault(e => e.Name == name && e.Source.Origin == origin);
            if (entry is null)
            {
                host.LoadScriptFolders();
                entry = host.Strategies.All.FirstOrDefault(e => e.Name == name && e.Source.Origin == origin);
            }
            if (entry is null)
                throw new NasException(
                    $"Strategy '{name}' from {origin} could not be loaded in the contestant's process."
                );
            if (build.Length > 0 && entry.Source.Build != build)
                throw new NasException(
                    $"{origin} changed since the race loaded it (build {build}, now {entry.Source.Build})."
                );
            return entry;
        }

        private static string[] Strings(JToken? token) =>
            token is JArray array ? array.Select(t => (string)t!).ToArray() : [];

        public JObject Handle(JObject request)
        {
            switch ((string?)request["op"])
            {
                case "create":
                    Retire();
                    var given = ((JObject?)request["knobs"] ?? [])
                        .Properties()
                        .ToDictionary(p => p.Name, p => (string)p.Value!);
                    var knobs = KnobValues.Create(Entry.Name, Entry.Factory.Knobs, given);
                    _instance = Entry.Factory.Create(knobs);
                    return WorkerWire.Ok();
                case "ask":
                    return Measured(request, () =>
                    {
                        var context = new SearchContext
                        {
                            Space = _space,
                            Random = new Random((int)request["seed"]!),
                            AskIndex = (int)request["index"]!,
                            EvaluationBudget = (int?)request["evaluationBudget"],
                            SecondsBudget = (double?)request["secondsBudget"],
                            EvaluationsUsed = (int)request["evaluationsUsed"]!,
                            SecondsUsed = (double)request["secondsUsed"]!,
                            TrainingSetup = KitFor(request["kit"] as JObject),
                            Objective = _objective,
                        };
                        var architecture = Instance.Ask(context);
                        return new JObject
                        {
                            ["ok"] = true,
                            ["arch"] = architecture?.Key,
                            ["inSpace"] = architecture is not null && _space.Contains(architecture),
                        };
                    });
                case "tell":
                    return Measured(request, () =>
                    {
                        Instance.Tell(JournalTrial.Parse((JObject)request["trial"]!, _space, "the referee's trial"));
                        return WorkerWire.Ok();
                    });
                case "dispose":
                    Retire();
                    return WorkerWire.Ok();
                default:
                    return WorkerWire.Error($"unknown request '{(string?)request["op"]}'");
            }
        }

        private IStrategy Instance => _instance ?? throw new InvalidOperationException("no instance: create one first");

        /// <summary>
        /// The instance's kit for this heat, made (lazily) when the referee first hands one over: the same data seed and
        /// weight seed as the race's own kit for this contestant, so the strategy trains on the same images.
        /// </summary>
        private ITrainingKit? KitFor(JObject? kit)
        {
            if (kit is null || _training is null)
                return null;
            if (_kit is null)
            {
                long dataSeed = (long)kit["dataSeed"]!,
                    seed = (long)kit["seed"]!;
                _kit = new DeferredTrainingKit(() => _training.Value.KitFor(dataSeed, _fidelity, seed));
            }
            return _kit;
        }

        /// <summary>Runs a call and adds whether it touched the training kit (the referee charges its wall time then).</summary>
        private JObject Measured(JObject request, Func<JObject> call)
        {
            long touches = _kit?.Touches ?? 0;
            double hostSeconds = _kit?.HostSeconds ?? 0;
            var reply = call();
            if (_kit is not null && _kit.Touches != touches)
                reply["kit"] = new JObject { ["hostSeconds"] = _kit.HostSeconds - hostSeconds };
            return reply;
        }

        private void Retire()
        {
            var old = _instance;
            (_instance, _kit) = (null, null);
            (old as IDisposable)?.Dispose();
        }

        public void Dispose()
        {
            try
            {
                Retire();
            }
            catch (Exception) { } // the process is ending; a failing Dispose changes nothing
            if (_training is { IsValueCreated: true })
                _training.Value.Dispose();
            _host.Dispose();
        }
    }
}
