// MSBuild inline task (see WeakenGlibcxx.targets): marks one version need of an ELF64 little-endian shared object as
// weak (VER_FLG_WEAK) when the system libstdc++ does not define that version. Compiled by RoslynCodeTaskFactory.
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public class NasWeakenElfVersionNeed : Task
{
    [Required]
    public ITaskItem[] Files { get; set; }

    [Required]
    public string VersionName { get; set; }

    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlgWeak = 0x2;

    static readonly string[] LibStdCxxCandidates =
    {
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
        "/usr/lib64/libstdc++.so.6",
        "/usr/lib/libstdc++.so.6",
        "/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/lib64/libstdc++.so.6",
    };

    public override bool Execute()
    {
        string libstdcxx = Array.Find(LibStdCxxCandidates, File.Exists);
        if (libstdcxx != null && Contains(File.ReadAllBytes(libstdcxx), Encoding.ASCII.GetBytes(VersionName + "\0")))
        {
            Log.LogMessage(MessageImportance.Low, "{0} defines {1}: nothing to weaken.", libstdcxx, VersionName);
            return true;
        }
        foreach (ITaskItem item in Files)
        {
            string path = item.GetMetadata("FullPath");
            try
            {
                string outcome = Weaken(path, VersionName);
                Log.LogMessage(MessageImportance.Normal, "{0}: {1}", path, outcome);
            }
            catch (Exception e)
            {
                Log.LogError("Could not weaken {0} in {1}: {2}", VersionName, path, e.Message);
            }
        }
        return !Log.HasLoggedErrors;
    }

    static string Weaken(string path, string versionName)
    {
        byte[] elf = File.ReadAllBytes(path);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("not a 64-bit little-endian ELF file");

        long sectionTable = (long)U64(elf, 0x28);
        int sectionSize = U16(elf, 0x3A),
            sectionCount = U16(elf, 0x3C);
        for (int s = 0; s < sectionCount; s++)
        {
            long header = sectionTable + (long)s * sectionSize;
            if (U32(elf, header + 4) != ShtGnuVerneed)
                continue;
            long offset = (long)U64(elf, header + 24);
            uint stringSection = U32(elf, header + 40),
                needCount = U32(elf, header + 44);
            long strings = (long)U64(elf, sectionTable + (long)stringSection * sectionSize + 24);

            long need = offset;
            for (uint n = 0; n < needCount; n++)
            {
                ushort auxCount = U16(elf, need + 2);
                long aux = need + U32(elf, need + 8);
                for (int a = 0; a < auxCount; a++)
                {
                    string name = CString(elf, strings + U32(elf, aux + 8));
                    if (name == versionName)
                    {
                        ushort flags = U16(elf, aux + 4);
                        if ((flags & VerFlgWeak) != 0)
                            return versionName + " already weak";
                        flags |= VerFlgWeak;
                        elf[aux + 4] = (byte)flags;
                        elf[aux + 5] = (byte)(flags >> 8);
                        // Replace rather than write in place: never write through a hard link into a package cache.
                        string temporary = path + ".weakening";
                        File.WriteAllBytes(temporary, elf);
                        File.Delete(path);
                        File.Move(temporary, path);
                        return versionName + " marked weak";
                    }
                    aux += U32(elf, aux + 12);
                }
                need += U32(elf, need + 12);
            }
            return "no " + versionName + " requirement";
        }
        return "no version-needs section";
    }

    static ushort U16(byte[] b, long o) => (ushort)(b[o] | b[o + 1] << 8);

    static uint U32(byte[] b, long o) => (uint)(b[o] | b[o + 1] << 8 | b[o + 2] << 16 | b[o + 3] << 24);

    static ulong U64(byte[] b, long o) => U32(b, o) | (ulong)U32(b, o + 4) << 32;

    static string CString(byte[] b, long o)
    {
        long end = o;
        while (end < b.Length && b[end] != 0)
            end++;
        return Encoding.ASCII.GetString(b, (int)o, (int)(end - o));
    }

    static bool Contains(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i <= haystack.Length - needle.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j])
                j++;
            if (j == needle.Length)
                return true;
        }
        return false;
    }
}
