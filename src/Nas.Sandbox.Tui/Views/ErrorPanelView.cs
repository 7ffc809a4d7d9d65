using Nas.Sandbox.Core.Racing.Tracking;

namespace Nas.Sandbox.Tui.Views;

/// <summary>
/// Build errors of scripts and plugins whose new version failed, as <c>file(line,col): error CODE: message</c>
/// (file names shortened to the file's own name), wrapped to the panel. The old version keeps racing meanwhile; the
/// panel empties when the source compiles again.
/// </summary>
internal sealed class ErrorPanelView : CanvasView
{
    private IReadOnlyList<SourceErrors> _errors = [];

    public int LineCount(int width) => Lines(width).Count();

    public void Show(IReadOnlyList<SourceErrors> errors)
    {
        _errors = errors;
        SetNeedsDraw();
    }

    protected override void Draw()
    {
        int row = 0;
        foreach (var (text, heading) in Lines(Columns))
        {
            if (row >= Rows)
                break;
            PutRow(row++, text, heading ? Palette.Warning : Palette.Failure);
        }
    }

    private IEnumerable<(string Text, bool Heading)> Lines(int width)
    {
        foreach (var source in _errors)
        {
            yield return (
                TerminalText.Fit($"{Path.GetFileName(source.Source)}: the old version keeps racing", width),
                true
            );
            string folder = Path.GetDirectoryName(source.Source) is { Length: > 0 } dir
                ? dir + Path.DirectorySeparatorChar
                : "";
            foreach (string line in source.Lines)
            foreach (string part in TerminalText.Wrap(folder.Length > 0 ? line.Replace(folder, "") : line, width))
                yield return (part, false);
        }
    }
}
