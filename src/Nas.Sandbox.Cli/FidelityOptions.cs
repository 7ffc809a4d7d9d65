using System.CommandLine;
using Nas.Sandbox.Core.Estimators;

namespace Nas.Sandbox.Cli;

/// <summary>The training estimator's fidelity options, shared by `race`, `tui` and `tabulate`.</summary>
internal sealed class FidelityOptions
{
    private static readonly TrainingSettings Defaults = new();
    private readonly Option<int?> _epochs = new("--epochs")
    {
        Description = $"training epochs per evaluation [{Defaults.Epochs}]",
    };
    private readonly Option<int?> _images = new("--train-images")
    {
        Description = $"training images per evaluation [{Defaults.TrainingImages}]",
    };
    private readonly Option<int?> _validation = new("--validation-images")
    {
        Description = $"validation images per evaluation [{Defaults.ValidationImages}]",
    };
    private readonly Option<int?> _channels = new("--channels")
    {
        Description = $"channels C of the first stage [{Defaults.Channels}]",
    };
    private readonly Option<int?> _cells = new("--cells")
    {
        Description = $"cells per stage N (nb201; nats-size and macro fix their own) [{Defaults.CellsPerStage}]",
    };
    private readonly Option<int?> _batch = new("--batch-size")
    {
        Description = $"training batch size [{Defaults.BatchSize}]",
    };

    /// <summary>--epochs, as given (null when not).</summary>
    public Option<int?> Epochs => _epochs;

    public IEnumerable<Option> All => [_epochs, _images, _validation, _channels, _cells, _batch];

    /// <summary>The training settings the options ask for (validated).</summary>
    public TrainingSettings Settings(ParseResult result)
    {
        var training = Defaults with
        {
            Epochs = result.GetValue(_epochs) ?? Defaults.Epochs,
            TrainingImages = result.GetValue(_images) ?? Defaults.TrainingImages,
            ValidationImages = result.GetValue(_validation) ?? Defaults.ValidationImages,
            Channels = result.GetValue(_channels) ?? Defaults.Channels,
            CellsPerStage = result.GetValue(_cells) ?? Defaults.CellsPerStage,
            BatchSize = result.GetValue(_batch) ?? Defaults.BatchSize,
        };
        training.Validate();
        return training;
    }
}
