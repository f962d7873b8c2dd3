namespace Heck.Membership.Wire;

/// <summary>Why a packet was dropped (received ones; <see cref="Injected"/> also counts outgoing ones).</summary>
public enum DropReason
{
    None = 0,
    /// <summary>Does not parse: bad type, length, count, enum value, UTF-8, trailing bytes.</summary>
    Malformed,
    /// <summary>Longer than the datagram (or stream frame) limit.</summary>
    Oversized,
    /// <summary>First byte is not a format version we speak.</summary>
    UnknownVersion,
    /// <summary>Keys are configured and the packet is not encrypted with any of them, or the reverse.</summary>
    AuthFailed,
    /// <summary>Authentic but too old, from the future, or a nonce already seen.</summary>
    Replayed,
    /// <summary>Thrown away on purpose, in or out, by <c>SwimHostOptions.InjectedLossPercent</c> (chaos testing).</summary>
    Injected,
    /// <summary>Names a node outside the allowed networks, or a host name the configuration does not use (<c>AddressPolicy</c>).</summary>
    AddressNotAllowed,
}
