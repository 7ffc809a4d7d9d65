using System.Globalization;
using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Core.Racing;

/// <summary>
/// Turns what a contestant asked (<see cref="TrialAsk"/>) into a <see cref="TrialPlan"/>, or refuses it with a reason
/// that is journaled as a failed ask: a rung outside the ladder, or a continuation of a trial that is not one of the
/// contestant's finished ok trials of the same architecture at a lower rung.
/// </summary>
internal static class TrialPlans
{
    public static (TrialPlan? Plan, string? Refusal) Resolve(
        TrialAsk ask,
        ContestantRun contestant,
        RaceSettings settings
    )
    {
        if (!settings.MultiFidelity)
            return ask.Rung is null && ask.Continues is null
                ? (new TrialPlan(ask.Architecture, settings.Fidelity), null)
                : (null, "asked for a rung or a continuation, but the race has no fidelity ladder (--fidelities).");
        int top = settings.Fidelities.Count - 1;
        int rung = ask.Rung ?? top;
        if (rung < 0 || rung > top)
            return (
                null,
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"asked for rung {rung}, but the ladder {Ladder(settings)} has rungs 0 to {top}."
                )
            );
        Trial? parent = null;
        if (ask.Continues is { } index)
        {
            parent = contestant.History.FirstOrDefault(t => t.Index == index && !t.FromCache)
                ?? contestant.History.FirstOrDefault(t => t.Index == index);
            string? problem = parent is null
                ? contestant.Flight.Trials.Any(t => t.Index == index)
                    ? $"asked to continue trial {index}, which has not come back yet."
                    : $"asked to continue trial {index}, which is not one of its own finished trials in this heat."
                : parent.Status != TrialStatus.Ok
                    ? $"asked to continue trial {index}, which {Ended(parent.Status)}; only an ok trial can be continued."
                    : !parent.Architecture.Equals(ask.Architecture)
                        ? $"asked to continue trial {index} ({parent.Architecture.Key}) as another architecture ({ask.Architecture.Key})."
                        : parent.Rung is not { } from || from >= rung
                            ? $"asked to continue trial {index} (rung {parent.Rung?.ToString(CultureInfo.InvariantCulture) ?? "top"}) to rung {rung}, which is not higher."
                            : null;
            if (problem is not null)
                return (null, problem);
        }
        return (new TrialPlan(ask.Architecture, settings.FidelityAt(rung), rung, parent), null);
    }

    private static string Ladder(RaceSettings settings) => string.Join(',', settings.Fidelities);

    private static string Ended(TrialStatus status) =>
        status switch
        {
            TrialStatus.Failed => "failed",
            TrialStatus.Diverged => "diverged",
            TrialStatus.TimedOut => "timed out",
            _ => "is ok",
        };
}
