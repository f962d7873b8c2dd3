namespace Heck.Grains.Origins;

/// <summary>
/// <c>Heck:Placement:Confirmers</c> and <c>Heck:Placement:RecoveryConfirmers</c>: how many silos
/// after the owner re-probe a failing origin, and an unhealthy one that may have recovered.
/// </summary>
public sealed class ConfirmationOptions
{
    public const string SectionName = "Heck:Placement";

    /// <summary>Null: 1 when the cluster has 2 or more silos, else 0. 0 turns confirmation off.</summary>
    public int? Confirmers { get; set; }

    /// <summary>
    /// Null: the same as <see cref="Confirmers"/>, so recovery needs the same confirmation as
    /// failure. 0 lets the owner alone end an unhealthy spell (and an owner whose own path is
    /// broken then keeps a recovered origin unhealthy).
    /// </summary>
    public int? RecoveryConfirmers { get; set; }

    public int For(int liveSilos) => Limit(Confirmers, liveSilos);

    /// <summary>Confirmers asked on each round while an origin is unhealthy.</summary>
    public int ForRecovery(int liveSilos) => Limit(RecoveryConfirmers ?? Confirmers, liveSilos);

    private static int Limit(int? configured, int liveSilos) =>
        Math.Min(configured ?? (liveSilos >= 2 ? 1 : 0), Math.Max(0, liveSilos - 1));
}
