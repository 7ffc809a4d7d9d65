using System.Globalization;
using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Core.Racing;

/// <summary>
/// The race's work folder for training checkpoints (a race with a fidelity ladder): one file per contestant,
/// architecture and rung, under one folder per heat, so a continuation finds the state its parent trial left. A heat's
/// folder is deleted when the heat ends; the whole folder when the race ends. A killed race leaves
/// its checkpoints for <c>--resume</c>; a missing or partial one (<see cref="Estimators.TrainingCheckpointFile"/> writes
/// whole files only) means the continuation trains from scratch.
/// </summary>
internal sealed class CheckpointFolder
{
    private readonly bool _owned;

    public CheckpointFolder(string? folder)
    {
        _owned = folder is null;
        Root = folder ?? Path.Combine(Path.GetTempPath(), "nas-work", Guid.NewGuid().ToString("N"));
    }

    public string Root { get; }

    /// <summary>The checkpoint files of a trial: where it saves (below the top rung) and what it continues from.</summary>
    public TrainingCheckpoint? For(ContestantRun contestant, TrialPlan plan, int heat, RaceSettings settings)
    {
        int top = settings.Fidelities.Count - 1;
        string? saveTo = plan.Rung is { } rung && rung < top ? File(heat, contestant, plan.Architecture, rung) : null;
        var parent = plan.Continues;
        if (saveTo is null && parent is null)
            return null;
        return new TrainingCheckpoint
        {
            SaveTo = saveTo,
            ResumeFrom = parent is { Rung: { } parentRung }
                ? File(heat, contestant, parent.Architecture, parentRung)
                : null,
            ResumeEpochs = (int)(parent?.Fidelity.Epochs ?? 0),
            ResumeCurve = parent?.Curve ?? [],
        };
    }

    private string File(int heat, ContestantRun contestant, Architecture architecture, int rung) =>
        Path.Combine(
            Root,
            $"heat-{heat}",
            StableHash.Of(contestant.Label).ToString("x16", CultureInfo.InvariantCulture),
            $"{StableHash.Of(architecture.Key).ToString("x16", CultureInfo.InvariantCulture)}-rung{rung}.ckpt"
        );

    public void HeatEnded(int heat) => Delete(Path.Combine(Root, $"heat-{heat}"));

    /// <summary>The race is over: its folder goes, unless it was stopped and its folder is the journal's (for --resume).</summary>
    public void Close(bool keepForResume)
    {
        if (_owned || !keepForResume)
            Delete(Root);
    }

    private static void Delete(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
        }
        catch (IOException) { } // a file still open on a worker: the OS temp cleaner or the next run removes it
        catch (UnauthorizedAccessException) { }
    }
}
