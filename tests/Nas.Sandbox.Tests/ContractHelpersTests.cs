using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core;

namespace Nas.Sandbox.Tests;

/// <summary>The contracts' shared helpers for strategies: <see cref="StableHash"/> and <see cref="Gaussian"/>.</summary>
public sealed class ContractHelpersTests
{
    [Theory]
    // The FNV-1a 64-bit test vectors (the reference implementation's, for one-byte chars).
    [InlineData("", 0xcbf29ce484222325UL)]
    [InlineData("a", 0xaf63dc4c8601ec8cUL)]
    [InlineData("foobar", 0x85944171f73967e8UL)]
    public void StableHash_is_FNV_1a_64(string text, ulong expected)
    {
        StableHash.Of(text).Should().Be(expected);
    }

    [Fact]
    public void StableHash_parts_hash_as_their_joined_text()
    {
        StableHash.Of('|', "a|b", "c").Should().Be(StableHash.Of("a|b|c"));
        StableHash.Of('|', "ab", "c").Should().NotBe(StableHash.Of('|', "a", "bc"));
        StableHash.Add(StableHash.Add(StableHash.Empty, "ab"), 'c').Should().Be(StableHash.Of("abc"));
        StableHash.ToInt32(0x0000000100000002UL).Should().Be(3);
    }

    [Fact]
    public void SeedMixer_seeds_are_unchanged_by_sharing_the_hash()
    {
        // Computed by an independent implementation of SplitMix64 over FNV-1a: every recorded race depends on this value.
        SeedMixer.Derive(42, 3, "rea", "nor_conv_3x3").Should().Be(1818709361774782971L);
    }

    [Fact]
    public void NextGaussian_is_one_Box_Muller_draw_of_two_uniforms()
    {
        var a = new Random(7);
        var b = new Random(7);
        double u1 = 1 - b.NextDouble(),
            u2 = b.NextDouble();
        a.NextGaussian().Should().Be(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        a.NextDouble().Should().Be(b.NextDouble(), "exactly two uniforms are consumed per sample");
    }

    [Fact]
    public void NextGaussian_has_the_asked_mean_and_spread()
    {
        var random = new Random(1);
        var samples = Enumerable.Range(0, 100_000).Select(_ => random.NextGaussian(5, 2)).ToArray();
        double mean = samples.Average();
        double std = Math.Sqrt(samples.Sum(x => (x - mean) * (x - mean)) / (samples.Length - 1));
        mean.Should().BeApproximately(5, 0.03); // 4 standard errors (2/√100000 ≈ 0.0063)
        std.Should().BeApproximately(2, 0.03);
        samples
            .Count(x => Math.Abs(x - 5) < 2)
            .Should()
            .BeInRange(67_800, 68_700, "about 68.27% lie within one standard deviation");
        FluentActions.Invoking(() => random.NextGaussian(0, -1)).Should().Throw<ArgumentOutOfRangeException>();
    }
}
