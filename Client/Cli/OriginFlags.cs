using System.CommandLine;
using System.Text.Json.Nodes;
using Heck.Origins;

namespace Heck.Client.Cli;

/// <summary>The flags of an origin's settings, shared by <c>origins add</c> (create or replace) and <c>origins set</c> (change what is given).</summary>
internal sealed class OriginFlags
{
    public Option<int?> Interval { get; } = IntOption.Create("--interval-ms", $"Time between probes (default {OriginDefaults.IntervalMs})", "ms");
    public Option<int?> Timeout { get; } = IntOption.Create("--timeout-ms", "Time a probe may take (default min(2000, interval/2))", "ms");
    public Option<string?> Method { get; } = new("--method") { Description = "GET or HEAD (http(s) only; default GET)" };
    public Option<string?> Expect { get; } = new("--expect-status") { Description = $"Status codes and ranges that count as success (default {OriginDefaults.ExpectStatus})", HelpName = "codes" };
    public Option<string?> Body { get; } = new("--body-contains") { Description = "Text the response body must contain", HelpName = "text" };
    public Option<string[]> Headers { get; } = new("--header", "-H") { Description = "A request header \"Name: value\"; repeat for several", HelpName = "Name: value" };
    public Option<int?> Degraded { get; } = IntOption.Create("--degraded-latency-ms", "A successful probe slower than this makes the origin degraded", "ms");
    public Option<int?> Healthy { get; } = IntOption.Create("--healthy-threshold", $"Successes in a row to become healthy (default {OriginDefaults.HealthyThreshold})", "n");
    public Option<int?> Unhealthy { get; } = IntOption.Create("--unhealthy-threshold", $"Failures in a row to become unhealthy (default {OriginDefaults.UnhealthyThreshold})", "n");
    public Option<bool> Reuse { get; } = new("--reuse-connection") { Description = "Probe over pooled keep-alive connections (http(s) only; default: a new connection per probe)" };
    /// <summary><c>set</c> only: turns <see cref="Reuse"/> off again.</summary>
    public Option<bool> NoReuse { get; } = new("--no-reuse-connection") { Description = "Open a new connection per probe again" };

    public void AddTo(Command command, bool forSet = false)
    {
        foreach (var option in new Option[] { Interval, Timeout, Method, Expect, Body, Headers, Degraded, Healthy, Unhealthy, Reuse })
            command.Options.Add(option);
        if (forSet) command.Options.Add(NoReuse);
    }

    /// <summary>A whole input for <c>add</c>: what is not given takes its default.</summary>
    public OriginInput ToInput(CliRun run, string? url, List<FieldError> errors) => new()
    {
        Url = url,
        IntervalMs = run.Get(Interval),
        TimeoutMs = run.Get(Timeout),
        Method = run.Get(Method),
        ExpectStatus = run.Get(Expect),
        BodyContains = run.Get(Body),
        Headers = HeaderOption.Parse(run.Get(Headers), errors),
        DegradedLatencyMs = run.Get(Degraded),
        HealthyThreshold = run.Get(Healthy),
        UnhealthyThreshold = run.Get(Unhealthy),
        ReuseConnection = run.Get(Reuse) ? true : null,
    };

    /// <summary>A merge patch for <c>set</c>: only what is given; headers are added or changed one by one.</summary>
    public JsonObject ToPatch(CliRun run, string? url, List<FieldError> errors)
    {
        var patch = new JsonObject();
        if (url is not null) patch["url"] = url;
        if (run.Get(Interval) is { } interval) patch["intervalMs"] = interval;
        if (run.Get(Timeout) is { } timeout) patch["timeoutMs"] = timeout;
        if (run.Get(Method) is { } method) patch["method"] = method;
        if (run.Get(Expect) is { } expect) patch["expectStatus"] = expect;
        if (run.Get(Body) is { } body) patch["bodyContains"] = body;
        if (HeaderOption.Parse(run.Get(Headers), errors) is { } headers)
        {
            var h = new JsonObject();
            foreach (var (name, value) in headers) h[name] = value;
            patch["headers"] = h;
        }
        if (run.Get(Degraded) is { } degraded) patch["degradedLatencyMs"] = degraded;
        if (run.Get(Healthy) is { } healthy) patch["healthyThreshold"] = healthy;
        if (run.Get(Unhealthy) is { } unhealthy) patch["unhealthyThreshold"] = unhealthy;
        if (run.Get(Reuse) && run.Get(NoReuse)) errors.Add(new("--reuse-connection", "give either --reuse-connection or --no-reuse-connection, not both"));
        else if (run.Get(Reuse)) patch["reuseConnection"] = true;
        else if (run.Get(NoReuse)) patch["reuseConnection"] = false;
        return patch;
    }
}
