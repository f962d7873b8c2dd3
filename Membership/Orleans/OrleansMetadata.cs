using System.Globalization;
using System.Text;
using Heck.Membership.Swim;
using Orleans.Runtime;

namespace Heck.Membership.Orleans;

/// <summary>What a silo publishes about itself in its SWIM metadata, and how it is read back.</summary>
internal sealed record OrleansMember(
    SiloAddress Silo,
    SiloStatus Status,
    int ProxyPort,
    string SiloName,
    string HostName,
    string? RoleName,
    DateTime StartTime,
    string? ClusterId,
    int Writes,
    long Retired = 0)
{
    // Short keys: metadata is bounded (Metadata.MaxEncodedBytes) and rides on every alive update.
    public const string SiloKey = "o.silo";
    public const string StatusKey = "o.st";
    public const string GatewayKey = "o.gw";
    public const string NameKey = "o.name";
    public const string HostKey = "o.host";
    public const string RoleKey = "o.role";
    public const string StartKey = "o.start";
    public const string ClusterKey = "o.cluster";
    public const string WritesKey = "o.w";
    /// <summary>The silo's retired weight (<see cref="TableVersionClock"/>); absent while 0.</summary>
    public const string RetiredKey = "o.r";

    /// <summary>
    /// The largest retired weight believed. Honest weights grow by the terms of expired members (each below 2^35),
    /// so 2^52 is never reached; a larger published value is read as 0, which keeps the version's sum from
    /// overflowing into a negative version that every Orleans reader would ignore from then on.
    /// </summary>
    public const long MaxRetired = 1L << 52;

    private const int MaxFreeTextBytes = 64;

    /// <summary>Row etag: changes exactly when the silo writes its own row.</summary>
    public string ETag => Writes.ToString(CultureInfo.InvariantCulture);

    public Metadata ToMetadata()
    {
        var items = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [SiloKey] = Silo.ToParsableString(),
            [StatusKey] = ((int)Status).ToString(CultureInfo.InvariantCulture),
            [GatewayKey] = ProxyPort.ToString(CultureInfo.InvariantCulture),
            [StartKey] = StartTime.ToUniversalTime().Ticks.ToString(CultureInfo.InvariantCulture),
            [WritesKey] = Writes.ToString(CultureInfo.InvariantCulture),
            [NameKey] = Truncate(SiloName),
            [HostKey] = Truncate(HostName),
        };
        if (!string.IsNullOrEmpty(ClusterId)) items[ClusterKey] = Truncate(ClusterId);
        if (!string.IsNullOrEmpty(RoleName)) items[RoleKey] = Truncate(RoleName);
        if (Retired > 0) items[RetiredKey] = Retired.ToString(CultureInfo.InvariantCulture);
        // Truncation keeps every value small, so the whole always fits the bound.
        return new Metadata(items);
    }

    /// <summary>Null when the member publishes no (valid) Orleans silo address: not an Orleans silo.</summary>
    public static OrleansMember? TryParse(Metadata metadata)
    {
        if (!metadata.TryGetValue(SiloKey, out var silo) || !SiloAddress.TryParse(silo, out var address)) return null;
        var status = Int(metadata, StatusKey) is { } s && Enum.IsDefined(typeof(SiloStatus), s) ? (SiloStatus)s : SiloStatus.None;
        var start = metadata.TryGetValue(StartKey, out var t) && long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            && ticks >= DateTime.MinValue.Ticks && ticks <= DateTime.MaxValue.Ticks
            ? new DateTime(ticks, DateTimeKind.Utc)
            : DateTime.UnixEpoch;
        return new OrleansMember(
            address,
            status,
            Int(metadata, GatewayKey) ?? 0,
            metadata.GetValueOrDefault(NameKey) ?? address.ToString(),
            metadata.GetValueOrDefault(HostKey) ?? address.Endpoint.Address.ToString(),
            metadata.GetValueOrDefault(RoleKey),
            start,
            metadata.GetValueOrDefault(ClusterKey),
            Int(metadata, WritesKey) ?? 0,
            metadata.TryGetValue(RetiredKey, out var r) && long.TryParse(r, NumberStyles.None, CultureInfo.InvariantCulture, out var retired)
                && retired <= MaxRetired ? retired : 0);
    }

    private static int? Int(Metadata metadata, string key) =>
        metadata.TryGetValue(key, out var v) && int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i) ? i : null;

    private static string Truncate(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        if (Encoding.UTF8.GetByteCount(text) <= MaxFreeTextBytes) return text;
        var length = Math.Min(text.Length, MaxFreeTextBytes);
        while (length > 0 && Encoding.UTF8.GetByteCount(text.AsSpan(0, length)) > MaxFreeTextBytes) length--;
        if (length > 0 && char.IsHighSurrogate(text[length - 1])) length--;
        return text[..length];
    }
}
