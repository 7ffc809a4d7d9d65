namespace Nas.Sandbox.Core.Hosting;

public sealed partial class SandboxHost
{
    private readonly Lock _namesakesLock = new();
    private readonly List<string> _uncompiledNamesakes = [];

    private IReadOnlyList<string> UncompiledNamesakes
    {
        get
        {
            lock (_namesakesLock)
                return _uncompiledNamesakes.ToArray();
        }
    }

    /// <summary>
    /// A lazy host that finds a strategy among built-ins and plugins never compiles the script folders, so it would not
    /// see a script of the same name, which a full load ignores with a warning: a user who copied a built-in into
    /// <c>~/.nas/scripts/random-search.csx</c> to change it would race the built-in and not know. A script's strategy
    /// is named after its file, so the file's name tells without compiling it; the warning is the one a full load gives.
    /// </summary>
    private void WarnOfUncompiledNamesakes(StrategyEntry found)
    {
        if (_scriptFoldersLoaded || found.Source.Kind == StrategySource.Script)
            return;
        var folders = _scriptFolders.Concat(Packs.InstalledPacks.All().Select(p => p.ScriptsFolder));
        foreach (string folder in folders)
        {
            string script = Path.GetFullPath(Path.Combine(folder, found.Name + ".csx"));
            if (!File.Exists(script))
                continue;
            string warning =
                $"Strategy '{found.Name}' from {script} ignored: {found.Source.Origin} already provides it.";
            lock (_namesakesLock)
                if (!_uncompiledNamesakes.Contains(warning))
                    _uncompiledNamesakes.Add(warning);
        }
    }
}
