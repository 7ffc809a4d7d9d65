// returns-foreign-architecture.csx — answers architectures the race's space does not contain, alternately one of another
// space (an operation this race does not search) and a malformed one (no cell at all): failed asks, "not in space".
public sealed class ReturnsForeignArchitecture : IStrategy
{
    public Architecture Ask(SearchContext context) =>
        context.AskIndex % 2 == 0
            ? new Architecture(
                "|bogus~0|+|none~0|none~1|+|none~0|none~1|none~2|",
                ["bogus", "none", "none", "none", "none", "none"]
            )
            : new Architecture("|bogus~0|", ["bogus"]);

    public void Tell(Trial trial) { }
}
