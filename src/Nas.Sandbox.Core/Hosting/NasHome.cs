namespace Nas.Sandbox.Core.Hosting;

/// <summary>
/// The user's Nas.Sandbox home, the one folder that holds everything of the user's that outlives a run:
/// <c>plugins/</c> (a sub-folder NAME holding NAME.dll per plugin), <c>scripts/</c> (<c>.csx</c> files),
/// <c>packs/</c> (installed packs) and <c>league.json</c> (with its lock), and <c>cache/</c>, which holds only what can be
/// made again (compiled scripts: <see cref="Scripts.ScriptCache"/>) and may be deleted at any time. It is <c>$NAS_HOME</c> if set, else
/// <c>~/.nas</c>; every host (CLI, console, contestant processes, tests) finds all four through this type.
/// Resolving never creates anything; whoever first writes there does.
/// <para>
/// Before there was one home, the league and the packs lived in <c>~/.nas-sandbox</c>. The default home reads an entry
/// from there for as long as it has not been moved (<see cref="NasHomeMigration"/> moves them), so a run before the
/// move, or after a move that failed, still finds the user's league and packs. A home chosen with <c>NAS_HOME</c>
/// never reads anything outside itself.
/// </para>
/// </summary>
public sealed class NasHome
{
    public const string Variable = "NAS_HOME";
    public const string DefaultFolderName = ".nas";

    /// <summary>The old home of the league and packs, in the user profile.</summary>
    public const string LegacyFolderName = ".nas-sandbox";
    public const string PluginsName = "plugins",
        ScriptsName = "scripts",
        PacksName = "packs",
        LeagueName = "league.json",
        CacheName = "cache";

    /// <summary>A home in <paramref name="folder"/> and nowhere else (no old home is read).</summary>
    public NasHome(string folder)
        : this(Path.GetFullPath(folder), userProfile: null, isDefault: false) { }

    private NasHome(string folder, string? userProfile, bool isDefault) =>
        (Folder, UserProfile, IsDefault) = (folder, userProfile, isDefault);

    public string Folder { get; }

    /// <summary>The user profile the home was resolved against; null when unknown (or not resolved from one).</summary>
    public string? UserProfile { get; }

    /// <summary>
    /// True when the home is <c>~/.nas</c> (NAS_HOME unset, or naming that very folder): the old home is read and migrated.
    /// </summary>
    public bool IsDefault { get; }

    /// <summary><c>~/.nas</c>, the home when NAS_HOME is unset; null when the user profile is unknown.</summary>
    public string? DefaultFolder => UserProfile is null ? null : Path.Combine(UserProfile, DefaultFolderName);

    /// <summary><c>~/.nas-sandbox</c>, where the league and packs lived before; null when the user profile is unknown.</summary>
    public string? LegacyFolder => UserProfile is null ? null : Path.Combine(UserProfile, LegacyFolderName);

    public string Plugins => Path.Combine(Folder, PluginsName);

    public string Scripts => Path.Combine(Folder, ScriptsName);

    /// <summary>Compiled scripts, kept so that a script met again needs no compiler (<see cref="Scripts.ScriptCache"/>).</summary>
    public string ScriptCache => Path.Combine(Folder, CacheName, ScriptsName);

    public string Packs => Entry(PacksName);

    public string League => Entry(LeagueName);

    public static NasHome Resolve() =>
        Resolve(Environment.GetEnvironmentVariable, Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));

    /// <summary>The home, or null when there is none (no NAS_HOME and no user profile): a host then goes on without it.</summary>
    public static NasHome? TryResolve()
    {
        try
        {
            return Resolve();
        }
        catch (NasException)
        {
            return null;
        }
    }

    /// <summary>The same rule over a given environment and user profile, checkable without touching the process's own.</summary>
    public static NasHome Resolve(Func<string, string?> environmentVariable, string? userProfile)
    {
        string? profile = string.IsNullOrEmpty(userProfile) ? null : Path.GetFullPath(userProfile);
        string? defaultFolder = profile is null ? null : Path.Combine(profile, DefaultFolderName);
        if (environmentVariable(Variable) is { Length: > 0 } chosen)
        {
            string folder = Path.GetFullPath(chosen);
            return new NasHome(
                folder,
                profile,
                isDefault: defaultFolder is not null && SamePath(folder, defaultFolder)
            );
        }
        if (defaultFolder is null)
            throw new NasException(
                $"Cannot find the user's home folder for ~/{DefaultFolderName}; set {Variable} to a folder."
            );
        return new NasHome(defaultFolder, profile, isDefault: true);
    }

    /// <summary>Whether two full paths name the same folder (a trailing separator aside).</summary>
    public static bool SamePath(string a, string b) =>
        string.Equals(
            Path.TrimEndingDirectorySeparator(a),
            Path.TrimEndingDirectorySeparator(b),
            OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal
        );

    /// <summary>
    /// The entry in this home; in the default home, the old home's while only that one exists (not moved yet, or its
    /// move failed).
    /// </summary>
    private string Entry(string name)
    {
        string here = Path.Combine(Folder, name);
        if (!IsDefault || LegacyFolder is null)
            return here;
        string old = Path.Combine(LegacyFolder, name);
        return !Path.Exists(here) && Path.Exists(old) ? old : here;
    }
}
