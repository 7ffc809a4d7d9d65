namespace Nas.Sandbox.Abstractions;

/// <summary>
/// An immutable point of a search space: the sequence of its choices (for the NAS-Bench-201 cell, the operation on each
/// of the six edges) and the space's canonical string for it. Equality and hashing are by <see cref="Key"/> only.
/// Only a search space creates architectures; strategies get them from the space (sample, mutate, parse ...).
/// </summary>
public sealed class Architecture : IEquatable<Architecture>
{
    public Architecture(string key, IReadOnlyList<string> choices)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(choices);
        Key = key;
        Choices = choices.ToArray();
    }

    /// <summary>Canonical string, e.g. <c>|nor_conv_3x3~0|+|skip_connect~0|none~1|+|...|</c> for the cell space.</summary>
    public string Key { get; }

    /// <summary>The choices in the space's fixed order (for the cell space: edges 1←0, 2←0, 2←1, 3←0, 3←1, 3←2).</summary>
    public IReadOnlyList<string> Choices { get; }

    public bool Equals(Architecture? other) =>
        other is not null && string.Equals(Key, other.Key, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as Architecture);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Key);

    public override string ToString() => Key;

    public static bool operator ==(Architecture? a, Architecture? b) => a is null ? b is null : a.Equals(b);

    public static bool operator !=(Architecture? a, Architecture? b) => !(a == b);
}
