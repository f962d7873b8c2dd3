namespace Heck.Membership.Swim;

/// <summary>Status rank Alive &lt; Suspect &lt; Dead &lt; Left; Dead and Left are final for a generation.</summary>
public enum MemberStatus : byte
{
    Alive = 0,
    Suspect = 1,
    Dead = 2,
    Left = 3,
}

/// <summary>
/// The join-semilattice of one member's state. The join of a set of states is: the highest final status
/// among them (none &lt; Dead &lt; Left), the highest incarnation, and, when none is final, the highest
/// rank at that incarnation (so Alive at a higher incarnation refutes a suspicion). Every component is a
/// max, so merging is commutative, associative and idempotent — and "this generation was superseded"
/// (join with Dead) commutes with it, which a plain (final, incarnation, rank) order does not.
/// </summary>
internal static class MemberOrder
{
    private const int FinalShift = 36; // above incarnation·4 + rank < 2^34

    public static bool IsFinal(this MemberStatus status) => status >= MemberStatus.Dead;

    public static (uint Incarnation, MemberStatus Status) Join(uint incarnation, MemberStatus status, uint otherIncarnation, MemberStatus otherStatus)
    {
        var maxIncarnation = Math.Max(incarnation, otherIncarnation);
        if (status.IsFinal() || otherStatus.IsFinal())
        {
            var final = (MemberStatus)Math.Max((byte)(status.IsFinal() ? status : 0), (byte)(otherStatus.IsFinal() ? otherStatus : 0));
            return (maxIncarnation, final);
        }
        if (incarnation != otherIncarnation) return incarnation > otherIncarnation ? (incarnation, status) : (otherIncarnation, otherStatus);
        return (incarnation, (MemberStatus)Math.Max((byte)status, (byte)otherStatus));
    }

    /// <summary>A number that rises with every join step: a member's (monotone) share of the view version.</summary>
    public static long Key(uint incarnation, MemberStatus status) =>
        ((long)(status.IsFinal() ? (int)status - 1 : 0) << FinalShift) + ((long)incarnation << 2) + (long)status;
}
