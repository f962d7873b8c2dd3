using System.Buffers.Text;
using System.Text;

namespace Heck.Replication;

/// <summary>
/// A session's causal token: the writes a client has seen (made or read), as a version vector, so that
/// any silo can tell whether its replica has them yet. It travels as an opaque, compact, URL-safe base64
/// string (header <see cref="Header"/>); a read that sends it back is answered once the replica
/// <see cref="CoveredBy">covers</see> it. Pure: no I/O, no clock.
/// <para>
/// A token names the dots of the writes themselves, not the writer's whole vector, so a reader waits only
/// for what the session saw. To keep a long session's token small, a replica's dots beyond
/// <see cref="MaxDotsPerReplica"/> fold into a prefix (every dot of that replica up to the highest folded
/// one): the token then asks for more, never less.
/// </para>
/// </summary>
[GenerateSerializer, Alias("heck.CausalToken"), Immutable]
public sealed class CausalToken : IEquatable<CausalToken>
{
    /// <summary>The HTTP header that carries a token, on write answers and on reads.</summary>
    public const string Header = "Heck-Causal-Token";

    /// <summary>Out-of-order dots kept per replica before the lower ones fold into a prefix.</summary>
    public const int MaxDotsPerReplica = 8;

    /// <summary>The longest encoded token accepted (characters); a real one is a few dozen.</summary>
    public const int MaxEncodedLength = 2048;

    private const byte Format = 1;
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    public static readonly CausalToken Empty = new(VersionVector.Empty);

    [Id(0)] private readonly VersionVector _vector;

    private CausalToken(VersionVector vector) => _vector = vector;

    /// <summary>The dots this token asks for.</summary>
    public VersionVector Vector => _vector;

    public bool IsEmpty => _vector.IsEmpty;

    /// <summary>The token of a vector, bounded (see <see cref="MaxDotsPerReplica"/>).</summary>
    public static CausalToken Of(VersionVector vector) => new(Bound(vector));

    /// <summary>The token of one write.</summary>
    public static CausalToken Of(Dot dot) => new(VersionVector.Empty.Add(dot));

    /// <summary>Everything either token asks for (bounded): commutative, idempotent, never less than either.</summary>
    public CausalToken Merge(CausalToken? other) =>
        other is null || other.IsEmpty || ReferenceEquals(other, this) ? this
        : IsEmpty ? other
        : new(Bound(_vector.Merge(other._vector)));

    /// <summary>
    /// Whether a replica at <paramref name="version"/> has every dot of this token, a dot of a writer in
    /// <paramref name="departed"/> counting as had: that writer is gone (dead or forgotten), so waiting for
    /// its dot could last forever.
    /// </summary>
    public bool CoveredBy(VersionVector version, IReadOnlySet<ReplicaId>? departed = null) =>
        Lacking(version, departed, max: 1).Count == 0;

    /// <summary>The dots of this token that <paramref name="version"/> lacks (at most <paramref name="max"/>), lowest first.</summary>
    public IReadOnlyList<Dot> Lacking(VersionVector version, IReadOnlySet<ReplicaId>? departed = null, int max = 16)
    {
        var lacking = new List<Dot>();
        foreach (var (replica, counter) in _vector.Contiguous)
        {
            if (departed?.Contains(replica) == true) continue;
            // Beyond the version's prefix only its out-of-order dots are had, a finite few: however large the
            // token's counter, the walk stops after those plus max lacking ones.
            for (var c = version[replica] + 1; c <= counter && lacking.Count < max; c++)
            {
                var dot = new Dot(replica, c);
                if (!version.Contains(dot)) lacking.Add(dot);
            }
            if (lacking.Count >= max) return lacking;
        }
        foreach (var dot in _vector.OutOfOrder)
        {
            if (lacking.Count >= max) break;
            if (departed?.Contains(dot.Replica) != true && !version.Contains(dot)) lacking.Add(dot);
        }
        return lacking;
    }

    /// <summary>Folds each replica's out-of-order dots beyond <see cref="MaxDotsPerReplica"/> into its prefix.</summary>
    public static VersionVector Bound(VersionVector vector)
    {
        if (vector.OutOfOrder.Count <= MaxDotsPerReplica) return vector;
        var counters = new Dictionary<ReplicaId, long>(vector.Contiguous);
        var kept = new List<Dot>();
        foreach (var group in vector.OutOfOrder.GroupBy(d => d.Replica))
        {
            var dots = group.OrderBy(d => d.Counter).ToList();
            var fold = dots.Count - MaxDotsPerReplica;
            if (fold > 0) counters[group.Key] = dots[fold - 1].Counter;
            kept.AddRange(dots.Skip(Math.Max(0, fold)));
        }
        return kept.Aggregate(VersionVector.FromCounters(counters), (v, d) => v.Add(d));
    }

    // ---- the wire form ------------------------------------------------------------------
    // Format byte, then per replica (in order): address (length, UTF-8), generation (zigzag), prefix
    // counter (0: none), the number of out-of-order dots and each as the gap above the previous one.
    // All numbers are LEB128 varints. Decoding accepts only what encoding produces.

    /// <summary>The compact, URL-safe base64 form (no padding).</summary>
    public string Encode() => Base64Url.EncodeToString(Bytes(_vector));

    public override string ToString() => Encode();

    /// <summary>Reads a token; false (never an exception) for anything that <see cref="Encode"/> would not produce.</summary>
    public static bool TryDecode(string? text, out CausalToken token)
    {
        token = Empty;
        if (string.IsNullOrEmpty(text) || text.Length > MaxEncodedLength || text.Length % 4 == 1) return false;
        // The decoder throws on a foreign character; only the URL-safe alphabet, unpadded, is a token.
        foreach (var c in text)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')) return false;
        var bytes = new byte[Base64Url.GetMaxDecodedLength(text.Length)];
        int length;
        try
        {
            if (!Base64Url.TryDecodeFromChars(text, bytes, out length)) return false;
        }
        catch (FormatException)
        {
            return false; // stray bits in the last character: not what Encode writes
        }
        var data = bytes.AsSpan(0, length);
        if (Parse(data) is not { } vector) return false;
        // Canonical only: one token has one spelling, and nothing decodes that would not round-trip.
        if (!data.SequenceEqual(Bytes(vector)) || !text.Equals(Base64Url.EncodeToString(data), StringComparison.Ordinal)) return false;
        token = new CausalToken(vector);
        return true;
    }

    private static byte[] Bytes(VersionVector vector)
    {
        var buffer = new List<byte> { Format };
        var replicas = vector.Replicas.Order().ToList();
        WriteVarint(buffer, (ulong)replicas.Count);
        foreach (var replica in replicas)
        {
            var address = Utf8.GetBytes(replica.Address ?? "");
            WriteVarint(buffer, (ulong)address.Length);
            buffer.AddRange(address);
            WriteVarint(buffer, (uint)((replica.Generation << 1) ^ (replica.Generation >> 31)));
            var previous = vector[replica];
            WriteVarint(buffer, (ulong)previous);
            var dots = vector.OutOfOrder.Where(d => d.Replica == replica).Select(d => d.Counter).Order().ToList();
            WriteVarint(buffer, (ulong)dots.Count);
            foreach (var counter in dots)
            {
                WriteVarint(buffer, (ulong)(counter - previous));
                previous = counter;
            }
        }
        return [.. buffer];
    }

    private static VersionVector? Parse(ReadOnlySpan<byte> data)
    {
        var at = 0;
        if (data.Length == 0 || data[at++] != Format) return null;
        if (!ReadVarint(data, ref at, out var count) || count > (ulong)data.Length) return null;
        var counters = new Dictionary<ReplicaId, long>();
        var dots = new List<Dot>();
        for (ulong i = 0; i < count; i++)
        {
            if (!ReadVarint(data, ref at, out var addressLength) || addressLength > (ulong)(data.Length - at)) return null;
            var address = Utf8.GetString(data.Slice(at, (int)addressLength));
            at += (int)addressLength;
            if (!ReadVarint(data, ref at, out var zigzag) || zigzag > 0xFFFF_FFFF) return null;
            var generation = (int)((uint)zigzag >> 1) ^ -(int)((uint)zigzag & 1);
            var replica = new ReplicaId(address, generation);
            if (!ReadVarint(data, ref at, out var prefix) || prefix > long.MaxValue) return null;
            if (prefix > 0 && !counters.TryAdd(replica, (long)prefix)) return null;
            if (!ReadVarint(data, ref at, out var dotCount) || dotCount > (ulong)(data.Length - at)) return null;
            var previous = (long)prefix;
            for (ulong j = 0; j < dotCount; j++)
            {
                if (!ReadVarint(data, ref at, out var gap) || gap == 0 || gap > (ulong)(long.MaxValue - previous)) return null;
                previous += (long)gap;
                dots.Add(new Dot(replica, previous));
            }
        }
        if (at != data.Length) return null;
        return dots.Aggregate(VersionVector.FromCounters(counters), (v, d) => v.Add(d));
    }

    private static void WriteVarint(List<byte> buffer, ulong value)
    {
        while (value >= 0x80)
        {
            buffer.Add((byte)(value | 0x80));
            value >>= 7;
        }
        buffer.Add((byte)value);
    }

    private static bool ReadVarint(ReadOnlySpan<byte> data, ref int at, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (at >= data.Length) return false;
            var b = data[at++];
            if (shift == 63 && b > 1) return false;
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return true;
        }
        return false;
    }

    public bool Equals(CausalToken? other) => other is not null && _vector.Equals(other._vector);

    public override bool Equals(object? obj) => Equals(obj as CausalToken);

    public override int GetHashCode() => _vector.GetHashCode();
}
