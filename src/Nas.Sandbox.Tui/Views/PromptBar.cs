using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Nas.Sandbox.Tui.Views;

/// <summary>
/// A one-line question at the bottom of the screen: free text (add a contestant) or a yes/no confirmation.
/// Enter answers, Esc cancels. Hidden when no question is open.
/// </summary>
internal sealed class PromptBar : View
{
    private readonly Label _question = new() { X = 0, Y = 0 };
    private readonly TextField _answer = new() { Y = 0, Width = Dim.Fill() };
    private Action<string>? _onAnswer;

    public PromptBar()
    {
        Height = 1;
        Visible = false;
        CanFocus = true;
        _answer.X = Pos.Right(_question) + 1;
        Add(_question, _answer);
    }

    public bool IsOpen => Visible;

    /// <summary>True for a yes/no question: a single y answers yes, any other key no.</summary>
    public bool IsConfirmation { get; private set; }

    public string Answer => _answer.Text;

    public void Ask(string question, Action<string> onAnswer, bool confirmation = false)
    {
        (_onAnswer, IsConfirmation) = (onAnswer, confirmation);
        _question.Text = question;
        _answer.Text = "";
        _answer.Visible = !confirmation;
        Visible = true;
        if (!confirmation)
            _answer.SetFocus();
    }

    public void Submit()
    {
        var answer = _onAnswer;
        string text = _answer.Text.Trim();
        Close();
        answer?.Invoke(text);
    }

    public void Close()
    {
        Visible = false;
        _onAnswer = null;
    }
}
