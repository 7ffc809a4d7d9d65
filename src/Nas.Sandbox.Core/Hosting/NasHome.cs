namespace Nas.Sandbox.Core.Hosting;

/// <summary>
/// The user's Nas.Sandbox home folder, which holds what outlives one run (the league file, later installed packs):
/// <c>$NAS_HOME</c> if set, else <c>~/.nas-sandbox</c>. Resolving never creates it; whoever first writes there does.
/// </summary>
public static class NasHome
{
    public const string Variable = "NAS_HOME";
    public const string DefaultFolderName = ".nas-sandbox";

    public static string Resolve() =>
        Resolve(Environment.GetEnvironmentVariable, Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));

    /// <summary>The same rule over a given environment, so it can be checked without touching the process's own.</summary>
    public static string Resolve(Func<string, string?> environmentVariable, string userProfile)
    {
        if (environmentVariable(Variable) is { Length: > 0 } home) return Path.GetFullPath(home);
        if (string.IsNullOrEmpty(userProfile))
            throw new NasException($"Cannot find the user's home folder for {DefaultFolderName}; set {Variable} to a folder.");
        return Path.Combine(userProfile, DefaultFolderName);
    }
}
