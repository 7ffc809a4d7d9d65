namespace Nas.Sandbox.Tests.Cluster;

/// <summary>
/// The cluster tests run one after another (xunit runs a collection's classes serially): each starts a Redis and
/// several workers, and two at once on 2 cores slowed a training race past its time limit.
/// </summary>
[CollectionDefinition(Name)]
public sealed class OneClusterAtATime
{
    public const string Name = "cluster";
}
