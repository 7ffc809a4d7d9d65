using System.IO.Compression;
using Nas.Sandbox.Core.Hosting.Packs;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Tests.Packs;

/// <summary>
/// A pack's zip entries held in memory, for crafting bad packs from a good one: rename, replace, add or drop entries,
/// edit the manifest, mark an entry as a symbolic link, then save as a new file.
/// </summary>
public sealed class PackArchive
{
    public List<(string Name, byte[] Bytes, int Attributes)> Entries { get; } = [];

    public static PackArchive Load(string path)
    {
        var archive = new PackArchive();
        using var zip = ZipFile.OpenRead(path);
        foreach (var entry in zip.Entries)
        {
            using var stream = entry.Open();
            using var bytes = new MemoryStream();
            stream.CopyTo(bytes);
            archive.Entries.Add((entry.FullName, bytes.ToArray(), entry.ExternalAttributes));
        }
        return archive;
    }

    public byte[] this[string name]
    {
        get => Entries.Single(e => e.Name == name).Bytes;
        set
        {
            int i = Entries.FindIndex(e => e.Name == name);
            if (i < 0)
                Entries.Add((name, value, 0));
            else
                Entries[i] = (name, value, Entries[i].Attributes);
        }
    }

    public void Rename(string from, string to)
    {
        int i = Entries.FindIndex(e => e.Name == from);
        Entries[i] = (to, Entries[i].Bytes, Entries[i].Attributes);
    }

    public void Remove(string name) => Entries.RemoveAll(e => e.Name == name);

    /// <summary>Marks an entry as a Unix symbolic link (mode 0120777 in the high bits), its bytes being the target.</summary>
    public void MakeSymbolicLink(string name, string target)
    {
        int i = Entries.FindIndex(e => e.Name == name);
        Entries[i] = (name, System.Text.Encoding.UTF8.GetBytes(target), unchecked((int)(0xA1FFu << 16)));
    }

    public JObject Manifest
    {
        get => JObject.Parse(System.Text.Encoding.UTF8.GetString(this[PackFormat.ManifestFile]));
        set => this[PackFormat.ManifestFile] = System.Text.Encoding.UTF8.GetBytes(value.ToString());
    }

    public void EditManifest(Action<JObject> edit)
    {
        var manifest = Manifest;
        edit(manifest);
        Manifest = manifest;
    }

    /// <summary>Adds a payload file and lists it in the manifest with its true hash, so only the check under test fails.</summary>
    public void AddListed(string name, byte[] bytes)
    {
        this[name] = bytes;
        EditManifest(m =>
            ((JArray)m["files"]!).Add(
                new JObject
                {
                    ["path"] = name,
                    ["sha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)),
                }
            )
        );
    }

    public string Save(string path)
    {
        File.Delete(path);
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (name, bytes, attributes) in Entries)
        {
            var entry = zip.CreateEntry(name);
            entry.ExternalAttributes = attributes;
            using var stream = entry.Open();
            stream.Write(bytes);
        }
        return path;
    }
}
