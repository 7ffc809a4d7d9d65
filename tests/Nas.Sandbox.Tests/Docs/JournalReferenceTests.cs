using Nas.Sandbox.Core.Journal;
using Nas.Sandbox.Core.Racing;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Tests.Docs;

/// <summary>
/// docs/reference/journal.md documents every journal line type (<see cref="JournalEventTypes"/>) in a section headed by
/// its name, and every field each event writes: a sample of each event (<see cref="JournalEventSamples"/>) is formatted
/// as the journal writes it, and each field name, nested ones included, must be a code span in the event's section.
/// </summary>
public sealed class JournalReferenceTests
{
    private static readonly MarkdownReference Page = MarkdownReference.Load("journal.md");

    /// <summary>
    /// Nested objects documented in another event's section: <c>(event, path prefix) → section</c>. A summary's settings
    /// are race-started's settings; an added contestant is race-started's contestant object.
    /// </summary>
    private static readonly (string Event, string Prefix, string Section)[] DocumentedElsewhere =
    [
        (JournalEventTypes.RaceFinished, "summary.settings.", JournalEventTypes.RaceStarted),
        (JournalEventTypes.ContestantAdded, "contestant.", JournalEventTypes.RaceStarted),
    ];

    /// <summary>The fields every line has, documented once in this section.</summary>
    private static readonly (string[] Fields, string Section) Common = (["type", "time"], "Fields every line has");

    /// <summary>Where the race's settings are: their table in race-started has a row per setting.</summary>
    private static readonly string[] SettingsPrefixes = ["settings.", "summary.settings."];

    /// <summary>Objects keyed by data rather than by field names (knob names, metric names): their keys are not fields.</summary>
    private static readonly string[] KeyedByData = ["knobs", "reference"];

    [Fact]
    public void Every_race_event_has_a_line_type()
    {
        var concrete = typeof(RaceEvent)
            .Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(RaceEvent)) && !t.IsAbstract)
            .ToList();
        concrete.Should().NotBeEmpty();
        concrete
            .Where(t => !JournalEventTypes.ByEvent.ContainsKey(t))
            .Select(t => t.Name)
            .Should()
            .BeEmpty(
                $"every RaceEvent is journaled: give it a line type in {nameof(JournalEventTypes)}.{nameof(JournalEventTypes.ByEvent)}"
            );
        JournalEventTypes
            .All.Should()
            .OnlyHaveUniqueItems()
            .And.BeEquivalentTo(
                JournalEventTypes.ByEvent.Values,
                $"{nameof(JournalEventTypes)}.{nameof(JournalEventTypes.All)} lists every line type once"
            );
    }

    [Fact]
    public void Every_line_type_has_its_own_section()
    {
        JournalEventTypes
            .All.Where(type => Page.Section(type) is null)
            .Select(type =>
                $"line type '{type}' has no section: add a '### `{type}`' section with its fields to {Page.Path}"
            )
            .Should()
            .BeEmpty("every line type is documented in its own section");
    }

    [Fact]
    public void Every_field_an_event_writes_is_in_its_section()
    {
        var samples = JournalEventSamples.All();
        samples
            .Select(e => e.GetType())
            .Should()
            .BeEquivalentTo(
                JournalEventTypes.ByEvent.Keys,
                $"{nameof(JournalEventSamples)} has one sample of every event type, so that every field is checked"
            );
        var missing = new List<string>();
        foreach (var sample in samples)
        {
            string type = JournalEventTypes.Of(sample);
            var line = Format(sample);
            line["type"]!.Value<string>().Should().Be(type);
            foreach (var (path, name) in Fields(line, ""))
            {
                string sectionTitle = Common.Fields.Contains(path)
                    ? Common.Section
                    : DocumentedElsewhere
                        .FirstOrDefault(d => d.Event == type && path.StartsWith(d.Prefix, StringComparison.Ordinal))
                        .Section
                        ?? type;
                if (Page.Section(sectionTitle) is not { } section)
                    continue; // reported by the test above
                // A line's own fields have a row each, and so do the race's settings (a table of their own); another
                // nested object's fields may be described in its row.
                string? setting = SettingsPrefixes
                    .Where(p => path.StartsWith(p, StringComparison.Ordinal))
                    .Select(p => path[p.Length..])
                    .FirstOrDefault();
                bool nested = path.Contains('.') && setting?.Contains('.') != false;
                if (nested ? !section.Names(name) : !section.HasRowFor(name))
                    missing.Add(
                        $"field '{path}' of '{type}' lines is not documented: "
                            + (nested ? $"name `{name}` in the table of its object" : $"add a row `{name}`")
                            + $" in the '{sectionTitle}' section (line {section.Line}) of {Page.Path}"
                    );
            }
        }
        missing.Should().BeEmpty("every field a journal line can have is documented");
    }

    /// <summary>The line as the journal writes it: trial lines by their own writer, the rest by <see cref="JournalFormat.ToJson"/>.</summary>
    private static JObject Format(RaceEvent sample)
    {
        if (sample is not TrialFinished trial)
            return JournalFormat.ToJson(sample);
        var text = new StringWriter();
        using (var writer = new Newtonsoft.Json.JsonTextWriter(text))
            JournalFormat.WriteTrial(writer, trial);
        return JournalReader.ParseEvent(text.ToString());
    }

    /// <summary>Every field of <paramref name="json"/>, depth first, as (dotted path, name); arrays of objects add <c>[]</c>.</summary>
    private static IEnumerable<(string Path, string Name)> Fields(JObject json, string prefix)
    {
        foreach (var property in json.Properties())
        {
            string path = prefix + property.Name;
            yield return (path, property.Name);
            if (KeyedByData.Contains(property.Name))
                continue;
            IEnumerable<(JObject, string)> nested = property.Value switch
            {
                JObject obj => [(obj, path + ".")],
                JArray array => array.OfType<JObject>().Select(o => (o, path + "[].")),
                _ => [],
            };
            foreach (var (child, childPrefix) in nested)
            foreach (var field in Fields(child, childPrefix))
                yield return field;
        }
    }
}
