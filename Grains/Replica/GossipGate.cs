namespace Heck.Grains.Replica;

/// <summary>
/// Lets an operator or a test cut a silo's replica off from gossip (neither sending nor
/// accepting), to watch replicas diverge and then converge when it is opened again.
/// </summary>
public sealed class GossipGate
{
    private volatile bool _closed;

    public bool IsOpen => !_closed;

    public void Close() => _closed = true;

    public void Open() => _closed = false;
}
