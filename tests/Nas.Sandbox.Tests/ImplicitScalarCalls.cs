using System.Reflection;
using System.Reflection.Emit;
using TorchSharp;
using static TorchSharp.torch;

namespace Nas.Sandbox.Tests;

/// <summary>
/// Finds, by reading IL, every call that hands libtorch a Scalar nothing holds. TorchSharp 0.107 converts numbers to
/// native Scalars implicitly (<c>Scalar.op_Implicit</c>) in many places: <c>a + b</c> passes an implicit <c>alpha</c> of 1,
/// <c>BatchNorm.forward</c> counts batches with <c>add_(1)</c>, the optimizers' steps pass their hyper-parameters. Such a
/// Scalar is freed by its finalizer, and a garbage collection during the native call can free it while libtorch reads it
/// (a failed trial or a killed training, about once in thousands of steps).
/// <para>
/// "Unsafe" is computed from TorchSharp's own IL, not listed by hand: a TorchSharp method is unsafe if it calls
/// <c>Scalar.op_Implicit</c>, calls or takes the address of an unsafe method, or creates an unsafe module or optimizer;
/// a TorchSharp type is unsafe if its <c>forward</c> or <c>step</c> is. A product method is flagged if it does any of
/// those itself. So a TorchSharp upgrade that fixes or adds such calls changes the verdict by itself.
/// </para>
/// </summary>
internal static class ImplicitScalarCalls
{
    private const BindingFlags Declared =
        BindingFlags.Public
        | BindingFlags.NonPublic
        | BindingFlags.Instance
        | BindingFlags.Static
        | BindingFlags.DeclaredOnly;

    private static readonly Lazy<Verdicts> TorchSharps = new(() => Verdicts.Of(typeof(torch).Assembly));

    /// <summary>Every call in <paramref name="assembly"/> that makes an unheld Scalar, as "Type.Method → callee".</summary>
    public static IReadOnlyList<string> In(Assembly assembly)
    {
        var verdicts = TorchSharps.Value;
        var found = new List<string>();
        foreach (var method in MethodsOf(assembly))
        foreach (var call in Calls(method))
            if (verdicts.IsUnsafe(call))
                found.Add(
                    $"{method.DeclaringType?.FullName}.{method.Name} → {call.Callee.DeclaringType?.Name}.{call.Callee.Name}"
                );
        return found.Distinct().Order().ToArray();
    }

    /// <summary>Whether a TorchSharp method makes an unheld Scalar (for the tests that check the scan itself).</summary>
    public static bool IsUnsafe(MethodBase torchSharpMethod) =>
        TorchSharps.Value.IsUnsafe(new Call(torchSharpMethod, Creates: false));

    /// <summary>A call, a <c>newobj</c> (<paramref name="Creates"/>) or a <c>ldftn</c> of <paramref name="Callee"/>.</summary>
    private readonly record struct Call(MethodBase Callee, bool Creates);

    private sealed class Verdicts
    {
        private readonly HashSet<(Module, int)> _unsafeMethods;
        private readonly HashSet<Type> _unsafeTypes;
        private readonly Assembly _torchSharp;

        private Verdicts(Assembly torchSharp, HashSet<(Module, int)> methods, HashSet<Type> types) =>
            (_torchSharp, _unsafeMethods, _unsafeTypes) = (torchSharp, methods, types);

        public bool IsUnsafe(Call call) =>
            call.Callee.DeclaringType == typeof(Scalar) && call.Callee.Name == "op_Implicit"
            || call.Callee.Module.Assembly == _torchSharp
                && (
                    _unsafeMethods.Contains(Key(call.Callee))
                    // Creating one, not calling its constructor from a subclass's (which replaces what is unsafe).
                    || call.Creates && _unsafeTypes.Contains(Definition(call.Callee.DeclaringType!))
                );

        public static Verdicts Of(Assembly torchSharp)
        {
            var calls = MethodsOf(torchSharp).ToDictionary(Key, m => Calls(m).ToArray());
            var types = torchSharp.GetTypes();
            var unsafeMethods = new HashSet<(Module, int)>();
            var unsafeTypes = new HashSet<Type>();
            var verdicts = new Verdicts(torchSharp, unsafeMethods, unsafeTypes);
            // A fixed point: each round adds what the last round's verdicts make unsafe.
            for (bool changed = true; changed; )
            {
                changed = false;
                foreach (var (key, callees) in calls)
                    if (!unsafeMethods.Contains(key) && callees.Any(verdicts.IsUnsafe))
                        changed |= unsafeMethods.Add(key);
                foreach (var type in types)
                    if (!unsafeTypes.Contains(type) && EntryPoints(type).Any(m => unsafeMethods.Contains(Key(m))))
                        changed |= unsafeTypes.Add(type);
            }
            return verdicts;
        }

        /// <summary>What a module or optimizer runs when used: its forward (inherited or its own) and step.</summary>
        private static IEnumerable<MethodBase> EntryPoints(Type type)
        {
            if (type.IsAbstract)
                yield break;
            foreach (
                var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
                    .Where(m => m.Name is "forward" or "step")
            )
                yield return method;
            // An optimizer's step hands its per-group work to TorchSharp as a lambda of its own.
            foreach (
                var method in type.GetMethods(Declared)
                    .Where(m => m.Name.StartsWith("<step>", StringComparison.Ordinal))
            )
                yield return method;
        }
    }

    private static (Module, int) Key(MethodBase method) => (method.Module, method.MetadataToken);

    private static Type Definition(Type type) => type.IsGenericType ? type.GetGenericTypeDefinition() : type;

    private static IEnumerable<MethodBase> MethodsOf(Assembly assembly)
    {
        Type[] types;
        try
        {
            types = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            types = e.Types.OfType<Type>().ToArray();
        }
        foreach (var type in types)
        {
            foreach (var method in type.GetMethods(Declared))
                yield return method;
            foreach (var constructor in type.GetConstructors(Declared))
                yield return constructor;
        }
    }

    /// <summary>The methods <paramref name="method"/> calls, creates or takes the address of.</summary>
    private static IEnumerable<Call> Calls(MethodBase method)
    {
        byte[]? il;
        try
        {
            il = method.GetMethodBody()?.GetILAsByteArray();
        }
        catch (Exception e) when (e is BadImageFormatException or InvalidOperationException)
        {
            yield break;
        }
        if (il is null)
            yield break;
        Type[]? typeArguments = method.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null;
        Type[]? methodArguments = method is MethodInfo { IsGenericMethod: true } g ? g.GetGenericArguments() : null;
        for (int at = 0; at < il.Length; )
        {
            var opCode = il[at] == 0xFE ? TwoByte[il[at + 1]] : OneByte[il[at]];
            at += opCode.Size;
            if (opCode.OperandType == OperandType.InlineMethod)
            {
                MethodBase? callee = null;
                try
                {
                    callee = method.Module.ResolveMethod(BitConverter.ToInt32(il, at), typeArguments, methodArguments);
                }
                catch (Exception e) when (e is ArgumentException or TypeLoadException or FileNotFoundException) { }
                if (callee is not null)
                    yield return new Call(callee, Creates: opCode == OpCodes.Newobj);
            }
            at += OperandSize(opCode, il, at);
        }
    }

    private static int OperandSize(OpCode opCode, byte[] il, int at) =>
        opCode.OperandType switch
        {
            OperandType.InlineNone => 0,
            OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
            OperandType.InlineVar => 2,
            OperandType.InlineI8 or OperandType.InlineR => 8,
            OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, at),
            _ => 4,
        };

    private static readonly OpCode[] OneByte = new OpCode[256];
    private static readonly OpCode[] TwoByte = new OpCode[256];

    static ImplicitScalarCalls()
    {
        foreach (var field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var opCode = (OpCode)field.GetValue(null)!;
            if (opCode.Size == 1)
                OneByte[(byte)opCode.Value] = opCode;
            else
                TwoByte[(byte)(opCode.Value & 0xFF)] = opCode;
        }
    }
}
