using System.CommandLine;
using Nas.Sandbox.Cli;
using Nas.Sandbox.Core.Evaluation;

// Before anything touches libtorch (see TorchRuntime.Configure).
TorchRuntime.Configure();
return await NasCommandLine.Build().Parse(args).InvokeAsync();
