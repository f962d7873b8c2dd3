using Heck.Replication;

namespace Heck.Grains.Metrics;

/// <summary>How far one replica's version vector is behind another's.</summary>
public static class ReplicaLag
{
    /// <summary>The dots <paramref name="theirs"/> holds that <paramref name="mine"/> lacks: writes still to arrive here.</summary>
    public static long DotsBehind(VersionVector mine, VersionVector theirs)
    {
        long behind = 0;
        foreach (var (replica, counter) in theirs.Contiguous)
        {
            var have = mine[replica];
            if (counter <= have) continue;
            // Dots past our contiguous prefix that we hold out of order are not missing.
            behind += counter - have - mine.OutOfOrder.Count(d => d.Replica == replica && d.Counter <= counter);
        }
        foreach (var dot in theirs.OutOfOrder)
            if (!mine.Contains(dot)) behind++;
        return behind;
    }
}
