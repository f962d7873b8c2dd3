namespace Heck.Origins;

/// <summary>
/// Which parts of an origin are secrets, and how they are shown: the values of secret-named headers
/// (<see cref="IsSecretHeader"/>) and the user info of the url are stored and sent by probes, but every
/// document, table and log line shows <see cref="Mask"/> instead. A write that sends <see cref="Mask"/> back
/// keeps the stored secret (<see cref="Restore"/>), so a read-modify-write round trip loses nothing.
/// </summary>
public static class Redaction
{
    public const string Mask = "***";

    private static readonly string[] SecretNames = ["Authorization", "Proxy-Authorization", "Cookie"];
    private static readonly string[] SecretSuffixes = ["-Token", "-Key", "-Secret"];

    /// <summary>Whether a header's value is a secret: <c>Authorization</c>, <c>Proxy-Authorization</c>, <c>Cookie</c>, <c>*-Token</c>, <c>*-Key</c>, <c>*-Secret</c>, in any case.</summary>
    public static bool IsSecretHeader(string name) =>
        SecretNames.Any(n => name.Equals(n, StringComparison.OrdinalIgnoreCase)) ||
        SecretSuffixes.Any(s => name.Length > s.Length && name.EndsWith(s, StringComparison.OrdinalIgnoreCase));

    /// <summary>The url with its user info (<c>user:password@</c>), if any, shown as <see cref="Mask"/>.</summary>
    public static string Url(string url) =>
        UserInfo(url) is { } at ? string.Concat(url.AsSpan(0, at.Start), Mask, url.AsSpan(at.End)) : url;

    /// <summary>The headers with every secret value shown as <see cref="Mask"/>; the same instance when there is none.</summary>
    public static IReadOnlyDictionary<string, string> Headers(IReadOnlyDictionary<string, string> headers)
    {
        if (!headers.Keys.Any(IsSecretHeader)) return headers;
        return headers.ToDictionary(h => h.Key, h => IsSecretHeader(h.Key) ? Mask : h.Value, StringComparer.Ordinal);
    }

    /// <summary>The spec as people see it: the same instance when it holds no secret.</summary>
    public static OriginSpec Spec(OriginSpec spec)
    {
        var url = Url(spec.Url);
        var headers = Headers(spec.Headers);
        return ReferenceEquals(headers, spec.Headers) && url == spec.Url ? spec : spec with { Url = url, Headers = headers };
    }

    /// <summary>
    /// <paramref name="incoming"/> with every <see cref="Mask"/> that stands for a secret replaced by the
    /// <paramref name="stored"/> one: a secret-named header whose value is the mask keeps the stored value of that
    /// header (names compared in any case), and url user info that is the mask keeps the stored user info.
    /// The stored secret is kept only while the url still names the same scheme, host and port, so a write
    /// cannot send a secret it cannot read to another host. Anything else is an error naming the field.
    /// </summary>
    public static OriginSpec Restore(OriginSpec incoming, OriginSpec? stored, List<FieldError> errors)
    {
        var maskedHeaders = incoming.Headers.Where(h => h.Value == Mask && IsSecretHeader(h.Key)).Select(h => h.Key).ToList();
        var info = UserInfo(incoming.Url);
        var maskedUserInfo = info is { } i && incoming.Url.AsSpan(i.Start, i.End - i.Start).SequenceEqual(Mask);
        if (maskedHeaders.Count == 0 && !maskedUserInfo) return incoming;

        var sameTarget = stored is not null && Target(stored.Url) == Target(incoming.Url);
        var url = incoming.Url;
        if (maskedUserInfo)
        {
            if (!sameTarget)
                errors.Add(new("url", $"user info \"{Mask}\" keeps the stored one, which only an origin with the same scheme, host and port has: send it again"));
            else if (UserInfo(stored!.Url) is not { } kept)
                errors.Add(new("url", $"user info \"{Mask}\" keeps the stored one, and the stored url has none"));
            else
                url = string.Concat(incoming.Url.AsSpan(0, info!.Value.Start), stored.Url.AsSpan(kept.Start, kept.End - kept.Start), incoming.Url.AsSpan(info.Value.End));
        }
        var headers = new Dictionary<string, string>(incoming.Headers, StringComparer.Ordinal);
        foreach (var name in maskedHeaders)
        {
            var keptValue = stored?.Headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;
            if (!sameTarget)
                errors.Add(new($"headers.{name}", $"\"{Mask}\" keeps the stored value, which only an origin with the same scheme, host and port has: send it again"));
            else if (keptValue is null || keptValue == Mask)
                errors.Add(new($"headers.{name}", $"\"{Mask}\" keeps the stored value, and there is none"));
            else
                headers[name] = keptValue;
        }
        return incoming with { Url = url, Headers = headers };
    }

    private static string? Target(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? $"{uri.Scheme}://{uri.Host}:{uri.Port}" : null;

    /// <summary>Where the user info of an absolute url stands (before its <c>@</c>), or null when it has none.</summary>
    private static (int Start, int End)? UserInfo(string url)
    {
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0) return null;
        var start = scheme + 3;
        var end = url.IndexOfAny(['/', '?', '#'], start);
        var authority = end < 0 ? url.AsSpan(start) : url.AsSpan(start, end - start);
        var at = authority.LastIndexOf('@');
        return at < 0 ? null : (start, start + at);
    }
}
