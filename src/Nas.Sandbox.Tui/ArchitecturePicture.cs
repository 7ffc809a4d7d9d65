using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Spaces;

namespace Nas.Sandbox.Tui;

/// <summary>The picture of an architecture when the race's space gives none: an NB201 cell's diagram, or the key.</summary>
public static class ArchitecturePicture
{
    public static IReadOnlyList<string> Default(Architecture architecture, int maxWidth) =>
        architecture.Choices.Count == Nb201Space.EdgeCount
            ? Nb201CellDiagram.Draw(architecture.Choices, Math.Max(1, maxWidth))
            : [architecture.Key];
}
