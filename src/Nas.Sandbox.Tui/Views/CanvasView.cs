using Terminal.Gui.Drawing;
using Terminal.Gui.ViewBase;
using Attribute = Terminal.Gui.Drawing.Attribute;

namespace Nas.Sandbox.Tui.Views;

/// <summary>
/// A view that draws its own text, cell by cell: the panels of the tournament screen. <see cref="Put"/> clips to the
/// viewport, so a panel never draws outside itself however small the terminal is.
/// </summary>
internal abstract class CanvasView : View
{
    protected int Columns => Viewport.Width;
    protected int Rows => Viewport.Height;

    protected override bool OnDrawingContent(DrawContext? context)
    {
        Draw();
        return true;
    }

    protected abstract void Draw();

    /// <summary>Writes <paramref name="text"/> at (x, y) in <paramref name="color"/> (the panel's normal colours when null).</summary>
    protected void Put(int x, int y, string text, Color? color = null, TextStyle style = TextStyle.None)
    {
        if (y < 0 || y >= Rows || x >= Columns || text.Length == 0)
            return;
        if (x < 0)
        {
            text = text[Math.Min(text.Length, -x)..];
            x = 0;
        }
        if (text.Length > Columns - x)
            text = text[..(Columns - x)];
        var normal = GetAttributeForRole(VisualRole.Normal);
        SetAttribute(new Attribute(color ?? normal.Foreground, normal.Background, style));
        AddStr(x, y, text);
        SetAttribute(normal);
    }

    /// <summary>Writes a whole row: <paramref name="text"/> fitted (cut with '…' or padded) to the panel's width.</summary>
    protected void PutRow(int y, string text, Color? color = null, TextStyle style = TextStyle.None) =>
        Put(0, y, TerminalText.Fit(text, Columns), color, style);
}
