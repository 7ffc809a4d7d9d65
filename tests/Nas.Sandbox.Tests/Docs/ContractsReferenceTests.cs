using System.Reflection;
using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Tests.Docs;

/// <summary>
/// docs/reference/contracts.md documents every public type of the contracts (Nas.Sandbox.Abstractions and the
/// tensor-based Nas.Sandbox.Abstractions.Torch) in a section headed by its name, and every public property, field (enum
/// values included) and method the type declares as a code span in that section (<c>`Key`</c>, <c>`Create(...)`</c>);
/// a C# 14 extension block's members count as its static class's. Constructors, the members every record or object has,
/// and what the compiler generates (an extension block's grouping types and accessor methods) are not checked.
/// </summary>
public sealed class ContractsReferenceTests
{
    private static readonly MarkdownReference Page = MarkdownReference.Load("contracts.md");

    private static readonly string[] ObjectMembers = ["Equals", "GetHashCode", "ToString", "Deconstruct", "<Clone>$"];

    private static IReadOnlyList<Type> PublicTypes =>
        [
            .. new[] { typeof(IStrategy).Assembly, typeof(IOperation).Assembly }
                .SelectMany(a => a.GetExportedTypes())
                .Where(t => !IsGenerated(t.Name)),
        ];

    /// <summary>Compiler-generated names (extension grouping types, <c>&lt;Clone&gt;$</c>) are unspeakable.</summary>
    private static bool IsGenerated(string name) => name.Contains('<') || name.Contains('$');

    [Fact]
    public void Every_public_type_has_its_own_section()
    {
        PublicTypes
            .Should()
            .Contain([
                typeof(IStrategy),
                typeof(Trial),
                typeof(ApiVersion),
                typeof(IOperation),
                typeof(ITrainingKit),
                typeof(SearchContextTraining),
            ]);
        PublicTypes
            .Where(t => Page.Section(t.Name) is null)
            .Select(t =>
                $"type {t.FullName} has no section: add a '### `{t.Name}`' section with its members to {Page.Path}"
            )
            .Should()
            .BeEmpty("every public type of the contracts is documented");
    }

    [Fact]
    public void Every_public_member_is_in_its_types_section()
    {
        const BindingFlags declared =
            BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var missing = new List<string>();
        foreach (var type in PublicTypes)
        {
            if (Page.Section(type.Name) is not { } section)
                continue; // reported by the test above
            // C# 14 extension properties: declared in a generated grouping type, implemented by get_X/set_X methods of the class.
            var extensionProperties = type.GetNestedTypes()
                .Where(n => n.IsSpecialName && IsGenerated(n.Name))
                .SelectMany(n => n.GetProperties(declared))
                .Select(p => p.Name)
                .ToArray();
            var accessors = extensionProperties.SelectMany(p => new[] { "get_" + p, "set_" + p }).ToHashSet();
            var members = type.GetProperties(declared)
                .Select(p => p.Name)
                .Concat(extensionProperties)
                .Concat(type.GetFields(declared).Where(f => !f.IsSpecialName).Select(f => f.Name))
                .Concat(
                    type.GetMethods(declared)
                        .Where(m => !m.IsSpecialName && !ObjectMembers.Contains(m.Name) && !accessors.Contains(m.Name))
                        .Select(m => m.Name)
                )
                .Distinct();
            foreach (string member in members.Where(m => !section.HasRowFor(m)))
                missing.Add(
                    $"{type.Name}.{member} is not documented: add a row `{member}` to the '{type.Name}' section (line {section.Line}) of {Page.Path}"
                );
        }
        missing.Should().BeEmpty("every public member of the contracts is documented");
    }
}
