using System.Text.RegularExpressions;

namespace Heck.Origins;

/// <summary>
/// The one place where user input becomes an <see cref="OriginSpec"/>, and where a spec's
/// invariants are checked. Pure, so the API, the SDK, the CLI, the origins file and the grain all
/// reject exactly the same inputs with the same field names and messages.
/// </summary>
public static partial class OriginValidator
{
    private const string IdRule = "^[A-Za-z0-9._-]{1,128}$";

    /// <summary>What is wrong with an id that <see cref="IsValidId"/> refuses.</summary>
    public const string IdError = "must match " + IdRule;

    // \z, not the rule's $: in .NET, $ also matches before a final newline, which let "abc\n" through.
    [GeneratedRegex(@"^[A-Za-z0-9._-]{1,128}\z")]
    private static partial Regex IdPattern();

    // RFC 9110 token characters: what a header field name may contain.
    [GeneratedRegex(@"^[!#$%&'*+.^_`|~0-9A-Za-z-]+\z")]
    private static partial Regex HeaderNamePattern();

    public static bool IsValidId(string? id) => id is not null && IdPattern().IsMatch(id);

    /// <summary>The <c>id</c> error for a bad id, null for a good one.</summary>
    public static FieldError? CheckId(string? id) => IsValidId(id) ? null : new FieldError("id", IdError);

    /// <summary>
    /// Validates <paramref name="input"/> for origin <paramref name="id"/>; every bad field is reported. The silo
    /// passes its <c>Heck:Limits:MinIntervalMs</c> as <paramref name="minIntervalMs"/>; clients check the default.
    /// </summary>
    public static IReadOnlyList<FieldError> Validate(string? id, OriginInput input, out OriginSpec? spec, int minIntervalMs = OriginDefaults.MinIntervalMs)
    {
        var errors = new List<FieldError>();
        spec = null;

        if (CheckId(id) is { } idError) errors.Add(idError);

        var kind = ValidateUrl(input.Url, errors, out var url);

        var interval = input.IntervalMs ?? OriginDefaults.IntervalMs;
        var timeout = input.TimeoutMs ?? OriginDefaults.TimeoutMs(interval);
        CheckTiming(interval, timeout, minIntervalMs, errors);
        var healthy = input.HealthyThreshold ?? OriginDefaults.HealthyThreshold;
        var unhealthy = input.UnhealthyThreshold ?? OriginDefaults.UnhealthyThreshold;
        CheckThresholds(healthy, unhealthy, input.DegradedLatencyMs, errors);

        string method = "", expect = "";
        if (kind == OriginKind.Tcp)
            RefuseHttpFields(input.Method is not null, input.ExpectStatus is not null, input.BodyContains is not null,
                input.Headers is { Count: > 0 }, input.ReuseConnection == true, errors);
        else
        {
            method = (input.Method ?? "GET").ToUpperInvariant();
            if (method is not ("GET" or "HEAD"))
                errors.Add(new("method", $"must be GET or HEAD (was '{input.Method}')"));

            if (StatusCodeSet.TryParse(input.ExpectStatus ?? OriginDefaults.ExpectStatus, out var codes, out var why))
                expect = codes!.ToString();
            else
                errors.Add(new("expectStatus", why!));

            CheckBody(input.BodyContains, method, errors);
            ValidateHeaders(input.Headers, errors);
        }

        if (errors.Count > 0) return errors;

        spec = new OriginSpec
        {
            Id = id!,
            Url = url!,
            IntervalMs = interval,
            TimeoutMs = timeout,
            Method = method,
            ExpectStatus = expect,
            BodyContains = input.BodyContains,
            Headers = input.Headers is null ? new Dictionary<string, string>() : new Dictionary<string, string>(input.Headers),
            DegradedLatencyMs = input.DegradedLatencyMs,
            HealthyThreshold = healthy,
            UnhealthyThreshold = unhealthy,
            ReuseConnection = input.ReuseConnection ?? false,
        };
        return errors;
    }

    /// <summary>
    /// Checks a spec's invariants: what <see cref="Validate(string?, OriginInput, out OriginSpec?)"/>
    /// guarantees of the specs it makes, for a spec that may have been built elsewhere (a client
    /// that skipped validation). Every field must be in range and in the form validation writes
    /// (normalised url, upper-case method, canonical status set; empty method and status for TCP).
    /// </summary>
    public static IReadOnlyList<FieldError> Validate(OriginSpec spec, int minIntervalMs = OriginDefaults.MinIntervalMs)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var errors = new List<FieldError>();
        if (CheckId(spec.Id) is { } idError) errors.Add(idError);

        var kind = ValidateUrl(spec.Url, errors, out var url);
        if (url is not null && url != spec.Url)
            errors.Add(new("url", $"must be written as '{url}'"));

        CheckTiming(spec.IntervalMs, spec.TimeoutMs, minIntervalMs, errors);
        CheckThresholds(spec.HealthyThreshold, spec.UnhealthyThreshold, spec.DegradedLatencyMs, errors);
        if (spec.Headers is null)
            errors.Add(new("headers", "must not be null"));

        if (kind == OriginKind.Tcp)
            RefuseHttpFields(spec.Method is { Length: > 0 }, spec.ExpectStatus is { Length: > 0 }, spec.BodyContains is not null,
                spec.Headers is { Count: > 0 }, spec.ReuseConnection, errors);
        else if (kind == OriginKind.Http)
        {
            if (spec.Method is not ("GET" or "HEAD"))
                errors.Add(new("method", $"must be GET or HEAD (was '{spec.Method}')"));

            if (!StatusCodeSet.TryParse(spec.ExpectStatus, out var codes, out var why))
                errors.Add(new("expectStatus", why!));
            else if (codes!.ToString() != spec.ExpectStatus)
                errors.Add(new("expectStatus", $"must be written as '{codes}'"));

            CheckBody(spec.BodyContains, spec.Method, errors);
            ValidateHeaders(spec.Headers, errors);
        }
        return errors;
    }

    private static void CheckTiming(int interval, int timeout, int minInterval, List<FieldError> errors)
    {
        var intervalOk = interval >= minInterval && interval <= OriginDefaults.MaxIntervalMs;
        if (!intervalOk)
            errors.Add(new("intervalMs", Range(minInterval, OriginDefaults.MaxIntervalMs, interval)));
        if (timeout < 1)
            errors.Add(new("timeoutMs", $"must be at least 1 (was {timeout})"));
        else if (intervalOk && timeout >= interval)
            errors.Add(new("timeoutMs", $"must be less than intervalMs {interval} (was {timeout})"));
    }

    private static void CheckThresholds(int healthy, int unhealthy, int? degraded, List<FieldError> errors)
    {
        if (healthy is < 1 or > OriginDefaults.MaxThreshold)
            errors.Add(new("healthyThreshold", Range(1, OriginDefaults.MaxThreshold, healthy)));
        if (unhealthy is < 1 or > OriginDefaults.MaxThreshold)
            errors.Add(new("unhealthyThreshold", Range(1, OriginDefaults.MaxThreshold, unhealthy)));
        if (degraded is { } d && d is < 1 or > OriginDefaults.MaxIntervalMs)
            errors.Add(new("degradedLatencyMs", Range(1, OriginDefaults.MaxIntervalMs, d)));
    }

    private static string Range(long min, long max, object was) => $"must be {min} … {max} (was {was})";

    /// <summary>
    /// The message for a whole number too large (or small) for its field to hold at all, such as
    /// <c>"intervalMs": 999999999999</c>: the same rule the field's range check gives, with the number as written.
    /// </summary>
    public static string OutOfRange(string field, string was) => field switch
    {
        "intervalMs" => Range(OriginDefaults.MinIntervalMs, OriginDefaults.MaxIntervalMs, was),
        "timeoutMs" => was.StartsWith('-') ? $"must be at least 1 (was {was})" : $"must be less than intervalMs (was {was})",
        "healthyThreshold" or "unhealthyThreshold" => Range(1, OriginDefaults.MaxThreshold, was),
        "degradedLatencyMs" => Range(1, OriginDefaults.MaxIntervalMs, was),
        _ => $"is out of range (was {was})",
    };

    // A TCP probe only connects (a new connection each time): HTTP-only fields would be silently ignored, so refuse them.
    private static void RefuseHttpFields(bool method, bool expectStatus, bool bodyContains, bool headers, bool reuseConnection, List<FieldError> errors)
    {
        foreach (var (name, set) in new[] {
            ("method", method), ("expectStatus", expectStatus), ("bodyContains", bodyContains), ("headers", headers),
            ("reuseConnection", reuseConnection) })
            if (set) errors.Add(new(name, "applies to http(s) origins only"));
    }

    private static void CheckBody(string? body, string? method, List<FieldError> errors)
    {
        if (body is null) return;
        if (body.Length is 0 or > OriginDefaults.MaxBodyContainsLength)
            errors.Add(new("bodyContains", $"must be 1 to {OriginDefaults.MaxBodyContainsLength} characters long"));
        else if (method == "HEAD")
            errors.Add(new("bodyContains", "cannot be checked with method HEAD, which has no body"));
    }

    private const int MaxUrlLength = 2048;

    private static OriginKind? ValidateUrl(string? raw, List<FieldError> errors, out string? url)
    {
        var kind = ParseUrl(raw, errors, out url);
        // Escaping (a space becomes %20) lengthens a url: the stored form must pass this check again.
        if (kind is not null && url!.Length > MaxUrlLength)
        {
            errors.Add(new("url", $"must be at most {MaxUrlLength} characters once escaped (was {url.Length})"));
            url = null;
            return null;
        }
        return kind;
    }

    private static OriginKind? ParseUrl(string? raw, List<FieldError> errors, out string? url)
    {
        url = null;
        if (string.IsNullOrWhiteSpace(raw))
        {
            errors.Add(new("url", "is required"));
            return null;
        }
        if (raw.Length > MaxUrlLength || !Uri.TryCreate(raw, UriKind.Absolute, out var uri))
        {
            errors.Add(new("url", "must be an absolute http://, https:// or tcp://host:port URL"));
            return null;
        }
        if (string.IsNullOrEmpty(uri.Host))
        {
            errors.Add(new("url", "must name a host"));
            return null;
        }
        switch (uri.Scheme)
        {
            case "http" or "https":
                url = uri.AbsoluteUri;
                return OriginKind.Http;
            case "tcp":
                // Uri reports -1 for a scheme it has no default port for, i.e. when none was written.
                if (uri.Port <= 0)
                {
                    errors.Add(new("url", "a tcp:// URL needs a port, e.g. tcp://db.example:5432"));
                    return null;
                }
                if (uri.AbsolutePath is not ("/" or "") || uri.Query.Length > 0)
                {
                    errors.Add(new("url", "a tcp:// URL is host and port only"));
                    return null;
                }
                url = $"tcp://{uri.Authority}";
                return OriginKind.Tcp;
            default:
                errors.Add(new("url", $"scheme must be http, https or tcp (was '{uri.Scheme}')"));
                return null;
        }
    }

    private static void ValidateHeaders(IReadOnlyDictionary<string, string>? headers, List<FieldError> errors)
    {
        if (headers is null) return;
        if (headers.Count > OriginDefaults.MaxHeaders)
            errors.Add(new("headers", $"at most {OriginDefaults.MaxHeaders} headers"));
        foreach (var (name, value) in headers)
        {
            if (!HeaderNamePattern().IsMatch(name))
                errors.Add(new($"headers.{name}", "is not a valid header name: letters, digits and !#$%&'*+-.^_`|~ only"));
            else if (value is null || value.Length > 8192 || value.Any(c => c is '\r' or '\n' or '\0'))
                errors.Add(new($"headers.{name}", "value must be at most 8192 characters with no line breaks"));
            else if (name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase) ||
                     name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
                errors.Add(new($"headers.{name}", "describes a request body, and probes send none"));
        }
    }
}
