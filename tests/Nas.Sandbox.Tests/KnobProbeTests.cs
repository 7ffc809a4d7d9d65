using System.Diagnostics;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Racing;

namespace Nas.Sandbox.Tests;

/// <summary>
/// The knob probe (<see cref="KnobProbe"/>) creates one instance before the race: a constructor that overruns the call
/// timeout is an error naming the contestant and the timeout, and the call it abandons is observed to its end.
/// </summary>
public sealed class KnobProbeTests : IDisposable
{
    private readonly ScriptFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>A script factory whose Create sleeps <c>sleep</c> ms, then refuses <c>bad=true</c> or throws.</summary>
    private IStrategyFactory SlowFactory(out Nas.Sandbox.Core.Hosting.Scripts.CompiledScript script)
    {
        string path = _folder.Write(
            "slow.csx",
            """
            public sealed class SlowFactory : IStrategyFactory
            {
                public string Name => "slow";
                public string Description => "its constructor sleeps";
                public IReadOnlyList<Knob> Knobs => [new Knob("sleep", "0", "ms to sleep"), new Knob("bad", "false", "refuse the knobs")];
                public IStrategy Create(KnobValues knobs)
                {
                    System.Threading.Thread.Sleep(knobs.GetInt("sleep", 0, 60_000));
                    if (knobs.GetBool("bad")) throw new KnobException("Knob 'bad' of 'slow' says no.");
                    throw new InvalidOperationException("the slow constructor failed late");
                }
            }
            """
        );
        var result = ScriptTestKit.Compiler.Compile(path);
        result.Diagnostics.Where(d => d.IsError).Should().BeEmpty(string.Join(Environment.NewLine, result.Diagnostics));
        script = result.Script!;
        return result.Script!.Strategies.Single();
    }

    private static KnobValues Knobs(IStrategyFactory factory, string sleep, string bad = "false") =>
        KnobValues.Create(
            factory.Name,
            factory.Knobs,
            new Dictionary<string, string> { ["sleep"] = sleep, ["bad"] = bad }
        );

    [Fact]
    public void A_constructor_that_overruns_the_timeout_is_an_error_naming_the_contestant_and_the_timeout()
    {
        var factory = SlowFactory(out var script);
        using var _ = script;
        var unobserved = new List<Exception>();
        EventHandler<UnobservedTaskExceptionEventArgs> record = (_, e) =>
        {
            if (
                e
                    .Exception.Flatten()
                    .InnerExceptions.Any(x => x.Message.Contains("slow constructor", StringComparison.Ordinal))
            )
                lock (unobserved)
                    unobserved.Add(e.Exception);
        };
        TaskScheduler.UnobservedTaskException += record;
        try
        {
            var clock = Stopwatch.StartNew();
            FluentActions
                .Invoking(() =>
                    KnobProbe.Check(factory, Knobs(factory, "600"), "slow:sleep=600", TimeSpan.FromMilliseconds(150))
                )
                .Should()
                .Throw<NasException>()
                .WithMessage("--strategy 'slow:sleep=600': *longer than the call timeout of 0.15 s*--call-timeout*");
            clock
                .Elapsed.Should()
                .BeLessThan(TimeSpan.FromMilliseconds(550), "the probe does not wait for the abandoned constructor");

            // Let the abandoned constructor end (it throws), then collect its task: its fault must have been observed.
            Thread.Sleep(900);
            for (int i = 0; i < 3; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
            lock (unobserved)
                unobserved.Should().BeEmpty("the probe observes the call it abandons");
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= record;
        }
    }

    [Fact]
    public void A_refused_knob_is_an_error_and_other_constructor_failures_are_left_to_the_race()
    {
        var factory = SlowFactory(out var script);
        using var _ = script;
        FluentActions
            .Invoking(() =>
                KnobProbe.Check(factory, Knobs(factory, "0", bad: "true"), "slow:bad=true", TimeSpan.FromSeconds(10))
            )
            .Should()
            .Throw<NasException>()
            .WithMessage("--strategy 'slow:bad=true': Knob 'bad' of 'slow' says no.");
        // Any other exception is journaled by the referee in every heat, under its call timeout: not a start-up error.
        FluentActions
            .Invoking(() => KnobProbe.Check(factory, Knobs(factory, "0"), "slow", TimeSpan.FromSeconds(10)))
            .Should()
            .NotThrow();
    }
}
