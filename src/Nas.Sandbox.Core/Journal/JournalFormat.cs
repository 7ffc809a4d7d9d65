using System.Globalization;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Racing;
using Nas.Sandbox.Core.Racing.Objectives;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Core.Journal;

/// <summary>
/// The journal's JSON-lines format (docs/reference/journal.md): one object per event with a <c>type</c>
/// (<see cref="JournalEventTypes"/>) and a UTC <c>time</c>; accuracies are fractions in [0, 1].
/// </summary>
public static class JournalFormat
{
    public static JObject ToJson(RaceEvent raceEvent)
    {
        var json = raceEvent switch
        {
            RaceStarted e => new JObject
            {
                ["settings"] = Settings(e.Settings),
                ["estimator"] = e.Estimator,
                ["fidelity"] = e.Fidelity,
                ["operations"] = e.Operations is null ? null : new JArray(e.Operations),
                ["contestants"] = new JArray(e.Contestants.Select(Contestant)),
            },
            HeatStarted e => new JObject { ["heat"] = e.Heat, ["seed"] = e.Seed },
            TrialFinished e => Trial(e),
            TrialStarted e => new JObject
            {
                ["contestant"] = e.Contestant,
                ["heat"] = e.Heat,
                ["index"] = e.Index,
                ["arch"] = e.Architecture.Key,
                ["startedAt"] = e.StartedAt,
            }
                .WithNumber("rung", e.Rung)
                .WithNumber("continues", e.Continues),
            SearchCharged e => new JObject
            {
                ["contestant"] = e.Contestant,
                ["heat"] = e.Heat,
                ["index"] = e.Index,
                ["phase"] = e.Phase,
                ["seconds"] = Math.Round(e.Seconds, 4),
            },
            ContestantFailed e => new JObject
            {
                ["contestant"] = e.Contestant,
                ["heat"] = e.Heat,
                ["index"] = e.Index,
                ["phase"] = e.Phase,
                ["message"] = e.Message,
            }.With("crashed", e.Crashed ? true : null),
            ContestantSwapped e => new JObject
            {
                ["contestant"] = e.Contestant,
                ["heat"] = e.Heat,
                ["oldVersion"] = e.OldVersion,
                ["newVersion"] = e.NewVersion,
                ["trialsReplayed"] = e.TrialsReplayed,
                ["milliseconds"] = Math.Round(e.Milliseconds, 1),
                ["reason"] = e.Reason,
            },
            SwapFailed e => new JObject
            {
                ["contestant"] = e.Contestant,
                ["heat"] = e.Heat,
                ["source"] = e.Source,
                ["message"] = e.Message,
            },
            HeatFinished e => new JObject
            {
                ["heat"] = e.Heat,
                ["standings"] = new JArray(
                    e.Standings.Select(s =>
                        new JObject
                        {
                            ["contestant"] = s.Contestant,
                            ["evaluations"] = s.Evaluations,
                            ["failures"] = s.Failures,
                            ["seconds"] = Math.Round(s.Seconds, 3),
                            ["bestValidationAccuracy"] = s.BestValidationAccuracy,
                            ["bestArchitecture"] = s.BestArchitecture,
                            ["bestObjective"] = s.BestObjective,
                            ["searchSeconds"] = Math.Round(s.SearchSeconds, 3),
                        }
                            .WithNumber("meanWorkers", s.MeanWorkers)
                            .WithNumber("epochs", s.Epochs)
                            .WithNumber("clockSeconds", s.ClockSeconds is { } clock ? Math.Round(clock, 3) : null)
                            .WithFront(s)
                    )
                ),
            },
            RaceFinished e => new JObject { ["summary"] = Summary(e.Summary) },
            ContestantAdded e => new JObject { ["heat"] = e.Heat, ["contestant"] = Contestant(e.Contestant) },
            ContestantRemoved e => new JObject { ["heat"] = e.Heat, ["contestant"] = e.Contestant },
            HeatRestarted e => new JObject { ["heat"] = e.Heat, ["seed"] = e.Seed },
            RaceResumed e => new JObject { ["heat"] = e.Heat, ["trialsRecorded"] = e.TrialsRecorded },
            CommandRejected e => new JObject { ["command"] = e.Command, ["message"] = e.Message },
            EstimatorNotice e => new JObject { ["message"] = e.Message, ["warning"] = e.Warning },
            _ => throw new ArgumentException($"No journal format for {raceEvent.GetType().Name}."),
        };
        // type and time first, so a journal reads well in a pager.
        var ordered = new JObject
        {
            ["type"] = JournalEventTypes.Of(raceEvent),
            ["time"] = raceEvent.Time.ToString("O", CultureInfo.InvariantCulture),
        };
        foreach (var property in json.Properties())
            ordered.Add(property.Name, property.Value);
        return ordered;
    }

    private static JObject Contestant(ContestantInfo c) =>
        new()
        {
            ["contestant"] = c.Label,
            ["strategy"] = c.Strategy,
            ["source"] = c.Source,
            ["origin"] = c.Origin,
            ["version"] = c.Version,
            ["build"] = c.Build,
            ["knobs"] = JObject.FromObject(c.Knobs),
        };

    private static JObject Trial(TrialFinished e)
    {
        var t = e.Trial;
        var metrics = new JObject();
        void Add(string name, object? value)
        {
            if (value is not null)
                metrics[name] = JToken.FromObject(value);
        }
        Add("validationAccuracy", t.Metrics.ValidationAccuracy);
        Add("loss", t.Metrics.ValidationLoss);
        Add("trainingLoss", t.Metrics.TrainingLoss);
        Add("params", t.Metrics.Parameters);
        Add("flops", t.Metrics.Flops);
        Add("latencyMs", t.Metrics.LatencyMs);
        Add("latencyMsBatch64", t.Metrics.LatencyMsBatch64);
        Add("score", t.Metrics.Score);
        var json = new JObject
        {
            ["contestant"] = e.Contestant,
            ["heat"] = e.Heat,
            ["index"] = t.Index,
            ["arch"] = t.Architecture.Key,
            ["fidelity"] = JObject.FromObject(t.Fidelity, Serializer),
            ["status"] = StatusName(t.Status),
            ["metrics"] = metrics,
            ["cost"] = t.CostSeconds,
            ["cached"] = t.FromCache,
        };
        if (t.Objective is not null)
            json["objective"] = t.Objective;
        if (t.Objectives is not null)
            json["objectives"] = new JArray(t.Objectives);
        if (t.Message is not null)
            json["message"] = t.Message;
        if (e.StartedAt is { } started)
            json["startedAt"] = started;
        if (e.FinishedAt is { } finished)
            json["finishedAt"] = finished;
        if (t.Rung is { } rung)
            json["rung"] = rung;
        if (t.Continues is { } continues)
            json["continues"] = continues;
        if (t.Curve.Count > 0)
            json["curve"] = new JArray(t.Curve.Select(CurvePoint));
        return json;
    }

    /// <summary>
    /// Writes a trial line exactly as <see cref="ToJson"/> would, without building a JSON tree: trial lines are the
    /// journal's hot path (a tabular race writes hundreds of thousands a second).
    /// </summary>
    public static void WriteTrial(Newtonsoft.Json.JsonWriter w, TrialFinished e)
    {
        var t = e.Trial;
        var m = t.Metrics;
        var f = t.Fidelity;
        w.WriteStartObject();
        w.WritePropertyName("type");
        w.WriteValue(JournalEventTypes.Trial);
        w.WritePropertyName("time");
        w.WriteValue(e.Time.ToString("O", CultureInfo.InvariantCulture));
        w.WritePropertyName("contestant");
        w.WriteValue(e.Contestant);
        w.WritePropertyName("heat");
        w.WriteValue(e.Heat);
        w.WritePropertyName("index");
        w.WriteValue(t.Index);
        w.WritePropertyName("arch");
        w.WriteValue(t.Architecture.Key);
        w.WritePropertyName("fidelity");
        w.WriteStartObject();
        if (f.Epochs is { } epochs)
        {
            w.WritePropertyName("epochs");
            w.WriteValue(epochs);
        }
        if (f.TrainingImages is { } images)
        {
            w.WritePropertyName("trainingImages");
            w.WriteValue(images);
        }
        if (f.Channels is { } channels)
        {
            w.WritePropertyName("channels");
            w.WriteValue(channels);
        }
        if (f.CellsPerStage is { } cells)
        {
            w.WritePropertyName("cellsPerStage");
            w.WriteValue(cells);
        }
        if (f.BatchSize is { } batch)
        {
            w.WritePropertyName("batchSize");
            w.WriteValue(batch);
        }
        w.WriteEndObject();
        w.WritePropertyName("status");
        w.WriteValue(StatusName(t.Status));
        w.WritePropertyName("metrics");
        w.WriteStartObject();
        if (m.ValidationAccuracy is { } accuracy)
        {
            w.WritePropertyName("validationAccuracy");
            w.WriteValue(accuracy);
        }
        if (m.ValidationLoss is { } loss)
        {
            w.WritePropertyName("loss");
            w.WriteValue(loss);
        }
        if (m.TrainingLoss is { } trainingLoss)
        {
            w.WritePropertyName("trainingLoss");
            w.WriteValue(trainingLoss);
        }
        if (m.Parameters is { } parameters)
        {
            w.WritePropertyName("params");
            w.WriteValue(parameters);
        }
        if (m.Flops is { } flops)
        {
            w.WritePropertyName("flops");
            w.WriteValue(flops);
        }
        if (m.LatencyMs is { } latency)
        {
            w.WritePropertyName("latencyMs");
            w.WriteValue(latency);
        }
        if (m.LatencyMsBatch64 is { } latency64)
        {
            w.WritePropertyName("latencyMsBatch64");
            w.WriteValue(latency64);
        }
        if (m.Score is { } score)
        {
            w.WritePropertyName("score");
            w.WriteValue(score);
        }
        w.WriteEndObject();
        // Unrounded: a resumed race adds these up again and must reach the same budget decisions.
        w.WritePropertyName("cost");
        w.WriteValue(t.CostSeconds);
        w.WritePropertyName("cached");
        w.WriteValue(t.FromCache);
        if (t.Objective is { } objective)
        {
            w.WritePropertyName("objective");
            w.WriteValue(objective);
        }
        if (t.Objectives is { } objectives)
        {
            w.WritePropertyName("objectives");
            w.WriteStartArray();
            foreach (double v in objectives)
                w.WriteValue(v);
            w.WriteEndArray();
        }
        if (t.Message is not null)
        {
            w.WritePropertyName("message");
            w.WriteValue(t.Message);
        }
        if (e.StartedAt is { } started)
        {
            w.WritePropertyName("startedAt");
            w.WriteValue(started);
        }
        if (e.FinishedAt is { } finished)
        {
            w.WritePropertyName("finishedAt");
            w.WriteValue(finished);
        }
        if (t.Rung is { } rung)
        {
            w.WritePropertyName("rung");
            w.WriteValue(rung);
        }
        if (t.Continues is { } continues)
        {
            w.WritePropertyName("continues");
            w.WriteValue(continues);
        }
        if (t.Curve.Count > 0)
        {
            w.WritePropertyName("curve");
            w.WriteStartArray();
            foreach (var point in t.Curve)
                CurvePoint(point).WriteTo(w);
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    /// <summary>One epoch of a trial's learning curve: <c>{"epoch", "validationAccuracy", "loss", "trainingLoss", "seconds"}</c>.</summary>
    public static JObject CurvePoint(EpochResult p)
    {
        var json = new JObject { ["epoch"] = p.Epoch };
        if (p.ValidationAccuracy is { } accuracy)
            json["validationAccuracy"] = accuracy;
        if (p.ValidationLoss is { } loss)
            json["loss"] = loss;
        if (p.TrainingLoss is { } trainingLoss)
            json["trainingLoss"] = trainingLoss;
        json["seconds"] = p.Seconds;
        return json;
    }

    public static EpochResult ParseCurvePoint(JToken token) =>
        new()
        {
            Epoch = (int)token["epoch"]!,
            ValidationAccuracy = (double?)token["validationAccuracy"],
            ValidationLoss = (double?)token["loss"],
            TrainingLoss = (double?)token["trainingLoss"],
            Seconds = (double?)token["seconds"] ?? 0,
        };

    public static string StatusName(TrialStatus status) =>
        status switch
        {
            TrialStatus.Ok => "ok",
            TrialStatus.Failed => "failed",
            TrialStatus.Diverged => "diverged",
            TrialStatus.TimedOut => "timed-out",
            _ => throw new ArgumentOutOfRangeException(nameof(status)),
        };

    public static JObject Settings(RaceSettings s) =>
        new JObject
        {
            ["contestants"] = new JArray(s.Contestants.Select(c => c.Label)),
            ["space"] = s.Space,
            ["estimator"] = s.Estimator,
            ["dataset"] = s.Dataset,
            ["table"] = s.Table,
            ["budget"] = s.Budget,
            ["budgetSeconds"] = s.BudgetSeconds,
            ["budgetEpochs"] = s.BudgetEpochs,
            ["fidelities"] = s.MultiFidelity ? new JArray(s.Fidelities) : null,
            ["earlyStop"] = s.EarlyStop,
            ["heats"] = s.Heats,
            ["seed"] = s.Seed,
            ["workers"] = s.Workers,
            ["workersCap"] = s.WorkersCap,
            ["cluster"] = s.Cluster,
            ["fidelity"] = JObject.FromObject(s.Fidelity, Serializer),
            ["validationImages"] = s.ValidationImages,
            ["callTimeout"] = s.CallTimeout.TotalSeconds,
            ["contestantMemory"] = s.ContestantMemoryGiB,
            ["objective"] = s.Objective.Text,
            ["tableColumns"] = s.TableColumns,
            ["tablePercent"] = s.TablePercent,
            ["tableSeeds"] = s.TableSeeds,
            ["isolation"] = s.ContestantProcesses ? "process" : "in-process",
            ["torchThreads"] = s.TorchThreads,
            ["reference"] = s.Reference is null ? null : JObject.FromObject(s.Reference),
            ["plugins"] = s.PluginFolders.Count == 0 ? null : new JArray(s.PluginFolders),
            ["scripts"] = s.ScriptFolders.Count == 0 ? null : new JArray(s.ScriptFolders),
        }.WithLatency(s.Latency);

    public static JObject Summary(RaceSummary summary) =>
        new()
        {
            ["settings"] = Settings(summary.Settings),
            ["seed"] = summary.Settings.Seed,
            ["wallSeconds"] = Math.Round(summary.WallSeconds, 2),
            ["objective"] = summary.Settings.Objective.Text,
            ["reference"] = summary.Reference is { } r ? Reference(r) : null,
            ["contestants"] = new JArray(
                summary.Contestants.Select(c =>
                    new JObject
                    {
                        ["rank"] = c.Rank,
                        ["contestant"] = c.Label,
                        ["strategy"] = c.Strategy,
                        ["source"] = c.Source,
                        ["version"] = c.Version,
                        ["evaluations"] = c.Evaluations,
                        ["failures"] = c.Failures,
                        ["bestValidationAccuracy"] = c.BestValidationAccuracy,
                        ["bestValidationAccuracyStd"] = c.BestValidationAccuracyStd,
                        ["bestArchitecture"] = c.BestArchitecture,
                        ["seconds"] = Math.Round(c.Seconds, 3),
                        ["searchSeconds"] = Math.Round(c.SearchSeconds, 3),
                    }
                        .WithNumber("meanWorkers", c.MeanWorkers)
                        .WithNumber("clockSeconds", c.ClockSeconds is { } clock ? Math.Round(clock, 3) : null)
                        .WithNumber("epochs", c.Epochs)
                        .WithTest(c)
                        .WithObjective(c, summary)
                )
            ),
        };

    /// <summary>The reference point of a Pareto race: each component's value in its unit, and where it came from.</summary>
    public static JObject Reference(ParetoReference reference)
    {
        var json = new JObject();
        for (int i = 0; i < reference.Components.Count; i++)
            json[reference.Components[i].Name] = reference.Raw[i];
        json["source"] = reference.Source;
        return json;
    }

    /// <summary>The best objective (a race that is not plain accuracy) and the hypervolume (a Pareto race).</summary>
    private static JObject WithObjective(this JObject json, ContestantSummary c, RaceSummary summary)
    {
        if (!summary.Settings.Objective.IsAccuracy)
        {
            json["bestObjective"] = c.BestObjective;
            json["bestObjectiveStd"] = c.BestObjectiveStd;
        }
        if (summary.Reference is not null)
        {
            json["hypervolume"] = c.Hypervolume;
            json["hypervolumeStd"] = c.HypervolumeStd;
        }
        return json;
    }

    private static JObject WithFront(this JObject json, HeatStanding s)
    {
        if (s.Front is null)
            return json;
        json["front"] = new JArray(
            s.Front.Select(p => new JObject
            {
                ["index"] = p.Index,
                ["arch"] = p.Architecture,
                ["objectives"] = new JArray(p.Objectives),
            })
        );
        return json;
    }

    /// <summary>
    /// How a race that measures latency measures it (whole numbers of forward passes). Absent from other races' settings,
    /// and from journals written before it was recorded: those resume with the defaults.
    /// </summary>
    private static JObject WithLatency(this JObject json, Evaluation.Model.LatencySettings? latency)
    {
        if (latency is null)
            return json;
        json["latencyWarmup"] = latency.Warmup;
        json["latencyRepeats"] = latency.Repeats;
        return json;
    }

    /// <summary>Adds test accuracy of the best-by-validation architecture where the estimator knows it (tabular).</summary>
    private static JObject WithTest(this JObject json, ContestantSummary c)
    {
        if (c.TestAccuracyOfBest is null)
            return json;
        json["testAccuracyOfBest"] = c.TestAccuracyOfBest;
        json["testAccuracyOfBestStd"] = c.TestAccuracyOfBestStd;
        return json;
    }

    /// <summary>Adds a property only when it has a value: optional fields are absent, not null, in the journal.</summary>
    private static JObject With(this JObject json, string name, JToken? value)
    {
        if (value is not null)
            json[name] = value;
        return json;
    }

    /// <summary>Adds a number only when there is one (JToken's conversion from double? would write a null).</summary>
    private static JObject WithNumber(this JObject json, string name, double? value) =>
        value is { } v ? json.With(name, new JValue(v)) : json;

    internal static readonly Newtonsoft.Json.JsonSerializer Serializer = new()
    {
        NullValueHandling = Newtonsoft.Json.NullValueHandling.Ignore,
        ContractResolver = new Newtonsoft.Json.Serialization.CamelCasePropertyNamesContractResolver(),
    };
}
