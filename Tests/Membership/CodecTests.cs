using System.Security.Cryptography;
using Heck.Membership.Swim;
using Heck.Membership.Wire;
using Microsoft.Extensions.Time.Testing;
using static Heck.Tests.Membership.CoreHarness;

namespace Heck.Tests.Membership;

public class CodecTests
{
    internal static IEnumerable<SwimMessage> Samples()
    {
        MemberUpdate[] updates =
        [
            new(Id(2), 3, MemberStatus.Alive, null, Meta(2)),
            new(Id(3), 1, MemberStatus.Suspect, Id(4)),
            new(new NodeId("silo-ü.example", 65535, long.MinValue), uint.MaxValue, MemberStatus.Dead, Id(5), new Metadata([new("k", ""), new("ключ", "значение")])),
            new(Id(6, 42), 0, MemberStatus.Left),
        ];
        yield return new Ping(Id(1), 7, Id(2)) { Updates = updates, Side = new Side(5, 0x0123456789abcdef) };
        yield return new PingReq(Id(1), uint.MaxValue, Id(3), true) { Updates = updates[..1], Side = new Side(int.MaxValue, ulong.MaxValue) };
        yield return new PingReq(Id(1), 0, Id(3), false);
        yield return new Ack(Id(2), 9) { Side = new Side(200, 1) };
        yield return new Nack(Id(2), 10) { Updates = updates };
        yield return new Gossip(Id(3)) { Updates = updates };
        yield return new PushPull(Id(4), true, false) { Updates = updates };
        yield return new PushPull(Id(4), false, true);
    }

    internal static string Describe(SwimMessage m) =>
        m switch
        {
            Ping p => $"Ping {p.From} {p.SeqNo} {p.Target}",
            PingReq r => $"PingReq {r.From} {r.SeqNo} {r.Target} {r.WantNack}",
            Ack a => $"Ack {a.From} {a.SeqNo}",
            Nack n => $"Nack {n.From} {n.SeqNo}",
            Gossip g => $"Gossip {g.From}",
            PushPull pp => $"PushPull {pp.From} {pp.Join} {pp.Reply}",
            _ => "?",
        } + $" ({m.Side}) [" + string.Join(", ", m.Updates.Select(u => $"{u.Node} {u.Incarnation} {u.Status} {u.Confirmer} {u.Metadata}")) + "]";

    public static TheoryData<bool> Modes => new() { false, true };

    [Theory]
    [MemberData(nameof(Modes))]
    public void Every_message_round_trips_and_measures_exactly(bool encrypted)
    {
        var codec = encrypted ? new SwimCodec(new Keyring([RandomNumberGenerator.GetBytes(32)])) : new SwimCodec();
        var buffer = new byte[4096];
        foreach (var message in Samples())
        {
            Assert.True(codec.TryEncode(message, buffer, 4096, out var written));
            Assert.Equal(codec.PacketSize(message), written);
            Assert.True(codec.TryDecode(buffer.AsSpan(0, written), out var decoded, out var reason), $"{reason}");
            Assert.Equal(Describe(message), Describe(decoded!));
        }
        Assert.Equal(Samples().Count(), codec.Counters.Accepted);
        Assert.Equal(0, codec.Counters.TotalDropped);
    }

    [Fact]
    public void A_reach_longer_than_five_bytes_or_above_int_max_is_malformed()
    {
        var codec = new SwimCodec();
        var good = codec.Encode(new Gossip(Id(1)) { Side = new Side(1, 7) }, 1400)!;
        var reachAt = 2 + 1 + 1 + Id(1).Host.Length + 2 + 8; // header, type, from
        Assert.Equal(1, good[reachAt]);
        byte[] Patch(params byte[] reach) => [.. good[..reachAt], .. reach, .. good[(reachAt + 1)..]];
        Assert.True(codec.TryDecode(Patch(0xFF, 0xFF, 0xFF, 0xFF, 0x07), out var max, out _)); // int.MaxValue
        Assert.Equal(int.MaxValue, max!.Side.Reach);
        Assert.False(codec.TryDecode(Patch(0x80, 0x80, 0x80, 0x80, 0x08), out _, out var above));
        Assert.Equal(DropReason.Malformed, above);
        Assert.False(codec.TryDecode(Patch(0x80, 0x80, 0x80, 0x80, 0x80, 0x01), out _, out var longer));
        Assert.Equal(DropReason.Malformed, longer);
    }

    [Fact]
    public void Datagram_limit_is_enforced_both_ways()
    {
        var codec = new SwimCodec();
        var big = new Gossip(Id(1)) { Updates = Enumerable.Range(0, 100).Select(i => new MemberUpdate(Id(i % 250), 1, MemberStatus.Alive, null, Meta(i % 250))).ToArray() };
        var buffer = new byte[1 << 16];
        Assert.False(codec.TryEncode(big, buffer, 1400, out _));
        Assert.True(codec.TryEncode(big, buffer, 1 << 16, out var written));
        Assert.False(codec.TryDecode(buffer.AsSpan(0, written), out _, out var reason));
        Assert.Equal(DropReason.Oversized, reason);
        Assert.True(codec.TryDecode(buffer.AsSpan(0, written), 1 << 16, out _, out _)); // fine over TCP
        Assert.Equal(1, codec.Counters.Dropped(DropReason.Oversized));
    }

    [Fact]
    public void Bad_headers_are_classified()
    {
        var codec = new SwimCodec();
        var good = codec.Encode(new Ack(Id(1), 1), 1400)!;
        Assert.False(codec.TryDecode([], out _, out var r1));
        Assert.Equal(DropReason.Malformed, r1);
        var wrongVersion = (byte[])good.Clone();
        wrongVersion[0] = 9;
        Assert.False(codec.TryDecode(wrongVersion, out _, out var r2));
        Assert.Equal(DropReason.UnknownVersion, r2);
        Assert.False(codec.TryDecode(good.AsSpan(0, good.Length - 1), out _, out var r3));
        Assert.Equal(DropReason.Malformed, r3);
        Assert.False(codec.TryDecode([.. good, 0], out _, out var r4)); // trailing byte
        Assert.Equal(DropReason.Malformed, r4);
        var encrypted = new SwimCodec(new Keyring([new byte[16]])).Encode(new Ack(Id(1), 1), 1400)!;
        Assert.False(codec.TryDecode(encrypted, out _, out var r5)); // we have no key
        Assert.Equal(DropReason.AuthFailed, r5);
        Assert.Equal(5, codec.Counters.TotalDropped);
    }

    [Fact]
    public void Keyring_encrypts_with_the_first_key_and_decrypts_with_any()
    {
        var oldKey = RandomNumberGenerator.GetBytes(16);
        var newKey = RandomNumberGenerator.GetBytes(24);
        var oldOnly = new SwimCodec(new Keyring([oldKey]));
        var rotating = new SwimCodec(new Keyring([newKey, oldKey]));
        var newOnly = new SwimCodec(new Keyring([newKey]));
        var fromOld = oldOnly.Encode(new Ack(Id(1), 1), 1400)!;
        var fromRotating = rotating.Encode(new Ack(Id(1), 2), 1400)!;
        Assert.True(rotating.TryDecode(fromOld, out _, out _));
        Assert.True(newOnly.TryDecode(fromRotating, out _, out _));
        Assert.False(oldOnly.TryDecode(fromRotating, out _, out var reason));
        Assert.Equal(DropReason.AuthFailed, reason);
        Assert.False(newOnly.TryDecode(oldOnly.Encode(new Ack(Id(1), 3), 1400)!, out _, out _));
        Assert.Equal(2, oldOnly.Counters.Dropped(DropReason.AuthFailed) + newOnly.Counters.Dropped(DropReason.AuthFailed));
        Assert.Throws<ArgumentException>(() => new Keyring([new byte[20]]));
        Assert.Throws<ArgumentException>(() => new Keyring([]));
    }

    [Fact]
    public void Header_is_authenticated_and_ciphertext_tampering_fails()
    {
        var codec = new SwimCodec(new Keyring([new byte[32]]));
        var packet = codec.Encode(new Ping(Id(1), 1, Id(2)), 1400)!;
        for (var i = 1; i < packet.Length; i++)
        {
            var bad = (byte[])packet.Clone();
            bad[i] ^= 0x01;
            Assert.False(codec.TryDecode(bad, out _, out var reason));
            Assert.True(reason is DropReason.AuthFailed or DropReason.Malformed, $"byte {i}: {reason}");
        }
    }

    [Fact]
    public void Replays_are_refused_by_nonce_within_the_window_and_by_time_outside_it()
    {
        var time = new FakeTimeProvider();
        var keyring = new Keyring([new byte[32]]);
        var sender = new SwimCodec(keyring, null, time);
        var receiver = new SwimCodec(keyring, null, time);
        var packet = sender.Encode(new Ack(Id(1), 1), 1400)!;
        Assert.True(receiver.TryDecode(packet, out _, out _));
        Assert.False(receiver.TryDecode(packet, out _, out var again));
        Assert.Equal(DropReason.Replayed, again);
        var later = sender.Encode(new Ack(Id(1), 2), 1400)!;
        time.Advance(TimeSpan.FromMinutes(5));
        Assert.False(receiver.TryDecode(later, out _, out var stale));
        Assert.Equal(DropReason.Replayed, stale);
        Assert.Equal(2, receiver.Counters.Dropped(DropReason.Replayed));
    }
}
