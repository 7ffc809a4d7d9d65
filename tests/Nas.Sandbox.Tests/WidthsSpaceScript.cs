namespace Nas.Sandbox.Tests;

/// <summary>
/// The source of a tiny script search space for tests: three layers whose widths are 8 or 16 (keys like <c>16:8:16</c>,
/// 8 architectures), built as a plain conv net; its builder, encoding length and parser can be broken on purpose.
/// </summary>
internal static class WidthsSpaceScript
{
    /// <summary>A space of three layers' widths, each 8 or 16 (keys like <c>16:8:16</c>; widths are multiples of 8: see ConvolutionCheck), with a plain conv net.</summary>
    public static string Source(string name, string? build = null, string encodingLength = "6", string? parse = null)
    {
        build ??= """
            var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
            int channels = shape.InputChannels;
            foreach (string choice in architecture.Choices)
            {
                int width = int.Parse(choice);
                layers.Add(($"conv{layers.Count}", nn.Conv2d(channels, width, 3, padding: 1)));
                layers.Add(($"bn{layers.Count}", nn.BatchNorm2d(width)));
                layers.Add(($"relu{layers.Count}", nn.ReLU()));
                channels = width;
            }
            layers.Add(("pool", nn.AdaptiveAvgPool2d(1)));
            layers.Add(("flatten", nn.Flatten()));
            layers.Add(("classifier", nn.Linear(channels, shape.Classes)));
            return nn.Sequential(layers);
            """;
        parse ??= "return FromChoices(key.Split(':'));";
        return $$"""
            using Nas.Sandbox.Abstractions;
            using static TorchSharp.torch;

            public class Widths : ISearchSpace
            {
                private static readonly string[] Choices = ["8", "16"];
                public string Name => "{{name}}";
                public long Size => 8;
                public IReadOnlyList<string> Operations => Choices;
                public int ChoiceCount => 3;
                public Architecture FromChoices(IReadOnlyList<string> c) => new(string.Join(":", c), c);
                public Architecture Parse(string key) { {{parse}} }
                public bool Contains(Architecture a) => a.Choices.Count == 3 && a.Choices.All(Choices.Contains);
                public Architecture Sample(Random r) => FromChoices([Choices[r.Next(2)], Choices[r.Next(2)], Choices[r.Next(2)]]);
                public Architecture Mutate(Architecture p, Random r)
                {
                    var c = p.Choices.ToArray();
                    int i = r.Next(3);
                    c[i] = c[i] == "8" ? "16" : "8";
                    return FromChoices(c);
                }
                public Architecture Crossover(Architecture a, Architecture b, Random r) =>
                    FromChoices(a.Choices.Select((x, i) => r.Next(2) == 0 ? x : b.Choices[i]).ToArray());
                public IReadOnlyList<Architecture> Neighbours(Architecture a) =>
                    Enumerable.Range(0, 3).Select(i => { var c = a.Choices.ToArray(); c[i] = c[i] == "8" ? "16" : "8"; return FromChoices(c); }).ToArray();
                public float[] Encode(Architecture a)
                {
                    var v = new float[{{encodingLength}}];
                    for (int i = 0; i < 3 && 2 * i + 1 < v.Length; i++)
                        v[2 * i + (a.Choices[i] == "8" ? 0 : 1)] = 1;
                    return v;
                }
            }

            public class WidthsProvider : ISpaceProvider
            {
                public string Name => "{{name}}";
                public string Description => "three layers' widths (a test space)";
                public ISearchSpace CreateSpace(IReadOnlyList<string>? operations) =>
                    operations is null ? new Widths() : throw new ArgumentException("it has no operations");
                public nn.Module<Tensor, Tensor> BuildNetwork(Architecture architecture, NetworkShape shape)
                {
                    {{build}}
                }
            }
            """;
    }
}
