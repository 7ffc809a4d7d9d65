using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Core.Racing.Objectives;

/// <summary>
/// Exact hypervolume of a set of points in 2 or 3 dimensions, every component maximised: the volume of the region
/// dominated by at least one point and bounded below by the reference point. Points not strictly better than the
/// reference in every component add nothing. 2-D: a sweep over the first component (O(n log n)); 3-D: slices along
/// the third component, each a 2-D hypervolume (O(n² log n), ample for fronts of a few hundred points).
/// </summary>
public static class Hypervolume
{
    public static double Of(IReadOnlyList<IReadOnlyList<double>> points, IReadOnlyList<double> reference)
    {
        if (reference.Count is not (2 or 3))
            throw new ArgumentException($"Hypervolume is exact for 2 or 3 objectives, not {reference.Count}.");
        var inside = points
            .Where(p =>
            {
                if (p.Count != reference.Count)
                    throw new ArgumentException(
                        $"A point has {p.Count} components; the reference has {reference.Count}."
                    );
                for (int i = 0; i < p.Count; i++)
                    if (!(p[i] > reference[i]))
                        return false;
                return true;
            })
            .ToArray();
        return reference.Count == 2 ? Area(inside, reference[0], reference[1]) : Volume(inside, reference);
    }

    /// <summary>2-D: sorted by x descending, each point adds the strip between its y and the highest y seen so far.</summary>
    private static double Area(IEnumerable<IReadOnlyList<double>> points, double rx, double ry)
    {
        double area = 0,
            top = ry;
        foreach (var p in points.OrderByDescending(p => p[0]).ThenByDescending(p => p[1]))
        {
            if (p[1] <= top)
                continue; // dominated (or equal) in this sweep
            area += (p[0] - rx) * (p[1] - top);
            top = p[1];
        }
        return area;
    }

    /// <summary>3-D: sorted by z descending; between consecutive z levels the dominated slice is the 2-D area of the points above.</summary>
    private static double Volume(IReadOnlyList<IReadOnlyList<double>> points, IReadOnlyList<double> reference)
    {
        var sorted = points.OrderByDescending(p => p[2]).ToArray();
        double volume = 0;
        for (int i = 0; i < sorted.Length; i++)
        {
            double below = i + 1 < sorted.Length ? sorted[i + 1][2] : reference[2];
            double depth = sorted[i][2] - below;
            if (depth <= 0)
                continue;
            volume += depth * Area(sorted.Take(i + 1), reference[0], reference[1]);
        }
        return volume;
    }
}
