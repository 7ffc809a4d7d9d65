using System.Runtime.InteropServices;

namespace Nas.Sandbox.Core.Evaluation;

/// <summary>
/// Process-wide libtorch settings that must be in place before the first tensor operation. Call
/// <see cref="Configure"/> first thing in every host (CLI, test assembly, benchmarks).
/// </summary>
public static partial class TorchRuntime
{
    /// <summary>Set to <c>native</c> to let libtorch use every instruction set the CPU reports (AVX-512 included).</summary>
    public const string IsaOverrideVariable = "NAS_TORCH_CPU_ISA";

    /// <summary>
    /// Quiets libtorch's C++ warnings (TORCH_CPP_LOG_LEVEL=ERROR), and caps libtorch's CPU kernels (ATen and oneDNN) at AVX2 on Linux x64, unless the user set either variable or
    /// <see cref="IsaOverrideVariable"/>=native. Why: on this project's build machines (x86-64 VMs reporting AVX-512)
    /// training with the AVX-512 kernels produced NaN losses at random batches in about half of all evaluations, while
    /// the same runs capped at AVX2 were clean and as fast (3.6 s per reference evaluation either way). Correct results
    /// matter more than a possible AVX-512 gain on other machines; opt back in with NAS_TORCH_CPU_ISA=native.
    /// The NaNs were oneDNN's: on those CPUs its AVX-512 convolutions miscompute layers of 8 channels (see
    /// <see cref="Model.ConvolutionCheck"/>); ATen's AVX-512 kernels were clean but no faster, so both stay capped.
    /// </summary>
    /// <param name="load">
    /// Load libtorch now (and apply the log level there). False defers that to <see cref="EnsureLoaded"/>, which the
    /// code that builds networks and operations calls: loading libtorch costs about half a second of CPU, which a
    /// command that trains nothing (a tabular race, <c>nas list</c>, <c>nas pack</c>) need not pay.
    /// </param>
    /// <summary>
    /// Whether oneDNN may use AVX-512 (16-float register blocks): the cap is lifted (<see cref="IsaOverrideVariable"/>
    /// or ONEDNN_MAX_CPU_ISA set to an AVX-512 level or ALL) and the CPU reports AVX-512.
    /// </summary>
    public static bool OneDnnUsesAvx512
    {
        get
        {
            if (!System.Runtime.Intrinsics.X86.Avx512F.IsSupported)
                return false;
            string isa = Environment.GetEnvironmentVariable("ONEDNN_MAX_CPU_ISA") ?? "ALL";
            return isa.StartsWith("AVX512", StringComparison.OrdinalIgnoreCase)
                || isa.StartsWith("AVX10", StringComparison.OrdinalIgnoreCase)
                || isa.Equals("ALL", StringComparison.OrdinalIgnoreCase);
        }
    }

    public static void Configure(bool load = true)
    {
        // libtorch warns "Could not initialize NNPACK! Reason: Unsupported hardware." on every convolution on CPUs
        // NNPACK does not know (these VMs), flooding the race's progress output. Errors still show.
        if (OperatingSystem.IsWindows())
            return;
        SetNativeIfUnset("TORCH_CPP_LOG_LEVEL", "ERROR");
        if (
            OperatingSystem.IsLinux()
            && RuntimeInformation.ProcessArchitecture == Architecture.X64
            && !string.Equals(
                Environment.GetEnvironmentVariable(IsaOverrideVariable),
                "native",
                StringComparison.OrdinalIgnoreCase
            )
        )
        {
            SetNativeIfUnset("ATEN_CPU_CAPABILITY", "avx2");
            SetNativeIfUnset("ONEDNN_MAX_CPU_ISA", "AVX2");
        }
        if (load)
            EnsureLoaded();
    }

    private static readonly Lazy<bool> Loaded = new(() =>
    {
        ApplyLogLevel();
        return true;
    });

    /// <summary>
    /// Loads libtorch and applies the log level, once (after <see cref="Configure"/>): before the first network or
    /// operation module is built, so before a convolution could warn. Cheap after the first call.
    /// </summary>
    public static void EnsureLoaded()
    {
        if (!OperatingSystem.IsWindows())
            _ = Loaded.Value;
    }

    // c10 reads TORCH_CPP_LOG_LEVEL only in c10::initLogging(), which PyTorch's Python module calls and a C++ host
    // (TorchSharp) does not: load the runtime, then call it once.
    private static unsafe void ApplyLogLevel()
    {
        TorchSharp.torch.InitializeDeviceType(TorchSharp.DeviceType.CPU);
        string c10 = OperatingSystem.IsMacOS() ? "libc10.dylib" : "libc10.so";
        if (
            NativeLibrary.TryLoad(c10, out var library)
            && NativeLibrary.TryGetExport(library, "_ZN3c1011initLoggingEv", out var initLogging)
        )
            ((delegate* unmanaged<void>)initLogging)();
    }

    // libtorch reads getenv(), i.e. the native environment: Environment.SetEnvironmentVariable does not reach it on Unix.
    private static void SetNativeIfUnset(string name, string value)
    {
        if (Environment.GetEnvironmentVariable(name) is not null)
            return;
        setenv(name, value, 0);
        Environment.SetEnvironmentVariable(name, value);
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);
}
