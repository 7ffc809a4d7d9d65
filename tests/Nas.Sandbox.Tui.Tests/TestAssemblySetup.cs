using System.Runtime.CompilerServices;

namespace Nas.Sandbox.Tui.Tests;

internal static class TestAssemblySetup
{
    // Terminal.Gui must never touch the real terminal from tests: from an interactive shell it would paint over it and
    // leave it raw, and under `timeout` the whole run would be stopped by SIGTTOU (see shared/design/notes-terminal-gui.md).
    [ModuleInitializer]
    internal static void Initialize() => Environment.SetEnvironmentVariable("DisableRealDriverIO", "1");
}
