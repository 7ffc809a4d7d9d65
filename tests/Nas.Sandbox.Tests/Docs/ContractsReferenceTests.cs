using System.Reflection;
using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Tests.Docs;

/// <summary>
/// docs/reference/contracts.md documents every public type of Nas.Sandbox.Abstractions in a section headed by its name,
/// and every public property, field (enum values included) and method the type declares as a code span in that section
/// (<c>`Key`</c>, <c>`Create(...)`</c>). Constructors and the members every record or object has are not checked.
/// </summary>
public sealed class ContractsReferenceTests
{
    private static readonly MarkdownReference Page = MarkdownReference.Load("contracts.md");

    private static readonly string[] ObjectMembers = ["Equals", "GetHashCode", "ToString", "Deconstruct", "<Clone>$"];

    private static IReadOnlyList<Type> PublicTypes => typeof(IStrategy).Assembly.GetExportedTypes();

    [Fact]
    public void Every_public_type_has_its_own_section()
    {
        PublicTypes.Should().Contain([typeof(IStrategy), typeof(Trial), typeof(ApiVersion)]);
        PublicTypes.Where(t => Page.Section(t.Name) is null)
            .Select(t => $"type {t.FullName} has no section: add a '### `{t.Name}`' section with its members to {Page.Path}")
            .Should().BeEmpty("every public type of the contracts is documented");
    }

    [Fact]
    public void Every_public_member_is_in_its_types_section()
    {
        const BindingFlags declared = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var missing = new List<string>();
        foreach (var type in PublicTypes)
        {
            if (Page.Section(type.Name) is not { } section) continue; // reported by the test above
            var members = type.GetProperties(declared).Select(p => p.Name)
                .Concat(type.GetFields(declared).Where(f => !f.IsSpecialName).Select(f => f.Name))
                .Concat(type.GetMethods(declared).Where(m => !m.IsSpecialName && !ObjectMembers.Contains(m.Name)).Select(m => m.Name))
                .Distinct();
            foreach (string member in members.Where(m => !section.HasRowFor(m)))
                missing.Add($"{type.Name}.{member} is not documented: add a row `{member}` to the '{type.Name}' section (line {section.Line}) of {Page.Path}");
        }
        missing.Should().BeEmpty("every public member of the contracts is documented");
    }
}
