// throws-in-constructor.csx — never gets built: the referee journals a `create` failure and the contestant sits the
// heat out. Published through a factory because a plain strategy class whose constructor throws is refused when the
// script loads (the loader builds one as a probe); the factory builds fine and its strategy's constructor throws.
public sealed class ThrowsInConstructorFactory : IStrategyFactory
{
    public string Name => "throws-in-constructor";
    public string Description => "hostile: its strategy's constructor throws";
    public IReadOnlyList<Knob> Knobs => [];

    public IStrategy Create(KnobValues knobs) => new ThrowsInConstructor();
}

public sealed class ThrowsInConstructor : IStrategy
{
    public ThrowsInConstructor() => throw new InvalidOperationException("hostile: constructor refuses to build");

    public Architecture Ask(SearchContext context) => context.Space.Sample(context.Random);

    public void Tell(Trial trial) { }
}
