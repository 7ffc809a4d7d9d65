using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Spaces;

namespace Nas.Sandbox.Core.Estimators.Tabular;

/// <summary>
/// How a table's <c>arch</c> column is read: the architectures of which space, parsed how. A table does not record its
/// space (its columns stay those every CSV reader knows); the command that reads it says which (<c>--space</c>, nb201
/// by default), and a key the space cannot parse is one error naming the file, line, key and space.
/// </summary>
/// <param name="Space">The space's name, for errors.</param>
/// <param name="Parse">A key to its architecture; throws <see cref="ArchitectureFormatException"/> (or <see cref="ArgumentException"/>) for a key of another space.</param>
/// <param name="Order">The order of <see cref="TabularTable.Operations"/>: the choices the table uses in this order first, then any others by name.</param>
public sealed record TableKeys(string Space, Func<string, Architecture> Parse, IReadOnlyList<string> Order)
{
    /// <summary>
    /// NAS-Bench-201 cells over any of <paramref name="knownOperations"/> (built-in and script operations): a race on
    /// the table searches the operations its cells use, so they are not fixed before the table is read.
    /// </summary>
    public static TableKeys Nb201(IReadOnlyCollection<string> knownOperations)
    {
        var operations = knownOperations.ToArray();
        return new(
            "nb201",
            key => new Architecture(key, Nb201Format.Parse(key, operations)),
            Nb201Space.DefaultOperations
        );
    }

    /// <summary>Architectures of <paramref name="space"/>, parsed by its own <see cref="ISearchSpace.Parse"/>.</summary>
    public static TableKeys Of(ISearchSpace space) => new(space.Name, space.Parse, space.Operations);

    /// <summary>
    /// Keys taken as they are, for a reader that only looks rows up by key and does not have the space at hand (a
    /// cluster worker, the HTML report): the race that sent them parsed them with the space already.
    /// </summary>
    public static TableKeys Verbatim(string space) => new(space, key => new Architecture(key, [key]), []);
}
