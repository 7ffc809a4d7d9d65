using System.CommandLine;
using Nas.Sandbox.Core.Evaluation.Model;

namespace Nas.Sandbox.Cli;

/// <summary>How latency is measured (warm-up and timed forward passes), shared by `race`, `tui` and `tabulate`.</summary>
internal sealed class LatencyOptions
{
    private static readonly LatencySettings Defaults = new();
    private readonly Option<int?> _warmup = new("--latency-warmup")
    {
        Description = $"untimed forward passes before latency is timed [{Defaults.Warmup}]",
    };
    private readonly Option<int?> _repeats = new("--latency-repeats")
    {
        Description = $"timed forward passes per batch size; the median is reported [{Defaults.Repeats}]",
    };

    public IEnumerable<Option> All => [_warmup, _repeats];

    public LatencySettings Settings(ParseResult result)
    {
        var settings = Defaults with
        {
            Warmup = result.GetValue(_warmup) ?? Defaults.Warmup,
            Repeats = result.GetValue(_repeats) ?? Defaults.Repeats,
        };
        settings.Validate();
        return settings;
    }
}
