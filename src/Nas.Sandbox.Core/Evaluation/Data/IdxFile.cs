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

    public static IdxArray Read(string path)
    {
        if (!File.Exists(path)) throw new NasException($"{path}: file not found.");
        byte[] raw;
        try
        {
            raw = File.ReadAllBytes(path);
            if (raw.Length >= 2 && raw[0] == 0x1f && raw[1] == 0x8b) raw = Gunzip(raw);
        }
        catch (InvalidDataException e)
        {
            throw new NasException($"{path}: corrupt gzip data ({e.Message}).", e);
        }
        catch (EndOfStreamException e)
        {
            throw new NasException($"{path}: truncated gzip data.", e);
        }
        return Parse(raw, path);
    }

    public static IdxArray Parse(byte[] raw, string name)
    {
        if (raw.Length < 4 || raw[0] != 0 || raw[1] != 0)
            throw new NasException($"{name}: not an IDX file (the first two bytes must be zero).");
        if (raw[2] != UnsignedByte)
            throw new NasException($"{name}: IDX element type 0x{raw[2]:x2} is not supported (expected 0x08, unsigned byte).");
        int dimensions = raw[3];
        if (dimensions < 1 || dimensions > 4) throw new NasException($"{name}: IDX dimension count {dimensions} is not in 1..4.");
        int headerSize = 4 + 4 * dimensions;
        if (raw.Length < headerSize) throw new NasException($"{name}: truncated IDX header ({raw.Length} of {headerSize} bytes).");
        var shape = new int[dimensions];
        long expected = 1;
        for (int d = 0; d < dimensions; d++)
        {
            shape[d] = BinaryPrimitives.ReadInt32BigEndian(raw.AsSpan(4 + 4 * d));
            if (shape[d] < 0) throw new NasException($"{name}: IDX dimension {d} is negative ({shape[d]}).");
            expected *= shape[d];
        }
        long actual = raw.Length - headerSize;
        if (actual != expected)
            throw new NasException(actual < expected
                ? $"{name}: truncated IDX data: the header promises {expected} bytes ({string.Join("×", shape)}), the file has {actual}."
                : $"{name}: IDX data is {actual - expected} bytes longer than its header says ({string.Join("×", shape)}).");
        return new IdxArray(shape, raw.AsSpan(headerSize).ToArray());
    }

    private static byte[] Gunzip(byte[] compressed)
    {
        using var input = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }
}
