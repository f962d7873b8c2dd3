using System.Text.RegularExpressions;

namespace Heck.Origins;

/// <summary>
/// The one place where user input becomes an <see cref="OriginSpec"/>. Pure, so the API, the SDK,
/// the origins file and the grain all reject exactly the same inputs with the same field names.
/// </summary>
public static partial class OriginValidator
{
    [GeneratedRegex("^[A-Za-z0-9._-]{1,128}$")]
    private static partial Regex IdPattern();

    // RFC 9110 token characters: what a header field name may contain.
    [GeneratedRegex("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")]
    private static partial Regex HeaderNamePattern();

    public static bool IsValidId(string? id) => id is not null && IdPattern().IsMatch(id);

    /// <summary>Validates <paramref name="input"/> for origin <paramref name="id"/>; every bad field is reported.</summary>
    public static IReadOnlyList<FieldError> Validate(string? id, OriginInput input, out OriginSpec? spec)
    {
        var errors = new List<FieldError>();
        spec = null;

        if (!IsValidId(id))
            errors.Add(new("id", "must match ^[A-Za-z0-9._-]{1,128}$"));

        var kind = ValidateUrl(input.Url, errors, out var url);

        var interval = input.IntervalMs ?? OriginDefaults.IntervalMs;
        var intervalOk = interval is >= OriginDefaults.MinIntervalMs and <= OriginDefaults.MaxIntervalMs;
        if (!intervalOk)
            errors.Add(new("intervalMs", $"must be between {OriginDefaults.MinIntervalMs} and {OriginDefaults.MaxIntervalMs} (was {interval})"));

        var timeout = input.TimeoutMs ?? OriginDefaults.TimeoutMs(interval);
        if (timeout < 1)
            errors.Add(new("timeoutMs", $"must be at least 1 (was {timeout})"));
        else if (intervalOk && timeout >= interval)
            errors.Add(new("timeoutMs", $"must be less than intervalMs {interval} (was {timeout})"));

        var healthy = input.HealthyThreshold ?? OriginDefaults.HealthyThreshold;
        if (healthy is < 1 or > OriginDefaults.MaxThreshold)
            errors.Add(new("healthyThreshold", $"must be between 1 and {OriginDefaults.MaxThreshold} (was {healthy})"));
        var unhealthy = input.UnhealthyThreshold ?? OriginDefaults.UnhealthyThreshold;
        if (unhealthy is < 1 or > OriginDefaults.MaxThreshold)
            errors.Add(new("unhealthyThreshold", $"must be between 1 and {OriginDefaults.MaxThreshold} (was {unhealthy})"));

        if (input.DegradedLatencyMs is { } degraded && degraded is < 1 or > OriginDefaults.MaxIntervalMs)
            errors.Add(new("degradedLatencyMs", $"must be between 1 and {OriginDefaults.MaxIntervalMs} (was {degraded})"));

        string method = "", expect = "";
        if (kind == OriginKind.Tcp)
        {
            // A TCP probe only connects: HTTP-only fields would be silently ignored, so refuse them.
            foreach (var (name, set) in new[] {
                ("method", input.Method is not null), ("expectStatus", input.ExpectStatus is not null),
                ("bodyContains", input.BodyContains is not null), ("headers", input.Headers is { Count: > 0 }) })
                if (set) errors.Add(new(name, "applies to http(s) origins only"));
        }
        else
        {
            method = (input.Method ?? "GET").ToUpperInvariant();
            if (method is not ("GET" or "HEAD"))
                errors.Add(new("method", $"must be GET or HEAD (was '{input.Method}')"));

            if (StatusCodeSet.TryParse(input.ExpectStatus ?? OriginDefaults.ExpectStatus, out var codes, out var why))
                expect = codes!.ToString();
            else
                errors.Add(new("expectStatus", why!));

            if (input.BodyContains is { } body)
            {
                if (body.Length is 0 or > OriginDefaults.MaxBodyContainsLength)
                    errors.Add(new("bodyContains", $"must be 1 to {OriginDefaults.MaxBodyContainsLength} characters long"));
                else if (method == "HEAD")
                    errors.Add(new("bodyContains", "cannot be checked with method HEAD, which has no body"));
            }

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
        };
        return errors;
    }

    /// <summary>Turns a spec back into input, e.g. to re-validate it or to edit one field.</summary>
    public static OriginInput ToInput(OriginSpec spec) => new()
    {
        Url = spec.Url,
        IntervalMs = spec.IntervalMs,
        TimeoutMs = spec.TimeoutMs,
        Method = spec.Kind == OriginKind.Http ? spec.Method : null,
        ExpectStatus = spec.Kind == OriginKind.Http ? spec.ExpectStatus : null,
        BodyContains = spec.BodyContains,
        Headers = spec.Headers.Count > 0 ? new Dictionary<string, string>(spec.Headers) : null,
        DegradedLatencyMs = spec.DegradedLatencyMs,
        HealthyThreshold = spec.HealthyThreshold,
        UnhealthyThreshold = spec.UnhealthyThreshold,
    };

    private static OriginKind? ValidateUrl(string? raw, List<FieldError> errors, out string? url)
    {
        url = null;
        if (string.IsNullOrWhiteSpace(raw))
        {
            errors.Add(new("url", "is required"));
            return null;
        }
        if (raw.Length > 2048 || !Uri.TryCreate(raw, UriKind.Absolute, out var uri))
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

    private static void ValidateHeaders(Dictionary<string, string>? headers, List<FieldError> errors)
    {
        if (headers is null) return;
        if (headers.Count > OriginDefaults.MaxHeaders)
            errors.Add(new("headers", $"at most {OriginDefaults.MaxHeaders} headers"));
        foreach (var (name, value) in headers)
        {
            if (!HeaderNamePattern().IsMatch(name))
                errors.Add(new($"headers.{name}", "is not a valid header name"));
            else if (value is null || value.Length > 8192 || value.Any(c => c is '\r' or '\n' or '\0'))
                errors.Add(new($"headers.{name}", "value must be at most 8192 characters with no line breaks"));
            else if (name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase) ||
                     name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
                errors.Add(new($"headers.{name}", "describes a request body, and probes send none"));
        }
    }
}
