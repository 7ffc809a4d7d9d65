using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Tests.Packs;

/// <summary>Reads what tests need from <c>nas pack list --json</c>.</summary>
internal static class PackListJson
{
    /// <summary>The <c>nas race</c> arguments that run the shared race of the first pack listed again.</summary>
    public static string[] RaceCommand(string listJson) =>
        ((JArray)JObject.Parse(listJson)["packs"]![0]!["raceCommand"]!)
            .Select(a =>
                a is JValue { Value: string argument }
                    ? argument
                    : throw new InvalidDataException($"raceCommand holds {a.Type}, not a string argument")
            )
            .ToArray();
}
