namespace Nas.Sandbox.Abstractions;

/// <summary>A malformed architecture string: says where (0-based character position) and what was expected.</summary>
public sealed class ArchitectureFormatException : FormatException
{
    public ArchitectureFormatException(string text, int position, string expected)
        : base($"Malformed architecture '{text}' at position {position}: expected {expected}.")
    {
        Text = text;
        Position = position;
        Expected = expected;
    }

    public string Text { get; }
    public int Position { get; }
    public string Expected { get; }
}
