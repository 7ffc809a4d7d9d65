using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace Nas.Sandbox.Cluster;

/// <summary>
/// Places a grain on the active silo whose name is the grain's key, and nowhere else: a race addresses a worker by
/// name, and a call for a worker that is gone fails (no silo of that name) instead of activating on another worker.
/// (Orleans' own role-based placement matches the role, which is the program's name, the same on every worker.)
/// </summary>
[Serializable, GenerateSerializer, Immutable]
public sealed class NamedSiloPlacement : PlacementStrategy;

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class NamedSiloPlacementAttribute() : PlacementAttribute(new NamedSiloPlacement());

internal sealed class NamedSiloPlacementDirector(IClusterMembershipService membership) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(
        PlacementStrategy strategy,
        PlacementTarget target,
        IPlacementContext context
    )
    {
        string name = target.GrainIdentity.Key.ToString()!;
        var compatible = context.GetCompatibleSilos(target);
        var silo = membership
            .CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active && m.Name == name)
            .Select(m => m.SiloAddress)
            .FirstOrDefault(compatible.Contains);
        return silo is not null
            ? Task.FromResult(silo)
            : throw new OrleansException($"no active worker named '{name}' in the cluster");
    }
}
