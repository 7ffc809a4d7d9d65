using System.Buffers.Binary;
using System.IO.Compression;

namespace Nas.Sandbox.Core.Evaluation.Data;

/// <summary>An IDX array of unsigned bytes (the MNIST format): its dimensions and its data, row-major.</summary>
public sealed record IdxArray(int[] Shape, byte[] Data)
{
    public int Count => Shape[0];
    public int ItemSize => Shape.Skip(1).Aggregate(1, (a, b) => a * b);
}

/// <summary>
/// Reads IDX files (gzip-compressed or plain): a 4-byte magic (0, 0, type, dimension count), big-endian int32
/// dimensions, then the data. Only type 0x08 (unsigned byte) is used by image datasets. Every malformed file gets a
/// <see cref="NasException"/> naming the file and what is wrong.
/// </summary>
public static class IdxFile
{
    private const byte UnsignedByte = 0x08;

    /// <summary>
    /// The largest data an IDX file may declare: far above Fashion-MNIST's 47 MB of training images, far below what
    /// would exhaust memory. A damaged header (or a gzip bomb) is refused before anything of that size is allocated.
    /// </summary>
    public const long MaxDataBytes = 1L << 30;

    public static IdxArray Read(string path)
    {
        if (!File.Exists(path))
            throw new NasException($"{path}: file not found.");
        try
        {
            using var file = File.OpenRead(path);
            bool gzip = file.ReadByte() == 0x1f & file.ReadByte() == 0x8b;
            file.Position = 0;
            using Stream input = gzip ? new GZipStream(file, CompressionMode.Decompress) : file;
            return Read(input, path);
        }
        catch (InvalidDataException e)
        {
            throw new NasException($"{path}: corrupt gzip data ({e.Message}).", e);
        }
        catch (EndOfStreamException e)
        {
            throw new NasException($"{path}: truncated gzip data.", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NasException($"{path}: cannot be read ({e.Message}).", e);
        }
    }

    public static IdxArray Parse(byte[] raw, string name) => Read(new MemoryStream(raw, writable: false), name);

    /// <summary>Reads the header, checks the size it declares, then reads exactly that much data (and checks nothing follows).</summary>
    private static IdxArray Read(Stream input, string name)
    {
        var magic = new byte[4];
        int got = input.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        if (got < 4 || magic[0] != 0 || magic[1] != 0)
            throw new NasException($"{name}: not an IDX file (the first two bytes must be zero).");
        if (magic[2] != UnsignedByte)
            throw new NasException(
                $"{name}: IDX element type 0x{magic[2]:x2} is not supported (expected 0x08, unsigned byte)."
            );
        int dimensions = magic[3];
        if (dimensions < 1 || dimensions > 4)
            throw new NasException($"{name}: IDX dimension count {dimensions} is not in 1..4.");
        int headerSize = 4 + 4 * dimensions;
        var header = new byte[4 * dimensions];
        got = input.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        if (got < header.Length)
            throw new NasException($"{name}: truncated IDX header ({4 + got} of {headerSize} bytes).");
        var shape = new int[dimensions];
        for (int d = 0; d < dimensions; d++)
        {
            shape[d] = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4 * d));
            if (shape[d] < 0)
                throw new NasException($"{name}: IDX dimension {d} is negative ({shape[d]}).");
        }
        // Bounded at each step, so the product cannot overflow (each factor is below 2^31, the bound below 2^31).
        long expected = 1;
        foreach (int size in shape)
            if ((expected *= size) > MaxDataBytes)
                throw new NasException(
                    $"{name}: the IDX header declares {string.Join("×", shape)} bytes of data, more than the "
                        + $"{MaxDataBytes >> 20} MiB an IDX file may hold here: the header is damaged."
                );
        var data = new byte[expected];
        long actual = input.ReadAtLeast(data, data.Length, throwOnEndOfStream: false);
        if (actual < expected)
            throw new NasException(
                $"{name}: truncated IDX data: the header promises {expected} bytes ({string.Join("×", shape)}), the file has {actual}."
            );
        long extra = 0;
        var rest = new byte[4096];
        for (int n; (n = input.Read(rest)) > 0 && extra <= MaxDataBytes; )
            extra += n;
        if (extra > 0)
            throw new NasException(
                $"{name}: IDX data is {(extra > MaxDataBytes ? "more than " + MaxDataBytes : extra)} bytes longer than its header says ({string.Join("×", shape)})."
            );
        return new IdxArray(shape, data);
    }
}
