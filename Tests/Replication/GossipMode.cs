namespace Heck.Tests.Replication;

/// <summary>Which gossip the simulated replicas run (Heck:Gossip:Mode).</summary>
public enum GossipMode
{
    Push,
    Pull,
    PushPull,
}
