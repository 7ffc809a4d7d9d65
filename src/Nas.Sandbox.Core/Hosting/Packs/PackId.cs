namespace Nas.Sandbox.Core.Hosting.Packs;

/// <summary>Pack ids follow NuGet's package id rules, because a pack is a NuGet package.</summary>
public static class PackId
{
    public const int MaxLength = 100;

    /// <summary>Null when <paramref name="id"/> is a valid pack id, otherwise why not.</summary>
    public static string? Problem(string id)
    {
        if (id.Length is 0 or > MaxLength)
            return $"'{id}' must have 1 to {MaxLength} characters";
        if (!NuGet.Packaging.PackageIdValidator.IsValidPackageId(id))
            return $"'{id}' is not a valid package id (letters, digits, '.', '-', '_'; no leading or trailing '.' or '-')";
        return null;
    }
}
