using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Evaluation.Operations;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Hosting.Packs;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Cluster;

/// <summary>
/// The code a race sends its cluster workers: the script or plugin of an estimator that is not built in, of a search
/// space that is not, and of the space's operations that are not, as one pack (the format <c>nas pack</c> writes, <see cref="PackFormat"/>) built
/// deterministically, so the same sources give the same bytes and the same SHA-256. It travels inside the setup as
/// <c>{"id", "sha256", "bytes"}</c>. A worker loads none of it before the bytes hash to the stated SHA-256, the SHA-256
/// is one its <c>--packs</c> accepts, and <see cref="PackStore.Install"/> verified every file against the manifest;
/// the installed copy is re-hashed once more (<see cref="PackStore.CheckInstalled"/>) just before its slots load it.
/// </summary>
public static class ShippedPack
{
    /// <summary>The pack's id: it holds the race's code, not a shared pack, and is installed only in a worker's own store.</summary>
    public const string Id = "nas-race-code";

    /// <summary>
    /// Far beyond a script or plugin (an estimator with its dependencies is a few MB), and far below Orleans' 100 MB
    /// message limit once base64 has added its third.
    /// </summary>
    public const long MaxBytes = 48L << 20;

    /// <summary>The shipped pack of a setup and the estimator's name in it (a script named by path is known by the estimator it defines).</summary>
    public sealed record Shipment(JObject Pack, string Estimator, PackManifest Manifest);

    /// <summary>
    /// Race side: packs the sources of the race's estimator, space and operations that are not built in; null when
    /// everything is built in (nothing is sent, and a worker needs nothing but its own build). A worker's slots build
    /// the space's networks, so a space from a script or plugin travels like an estimator does.
    /// </summary>
    public static Shipment? Build(
        SandboxHost host,
        string estimator,
        IReadOnlyList<string>? operations,
        string space = "nb201"
    )
    {
        var builtIn = OperationRegistry.CreateDefault();
        // A space's own choices (nats-size's widths, as a resumed race names them) are not operations: only a list that
        // differs from the space's can hold operations from elsewhere (as RacePackSource reads it).
        var chosen = SandboxHost.UnlessDefault(host.ResolveSpace(space), operations);
        var foreign = (chosen ?? []).Where(o => !builtIn.Contains(o)).Distinct().ToArray();
        bool builtInSpace = SpaceCatalog.BuiltInNames.Contains(space);
        if (SandboxHost.EstimatorNames.Contains(estimator) && foreign.Length == 0 && builtInSpace)
            return null;
        using var staging = new PackStaging();
        string name = CodeSources.StageEstimator(estimator, staging, host);
        CodeSources.StageSpace(space, staging, host);
        foreach (string operation in foreign)
            CodeSources.StageOperation(operation, staging, host);
        var output = Directory.CreateTempSubdirectory("nas-race-code-");
        try
        {
            var pack = PackWriter.Write(
                staging,
                new PackMetadata
                {
                    Id = Id,
                    Version = "1.0.0",
                    Description = "The estimator and operations of a race, sent to its cluster workers.",
                    // Not a licence grant: the race's own code, installed only in its workers' temporary stores.
                    License = "LicenseRef-race-code",
                },
                output.FullName
            );
            byte[] bytes = File.ReadAllBytes(pack.Path);
            if (bytes.Length > MaxBytes)
                throw new NasException(
                    $"The race's code for its cluster workers ({Describe(pack.Manifest)}) is {bytes.Length / (1 << 20)} MB; at most {MaxBytes / (1 << 20)} MB can be sent. Race it on this machine instead (--workers N)."
                );
            return new Shipment(
                new JObject
                {
                    ["id"] = pack.Manifest.Display,
                    ["sha256"] = PackVerifier.Sha256Hex(new MemoryStream(bytes)),
                    ["bytes"] = Convert.ToBase64String(bytes),
                },
                name,
                pack.Manifest
            );
        }
        catch (PackException e)
        {
            throw new NasException($"The race's code cannot be sent to its cluster workers: {e.Message}");
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    /// <summary>What a setup's pack is called in messages: its SHA-256's first 12 digits.</summary>
    public static string ShortHash(JObject pack) => ((string?)pack["sha256"] ?? "").PadRight(12)[..12];

    /// <summary>
    /// Worker side: checks the shipped bytes against their SHA-256 and the worker's acceptance, then installs them
    /// (verified file by file) into a store of their own under <paramref name="folder"/>, named by the hash. Throws a
    /// <see cref="PackException"/> saying why it refuses; nothing is installed then.
    /// </summary>
    public static InstalledPack Install(JObject pack, string folder, PackAcceptance acceptance)
    {
        string stated = ((string?)pack["sha256"] ?? "").ToLowerInvariant();
        if (stated.Length != 64)
            throw new PackException("the race's pack states no SHA-256");
        if (acceptance.Refusal(stated) is { } refusal)
            throw new PackException(refusal);
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String((string?)pack["bytes"] ?? "");
        }
        catch (FormatException)
        {
            throw new PackException($"pack {stated[..12]}…'s bytes are not base64");
        }
        string actual = PackVerifier.Sha256Hex(new MemoryStream(bytes));
        if (actual != stated)
            throw new PackException(
                $"pack {stated[..12]}…'s bytes hash to {actual[..12]}…, not to the SHA-256 the race states; nothing was loaded"
            );
        var store = new PackStore(Path.Combine(folder, stated[..16]));
        if (store.Find(Id) is { } installed && PackStore.CheckInstalled(installed).Count == 0)
            return installed;
        string file = Path.Combine(folder, $"{stated}.nupkg");
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(file, bytes);
        try
        {
            var result = store.Install(file, force: true);
            var problems = PackStore.CheckInstalled(result.Pack);
            return problems.Count == 0
                ? result.Pack
                : throw new PackException(
                    $"pack {stated[..12]}… changed after it was installed: {string.Join("; ", problems)}"
                );
        }
        finally
        {
            File.Delete(file);
        }
    }

    public static string Describe(PackManifest manifest) =>
        string.Join(
            ", ",
            manifest
                .Plugins.Select(p => $"plugin {p.Name}")
                .Concat(manifest.Scripts.Select(s => $"script {Path.GetFileName(s.Path)}"))
        );
}

/// <summary>
/// Which shipped packs a worker loads (<c>nas worker --packs</c>): any whose bytes match their SHA-256, none (built-in
/// code only), or only those whose SHA-256 is listed (the operator pins exactly the code that may run).
/// </summary>
public sealed record PackAcceptance(bool Any, IReadOnlySet<string> Hashes)
{
    public static readonly PackAcceptance All = new(true, new HashSet<string>());
    public static readonly PackAcceptance Nothing = new(false, new HashSet<string>());

    /// <summary>Parses <c>any</c>, <c>none</c>, or a comma-separated list of SHA-256s (64 hex digits each).</summary>
    public static PackAcceptance Parse(string text)
    {
        string trimmed = text.Trim();
        if (trimmed.Equals("any", StringComparison.OrdinalIgnoreCase))
            return All;
        if (trimmed.Equals("none", StringComparison.OrdinalIgnoreCase))
            return Nothing;
        var hashes = new HashSet<string>(StringComparer.Ordinal);
        foreach (
            string part in trimmed.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        )
        {
            if (part.Length != 64 || !part.All(Uri.IsHexDigit))
                throw new NasException(
                    $"--packs '{part}': not a SHA-256 (64 hex digits); give any, none, or the SHA-256s of the packs this worker may load (the race prints them)."
                );
            hashes.Add(part.ToLowerInvariant());
        }
        return hashes.Count > 0
            ? new PackAcceptance(false, hashes)
            : throw new NasException("--packs is empty; give any, none, or SHA-256s.");
    }

    /// <summary>Null when a pack of this SHA-256 may be loaded, else why not.</summary>
    public string? Refusal(string sha256) =>
        Any ? null
        : Hashes.Count == 0 ? "this worker runs built-in code only (nas worker --packs none)"
        : Hashes.Contains(sha256) ? null
        : $"pack {sha256[..12]}… is not among the SHA-256s this worker's --packs accepts";
}
