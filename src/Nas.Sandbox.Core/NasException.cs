namespace Nas.Sandbox.Core;

/// <summary>
/// A problem the user can fix (bad input, missing file, unknown name). The CLI prints its message alone, without a
/// stack trace, and exits non-zero. The message names the file, line or field at fault.
/// </summary>
public class NasException : Exception
{
    public NasException(string message)
        : base(message) { }

    public NasException(string message, Exception inner)
        : base(message, inner) { }
}
