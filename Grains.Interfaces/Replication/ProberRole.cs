namespace Heck.Replication;

/// <summary>Why a slot probed an origin: health is derived from owners first.</summary>
public enum ProberRole
{
    Owner = 0,
    Confirmer = 1,
}
