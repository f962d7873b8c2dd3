using System.Buffers.Text;

namespace Heck.Tests.Replication;

public sealed class CausalTokenProperties
{
    // Real silo labels, a non-ASCII one and a negative generation, so the wire form meets them all.
    private static readonly ReplicaId[] Replicas =
        [new("127.0.0.1:11111", 123_456_789), new("b:1", 1), new("b:1", -3), new("ü:2", 0)];

    // Small counters so that prefixes, gaps and folding all occur; now and then a huge one.
    private static Dot[] Dots(byte[]? bytes) =>
        [.. (bytes ?? []).Select(b => new Dot(Replicas[b % 4], b % 61 == 0 ? long.MaxValue - b : 1 + b / 4 % 23))];

    private static VersionVector Vector(IEnumerable<Dot> dots) =>
        dots.Aggregate(VersionVector.Empty, (v, d) => v.Add(d));

    private static CausalToken Token(byte[]? bytes) => CausalToken.Of(Vector(Dots(bytes)));

    [FsCheck.Xunit.Property(MaxTest = 500)]
    public void A_token_survives_its_wire_form(byte[] bytes)
    {
        var token = Token(bytes);
        var text = token.Encode();
        Assert.True(CausalToken.TryDecode(text, out var back), text);
        Assert.Equal(token, back);
        Assert.Equal(text, back.Encode());
        Assert.True(text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'), text);
    }

    [FsCheck.Xunit.Property(MaxTest = 1000)]
    public void Arbitrary_bytes_never_throw_and_only_canonical_ones_decode(byte[] bytes)
    {
        var text = Base64Url.EncodeToString(bytes ?? []);
        if (CausalToken.TryDecode(text, out var token)) Assert.Equal(text, token.Encode());
        // The same bytes after a format byte reach the parser's inner checks.
        var framed = Base64Url.EncodeToString([1, .. bytes ?? []]);
        if (CausalToken.TryDecode(framed, out token)) Assert.Equal(framed, token.Encode());
    }

    [FsCheck.Xunit.Property(MaxTest = 1000)]
    public void Arbitrary_strings_never_throw(string text)
    {
        if (CausalToken.TryDecode(text, out var token)) Assert.Equal(text, token.Encode());
    }

    [FsCheck.Xunit.Property(MaxTest = 500)]
    public void A_damaged_token_is_refused_or_reads_as_another_canonical_token(byte[] bytes, int position, byte value)
    {
        var wire = Base64Url.DecodeFromChars(Token(bytes).Encode());
        wire[(int)((uint)position % wire.Length)] ^= (byte)(value | 1);
        var text = Base64Url.EncodeToString(wire);
        if (CausalToken.TryDecode(text, out var token)) Assert.Equal(text, token.Encode());
        Assert.False(CausalToken.TryDecode(text[..^1] + "!", out _));
        Assert.False(CausalToken.TryDecode(text + "=", out _));
    }

    [Fact]
    public void Nothing_that_is_not_a_token_decodes()
    {
        foreach (var text in new string?[] { null, "", " ", "AQA=", "AQA ", "+/+/", "AA", "Ag", new('A', CausalToken.MaxEncodedLength + 1) })
            Assert.False(CausalToken.TryDecode(text, out _), text);
        Assert.True(CausalToken.TryDecode("AQA", out var empty) && empty.IsEmpty);
    }

    [FsCheck.Xunit.Property(MaxTest = 300)]
    public void Merge_is_commutative_idempotent_and_asks_for_both(byte[] x, byte[] y)
    {
        var (a, b) = (Token(x), Token(y));
        Assert.Equal(a.Merge(b), b.Merge(a));
        Assert.Equal(a, a.Merge(a));
        Assert.Equal(a.Merge(b), a.Merge(b).Merge(b));
        Assert.True(a.Merge(b).Vector.Includes(a.Vector) && a.Merge(b).Vector.Includes(b.Vector));
    }

    [FsCheck.Xunit.Property(MaxTest = 300)]
    public void A_bounded_token_asks_for_at_least_its_dots_and_stays_small(byte[] x)
    {
        var dots = Dots(x);
        var token = CausalToken.Of(Vector(dots));
        Assert.True(token.Vector.Includes(Vector(dots)));
        Assert.All(token.Vector.OutOfOrder.GroupBy(d => d.Replica), g => Assert.True(g.Count() <= CausalToken.MaxDotsPerReplica));
        // A session of many single writes stays a few bytes per replica.
        var session = dots.Aggregate(CausalToken.Empty, (t, d) => t.Merge(CausalToken.Of(d)));
        Assert.True(session.Vector.Includes(Vector(dots)));
        Assert.True(session.Encode().Length <= 4 + Replicas.Length * (40 + CausalToken.MaxDotsPerReplica * 10) * 4 / 3);
    }

    [FsCheck.Xunit.Property(MaxTest = 500)]
    public void Covered_means_every_dot_is_in_the_version_or_from_a_departed_writer(byte[] version, byte[] token, byte departedMask)
    {
        var v = Vector(Dots(version));
        var t = Token(token);
        var departed = Replicas.Where((_, i) => (departedMask >> i & 1) == 1).ToHashSet();
        Assert.Equal(v.Includes(t.Vector), t.CoveredBy(v));
        Assert.Equal(v.Includes(t.Vector.Without(departed)), t.CoveredBy(v, departed));
        var lacking = t.Lacking(v, departed);
        Assert.Equal(t.CoveredBy(v, departed), lacking.Count == 0);
        Assert.All(lacking, d => Assert.True(t.Vector.Contains(d) && !v.Contains(d) && !departed.Contains(d.Replica)));
    }

    [FsCheck.Xunit.Property(MaxTest = 500)]
    public void Covers_is_monotone_in_the_version_the_token_and_the_departed(byte[] version, byte[] more, byte[] token, byte[] less, byte departedMask)
    {
        var v = Vector(Dots(version));
        var bigger = v.Merge(Vector(Dots(more)));
        var t = Token(token);
        var smaller = CausalToken.Of(Vector(Dots(token).Intersect(Dots(less))));
        var departed = Replicas.Where((_, i) => (departedMask >> i & 1) == 1).ToHashSet();
        if (t.CoveredBy(v))
        {
            Assert.True(t.CoveredBy(bigger));
            Assert.True(t.CoveredBy(v, departed));
            if (t.Vector.Includes(smaller.Vector)) Assert.True(smaller.CoveredBy(v));
        }
        if (t.Merge(smaller).CoveredBy(v)) Assert.True(t.CoveredBy(v) && smaller.CoveredBy(v));
    }
}
