using System.Net;

namespace Heck.Harness;

/// <summary>
/// A host of a <see cref="LoopbackNetwork"/>: its own loopback address, and the group id its processes run under, by
/// which the network gives their connections that address as source.
/// </summary>
public sealed record LoopbackHost(IPAddress Address, int GroupId)
{
    public override string ToString() => Address.ToString();
}
