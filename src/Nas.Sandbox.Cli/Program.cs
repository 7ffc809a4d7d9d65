using System.CommandLine;
using Nas.Sandbox.Cli;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Evaluation;
using Nas.Sandbox.Core.Evaluation.Model;

// Before anything touches libtorch (see TorchRuntime.Configure). libtorch itself is loaded when a command first builds a
// network: commands that train nothing start half a second of CPU sooner.
TorchRuntime.Configure(load: false);
try
{
    _ = ConvolutionCheck.RuleIsForced(); // a mistyped NAS_CONVOLUTION_CHECK is named now, not at the first odd network
}
catch (NasException e)
{
    Console.Error.WriteLine($"nas: {e.Message}");
    return 1;
}
var parsed = NasCommandLine.Build().Parse(args);
if (NasCommandLine.ParseErrors(parsed) is { } errors)
{
    Console.Error.Write(errors);
    return 1;
}
HomeNotices.Run(parsed, Console.Error);

// A contestant call abandoned by the watchdog may still be inside libtorch: see NativeExit.
return NativeExit.Finish(await parsed.InvokeAsync());
