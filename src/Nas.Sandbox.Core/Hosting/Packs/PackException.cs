namespace Nas.Sandbox.Core.Hosting.Packs;

/// <summary>A pack that is refused: the message names the pack, and the entry or manifest field at fault.</summary>
public sealed class PackException : NasException
{
    public PackException(string message)
        : base(message) { }

    public PackException(string message, Exception inner)
        : base(message, inner) { }
}
