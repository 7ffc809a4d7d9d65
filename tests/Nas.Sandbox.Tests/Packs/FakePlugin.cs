using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Nas.Sandbox.Tests.Packs;

/// <summary>
/// Compiles, in memory, a plugin assembly that references a contracts assembly of any version: a stand-in
/// Nas.Sandbox.Abstractions (or, for an operation pack, Nas.Sandbox.Abstractions.Torch) with that AssemblyVersion is
/// compiled first. It is only ever read, never loaded.
/// </summary>
internal static class FakePlugin
{
    public static byte[] Compile(string name, Version apiVersion, string contractsAssembly = "Nas.Sandbox.Abstractions")
    {
        var core = MetadataReference.CreateFromFile(typeof(object).Assembly.Location);
        var runtime = MetadataReference.CreateFromFile(
            Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "System.Runtime.dll")
        );
        var contracts = CSharpCompilation.Create(
            contractsAssembly,
            [
                CSharpSyntaxTree.ParseText(
                    $"[assembly: System.Reflection.AssemblyVersion(\"{apiVersion}\")] namespace Nas.Sandbox.Abstractions {{ public interface IStrategy {{ }} }}"
                ),
            ],
            [core, runtime],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary)
        );
        using var contractsImage = new MemoryStream();
        contracts.Emit(contractsImage).Success.Should().BeTrue();
        var plugin = CSharpCompilation.Create(
            name,
            [CSharpSyntaxTree.ParseText("public sealed class Evil : Nas.Sandbox.Abstractions.IStrategy { }")],
            [core, runtime, MetadataReference.CreateFromImage(contractsImage.ToArray())],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary)
        );
        using var image = new MemoryStream();
        plugin.Emit(image).Success.Should().BeTrue();
        return image.ToArray();
    }
}
