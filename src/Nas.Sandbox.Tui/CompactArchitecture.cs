using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Spaces;

namespace Nas.Sandbox.Tui;

/// <summary>
/// An architecture in a few columns, for the trial log: NB201 cells as their six edge operations in short codes,
/// grouped by target node (<c>c3|sk ·|ap c1 sk</c>); macro architectures as their stages
/// (<c>k3e3 · k5e6 k7e3|k3e6 k3e6 · ·|…</c>); anything else as its key.
/// </summary>
internal static class CompactArchitecture
{
    private static readonly Dictionary<string, string> Codes = new(StringComparer.Ordinal)
    {
        ["none"] = "·",
        ["skip_connect"] = "sk",
        ["nor_conv_1x1"] = "c1",
        ["nor_conv_3x3"] = "c3",
        ["avg_pool_3x3"] = "ap",
        ["dil_conv_3x3"] = "d3",
        ["dil_conv_5x5"] = "d5",
        ["sep_conv_3x3"] = "s3",
        ["sep_conv_5x5"] = "s5",
        ["max_pool_3x3"] = "mp",
        ["se_block"] = "se",
        ["mbconv_k3_e3"] = "k3e3",
        ["mbconv_k3_e6"] = "k3e6",
        ["mbconv_k5_e3"] = "k5e3",
        ["mbconv_k5_e6"] = "k5e6",
        ["mbconv_k7_e3"] = "k7e3",
        ["mbconv_k7_e6"] = "k7e6",
    };

    /// <summary>Key to the codes, for the help line.</summary>
    public const string Legend =
        "c3/c1 conv 3x3/1x1, s3/s5 sep conv, d3/d5 dil conv, se squeeze-excite, k5e6 mbconv k5 e6, sk skip, ap avg pool, · none/skipped";

    public static string Format(Architecture architecture)
    {
        var ops = architecture.Choices;
        if (ops.Count == MacroSpace.LayerCount && architecture.Key == MacroSpace.Format(ops))
            return Macro(ops);
        if (ops.Count != 6)
            return architecture.Key;
        return $"{Code(ops[0])}|{Code(ops[1])} {Code(ops[2])}|{Code(ops[3])} {Code(ops[4])} {Code(ops[5])}";
    }

    /// <summary>A macro architecture's stages split by '|', its layers by spaces, a skipped layer as '·'.</summary>
    private static string Macro(IReadOnlyList<string> ops) =>
        string.Join(
            '|',
            ops.Chunk(MacroSpace.LayersPerStage)
                .Select(stage => string.Join(' ', stage.Select(op => op == "skip_connect" ? "·" : Code(op))))
        );

    private static string Code(string op) =>
        Codes.TryGetValue(op, out string? code) ? code
        : op.Length <= 3 ? op
        : op[..3];
}
