namespace Nas.Sandbox.Abstractions;

/// <summary>
/// A 64-bit FNV-1a hash of text, the same in every process and on every platform (unlike <c>string.GetHashCode</c>,
/// which is randomised per process): for a strategy's pseudo-random but reproducible choices, such as a fixed order of
/// neighbours or a seed derived from a history. Chars (UTF-16 code units) are hashed one at a time, so hashing
/// "ab" equals hashing 'a' then 'b'; join parts with a separator char to keep ("a","bc") apart from ("ab","c").
/// Not a cryptographic hash. (API 1.2.)
/// </summary>
public static class StableHash
{
    /// <summary>The FNV-1a 64-bit offset basis: the hash of no text, where every hash starts.</summary>
    public const ulong Empty = 14695981039346656037UL;

    /// <summary>The FNV-1a 64-bit prime.</summary>
    private const ulong Prime = 1099511628211UL;

    /// <summary>The hash of <paramref name="text"/>.</summary>
    public static ulong Of(string text) => Add(Empty, text);

    /// <summary>The hash of <paramref name="parts"/> joined with <paramref name="separator"/> (no allocation).</summary>
    public static ulong Of(char separator, params string[] parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        ulong hash = Empty;
        for (int i = 0; i < parts.Length; i++)
        {
            if (i > 0)
                hash = Add(hash, separator);
            hash = Add(hash, parts[i]);
        }
        return hash;
    }

    /// <summary>Continues <paramref name="hash"/> with the chars of <paramref name="text"/>.</summary>
    public static ulong Add(ulong hash, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (char c in text)
            hash = (hash ^ c) * Prime;
        return hash;
    }

    /// <summary>Continues <paramref name="hash"/> with one char.</summary>
    public static ulong Add(ulong hash, char c) => (hash ^ c) * Prime;

    /// <summary>Folds a hash into an <c>int</c> (its high half XORed into its low half), e.g. for a <c>new Random(seed)</c>.</summary>
    public static int ToInt32(ulong hash) => (int)(hash ^ (hash >> 32));
}
