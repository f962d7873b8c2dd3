using Heck.Membership.Swim;

namespace Heck.Tests.Membership.Simulation;

public sealed class SimNode(int index, SwimInstance swim, int slot)
{
    public int Index { get; } = index;
    /// <summary>The process slot (one endpoint): a rejoined generation takes its predecessor's slot, and partitions and faults go by slot.</summary>
    public int Slot { get; } = slot;
    /// <summary>The generation this one replaced when it rejoined, if any.</summary>
    public SimNode? Predecessor { get; init; }
    public SwimInstance Swim { get; } = swim;
    public NodeId Id => Swim.Self;
    public bool Crashed { get; set; }
    public bool Paused { get; set; }
    /// <summary>Stopped because it learned it was declared dead.</summary>
    public bool SelfDead { get; set; }
    public bool Running => !Crashed && !SelfDead;
    /// <summary>Datagrams that arrived while paused, handled on resume (a socket buffer).</summary>
    public Queue<(NodeId From, SwimMessage Message)> Buffered { get; } = new();
}
