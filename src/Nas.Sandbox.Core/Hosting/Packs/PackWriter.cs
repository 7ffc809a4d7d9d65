using System.IO.Compression;
using Nas.Sandbox.Abstractions;
using NuGet.Packaging;
using NuGet.Packaging.Core;
using NuGet.Packaging.Licenses;
using NuGet.Versioning;

namespace Nas.Sandbox.Core.Hosting.Packs;

/// <summary>
/// Writes a staged pack as <c>&lt;id&gt;.&lt;version&gt;.nupkg</c>: hashes every staged file into the manifest,
/// fills the .nuspec from the same metadata (package type <see cref="PackFormat.PackageType"/>), saves it with fixed
/// entry times (NuGet stamps the build time, so the same input would not give the same bytes), and verifies the
/// result before it is moved into place.
/// </summary>
public static class PackWriter
{
    public static VerifiedPack Write(PackStaging staging, PackMetadata metadata, string outputFolder)
    {
        var manifest = Manifest(staging, metadata);
        File.WriteAllText(Path.Combine(staging.Root, PackFormat.ManifestFile), PackManifestJson.Write(manifest));

        var builder = new PackageBuilder(deterministic: true)
        {
            Id = manifest.Id,
            Version = NuGetVersion.Parse(manifest.Version.ToFullString()),
            Description = manifest.Description,
            LicenseMetadata = License(manifest.License),
        };
        builder.Authors.AddRange(manifest.Authors);
        builder.PackageTypes.Add(new PackageType(PackFormat.PackageType, new Version(PackFormat.Schema, 0)));
        builder.Tags.Add("nas-sandbox-pack");
        foreach (string path in manifest.Files.Select(f => f.Path).Append(PackFormat.ManifestFile))
            builder.Files.Add(
                new PhysicalPackageFile { SourcePath = Path.Combine(staging.Root, path), TargetPath = path }
            );

        Directory.CreateDirectory(outputFolder);
        string target = Path.Combine(
            Path.GetFullPath(outputFolder),
            $"{manifest.Id}.{manifest.Version.ToNormalizedString()}.nupkg"
        );
        string temporary = target + ".partial";
        try
        {
            using (var saved = new MemoryStream())
            using (var stream = File.Create(temporary))
            {
                builder.Save(saved);
                saved.Position = 0;
                WithFixedTimes(saved, stream);
            }
            PackVerifier.Verify(temporary);
            File.Move(temporary, target, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
        return PackVerifier.Verify(target);
    }

    /// <summary>The zip again, entry by entry in the same order, each stamped with one fixed time.</summary>
    private static void WithFixedTimes(Stream zip, Stream output)
    {
        var fixedTime = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var source = new ZipArchive(zip, ZipArchiveMode.Read);
        using var target = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        foreach (var entry in source.Entries)
        {
            var copy = target.CreateEntry(entry.FullName, CompressionLevel.Optimal);
            copy.LastWriteTime = fixedTime;
            using var from = entry.Open();
            using var to = copy.Open();
            from.CopyTo(to);
        }
    }

    private static PackManifest Manifest(PackStaging staging, PackMetadata metadata)
    {
        if (staging.Plugins.Count == 0 && staging.Scripts.Count == 0 && staging.Race is null)
            throw new PackException(
                "Nothing to pack: no plugin (plugins/NAME/NAME.dll) and no script (*.csx) was found."
            );
        Check(metadata);
        string id = metadata.Id ?? throw new PackException("The pack needs an id: --id ID.");
        var version = SemanticVersion.Parse(metadata.Version ?? "1.0.0");
        string license = metadata.License
            ?? throw new PackException(
                "The pack needs a license: --license with an SPDX expression (e.g. MIT or Apache-2.0), or \"license\" in the folder's nas-pack.json, or PackageLicenseExpression in the project."
            );
        var provides = staging
            .Plugins.Select(p => p.Provides)
            .Concat(staging.Scripts.Select(s => s.Provides))
            .ToArray();
        string description = metadata.Description is { Length: > 0 } given
            ? given
            : "A Nas.Sandbox pack: "
                + string.Join(", ", provides.Select(p => p.Describe()).Where(d => d.Length > 0))
                + ".";
        var authors = metadata.Authors is { Count: > 0 } named ? named : [Environment.UserName];

        var files = Directory
            .EnumerateFiles(staging.Root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(staging.Root, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(p => p != PackFormat.ManifestFile)
            .Order(StringComparer.Ordinal)
            .Select(p =>
            {
                using var stream = File.OpenRead(Path.Combine(staging.Root, p));
                return new PackFile(p, PackVerifier.Sha256Hex(stream));
            })
            .ToArray();
        return new PackManifest
        {
            Id = id,
            Version = version,
            Api = ApiRange(staging),
            Description = description,
            Authors = authors,
            License = license,
            Plugins = staging.Plugins,
            Scripts = staging.Scripts,
            Race = staging.Race,
            Files = files,
        };
    }

    /// <summary>
    /// What a pack built here needs, up to the next major version: the newest API its plugins were compiled against,
    /// or, when it has scripts, this host's API (a script may use anything this host offers, and nothing says less).
    /// A race of built-in contestants alone has neither: this host's API, which recorded the race.
    /// </summary>
    private static VersionRange ApiRange(PackStaging staging)
    {
        var floor =
            staging.Scripts.Count > 0 || staging.Plugins.Count == 0
                ? ApiVersion.Current
                : staging
                    .Plugins.Select(p =>
                        PluginApiCheck.ReferencedApiVersion(Path.Combine(staging.Root, p.AssemblyPath))
                        ?? ApiVersion.Current
                    )
                    .Max()!;
        return new VersionRange(
            new NuGetVersion(floor.Major, floor.Minor, 0),
            includeMinVersion: true,
            new NuGetVersion(floor.Major + 1, 0, 0),
            includeMaxVersion: false
        );
    }

    /// <summary>
    /// Refuses an id, version or license of <paramref name="metadata"/> that a pack cannot have (those not given pass):
    /// the command line's are checked before anything is compiled or published.
    /// </summary>
    public static void Check(PackMetadata metadata)
    {
        if (metadata.Id is { } id && PackId.Problem(id) is { } idProblem)
            throw new PackException($"--id: {idProblem}.");
        if (metadata.Version is { } version && !SemanticVersion.TryParse(version, out _))
            throw new PackException(
                $"--version: '{version}' is not a semantic version (MAJOR.MINOR.PATCH[-prerelease])."
            );
        if (metadata.License is { } license)
            License(license);
    }

    private static LicenseMetadata License(string expression)
    {
        // NuGet's parser says "Value cannot be null or empty", which names no option.
        if (string.IsNullOrWhiteSpace(expression))
            throw new PackException(
                "--license: the license is empty; give an SPDX license expression (e.g. MIT, Apache-2.0, MIT OR Apache-2.0)."
            );
        try
        {
            return new LicenseMetadata(
                LicenseType.Expression,
                expression,
                NuGetLicenseExpression.Parse(expression),
                warningsAndErrors: null,
                LicenseMetadata.CurrentVersion
            );
        }
        catch (Exception e) when (e is NuGetLicenseExpressionParsingException or ArgumentException)
        {
            throw new PackException(
                $"--license: '{expression}' is not an SPDX license expression (e.g. MIT, Apache-2.0, MIT OR Apache-2.0): {e.Message}"
            );
        }
    }
}
