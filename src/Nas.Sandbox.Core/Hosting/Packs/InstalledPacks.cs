namespace Nas.Sandbox.Core.Hosting.Packs;

/// <summary>
/// The installed packs of the user's home, for a host to load: their plugin folders join the plugin locations and
/// their script folders the script locations. A home that cannot be resolved or read has none (and says why in
/// <see cref="Problems"/>), so a race never fails because of the pack store.
/// </summary>
public static class InstalledPacks
{
    public static IReadOnlyList<InstalledPack> All()
    {
        try
        {
            return PackStore.ForUser().Installed();
        }
        catch (Exception e) when (e is NasException or IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    public static IReadOnlyList<string> Problems()
    {
        try
        {
            return PackStore.ForUser().Problems();
        }
        catch (Exception e) when (e is NasException or IOException or UnauthorizedAccessException)
        {
            return [$"installed packs: {e.Message}"];
        }
    }
}
