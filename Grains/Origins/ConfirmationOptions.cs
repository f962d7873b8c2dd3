namespace Heck.Grains.Origins;

/// <summary><c>Heck:Placement:Confirmers</c>: how many silos after the owner re-probe a failing origin.</summary>
public sealed class ConfirmationOptions
{
    public const string SectionName = "Heck:Placement";

    /// <summary>Null: 1 when the cluster has 2 or more silos, else 0. 0 turns confirmation off.</summary>
    public int? Confirmers { get; set; }

    public int For(int liveSilos) => Math.Min(Confirmers ?? (liveSilos >= 2 ? 1 : 0), Math.Max(0, liveSilos - 1));
}
