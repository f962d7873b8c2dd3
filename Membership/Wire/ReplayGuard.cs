namespace Heck.Membership.Wire;

/// <summary>
/// Replay protection for authenticated packets. Each encrypted packet carries its send time (inside the
/// authenticated plaintext) and a random 96-bit nonce. A packet is refused when its time is more than
/// <see cref="Window"/> away from ours (so replays older than the window fail), or when its nonce was seen
/// within the window (so quick replays fail). Chosen over per-sender counters because it needs no state
/// per peer and survives restarts; the price is that clocks must agree within the window (NTP does) and
/// that, should more than <see cref="Capacity"/> packets arrive within one window, the oldest nonces are
/// forgotten early.
/// </summary>
internal sealed class ReplayGuard(TimeSpan window, int capacity)
{
    private readonly HashSet<UInt128> _seen = [];
    private readonly Queue<(UInt128 Nonce, long ExpiresMs)> _order = new();
    private readonly Lock _gate = new();

    public TimeSpan Window { get; } = window;
    public int Capacity { get; } = capacity;

    public bool Admit(long sentUnixMs, ReadOnlySpan<byte> nonce, long nowUnixMs)
    {
        var windowMs = (long)Window.TotalMilliseconds;
        if (sentUnixMs < nowUnixMs - windowMs || sentUnixMs > nowUnixMs + windowMs) return false;
        Span<byte> wide = stackalloc byte[16];
        nonce.CopyTo(wide);
        var key = System.Buffers.Binary.BinaryPrimitives.ReadUInt128LittleEndian(wide);
        lock (_gate)
        {
            while (_order.TryPeek(out var head) && (head.ExpiresMs < nowUnixMs || _order.Count >= Capacity))
            {
                _order.Dequeue();
                _seen.Remove(head.Nonce);
            }
            if (!_seen.Add(key)) return false;
            _order.Enqueue((key, sentUnixMs + windowMs));
        }
        return true;
    }
}
