using NuGet.Common;
using NuGet.Protocol;
using NuGet.Protocol.Core.Types;
using NuGet.Versioning;

namespace Nas.Sandbox.Core.Hosting.Packs;

/// <summary>
/// Finds a pack by id on NuGet feeds: local folders (flat, or the id/version layout `nuget add` makes) or NuGet
/// servers, through NuGet's own client. The newest stable version wins unless one is named; prereleases are taken
/// only when asked for, or when there is nothing else.
/// </summary>
public static class PackFeed
{
    /// <summary>Downloads <paramref name="id"/> into <paramref name="folder"/> and returns the file's path.</summary>
    public static async Task<string> DownloadAsync(
        string id,
        string? version,
        IReadOnlyList<string> sources,
        string folder,
        CancellationToken cancellation
    )
    {
        if (sources.Count == 0)
            throw new PackException(
                $"To install '{id}' by id, name a feed with --source (a folder of .nupkg files, or a NuGet feed URL); or give a .nupkg file."
            );
        NuGetVersion? wanted = null;
        if (version is not null && !NuGetVersion.TryParse(version, out wanted))
            throw new PackException($"--version: '{version}' is not a version.");
        using var cache = new SourceCacheContext { NoCache = true, DirectDownload = true };
        var found = new List<(FindPackageByIdResource Resource, NuGetVersion Version, string Source)>();
        foreach (string source in sources)
        {
            var resource = await ResourceAsync(source, cancellation);
            IEnumerable<NuGetVersion> versions;
            try
            {
                versions = await resource.GetAllVersionsAsync(id, cache, NullLogger.Instance, cancellation);
            }
            catch (FatalProtocolException e)
            {
                throw new PackException($"--source {source}: {e.Message}", e);
            }
            found.AddRange(versions.Select(v => (resource, v, source)));
        }
        if (found.Count == 0)
            throw new PackException($"No pack '{id}' on {string.Join(", ", sources)}.");
        var pick = wanted is not null
            ? found.FirstOrDefault(f => f.Version == wanted)
            : found
                .Where(f => !f.Version.IsPrerelease)
                .DefaultIfEmpty(found.MaxBy(f => f.Version))
                .MaxBy(f => f.Version);
        if (pick.Resource is null)
            throw new PackException(
                $"--version {version}: '{id}' has no such version on {string.Join(", ", sources)}; it has "
                    + string.Join(", ", found.Select(f => f.Version.ToNormalizedString()).Distinct().Order())
                    + "."
            );
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, $"{id}.{pick.Version.ToNormalizedString()}.nupkg");
        await using (var file = File.Create(path))
            if (
                !await pick.Resource.CopyNupkgToStreamAsync(
                    id,
                    pick.Version,
                    file,
                    cache,
                    NullLogger.Instance,
                    cancellation
                )
            )
                throw new PackException($"{pick.Source}: could not download {id} {pick.Version}.");
        return path;
    }

    private static async Task<FindPackageByIdResource> ResourceAsync(string source, CancellationToken cancellation)
    {
        bool remote = Uri.TryCreate(source, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";
        if (!remote && File.Exists(source))
            throw new PackException(
                $"--source {source}: is a file; --source takes a feed: a folder of .nupkg files, or a NuGet feed URL"
                    + (
                        source.EndsWith(".nupkg", StringComparison.OrdinalIgnoreCase)
                            ? $" (to install this file, give it as PACK: nas pack install {source})."
                            : "."
                    )
            );
        if (!remote && !Directory.Exists(source))
            throw new PackException($"--source {source}: no such folder.");
        var repository = Repository.Factory.GetCoreV3(remote ? source : Path.GetFullPath(source));
        return await repository.GetResourceAsync<FindPackageByIdResource>(cancellation)
            ?? throw new PackException($"--source {source}: not a NuGet feed.");
    }
}
