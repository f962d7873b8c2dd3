using System.Net.Sockets;
using Heck.Grains.Probing;

namespace Heck.Tests.Probing;

/// <summary>
/// The SSRF guard at connect time and the reasons probes give for a failed connection. Loopback only: a made-up
/// name resolves (through <see cref="MapResolver"/>, no DNS) to 127.0.0.1 while the policy denies 127.0.0.1/32.
/// </summary>
public sealed class GuardedProbeTests
{
    private const string Name = "rebound.heck.test";

    private static NetworkPolicy Deny(string network) => NetworkPolicy.From(new ProbingOptions { DenyNetworks = [network] });

    private static OriginSpec Spec(string url, Action<OriginInput>? configure = null) => HttpProberTests.Spec(url, configure);

    [Theory]
    [InlineData("http")]
    [InlineData("tcp")]
    public async Task A_name_that_resolves_to_a_denied_address_fails_without_a_packet(string scheme)
    {
        await using var target = new RecordingListener();
        var resolver = new MapResolver(new() { [Name] = [IPAddress.Loopback] });
        using var prober = new OriginProber(TimeProvider.System, Deny("127.0.0.1/32"), resolver);
        var url = scheme == "http" ? $"http://{Name}:{target.Port}/" : $"tcp://{Name}:{target.Port}";

        var result = await prober.ProbeAsync(Spec(url), CancellationToken.None);

        Assert.Equal((false, NetworkPolicy.DeniedReason), (result.Success, result.Error));
        Assert.Equal(1, resolver.Lookups);
        Assert.Equal(0, target.Connections);
    }

    [Fact]
    public async Task One_denied_address_among_several_refuses_the_name()
    {
        await using var target = new RecordingListener();
        var resolver = new MapResolver(new() { [Name] = [IPAddress.Loopback, IPAddress.Parse("127.0.0.2")] });
        using var prober = new OriginProber(TimeProvider.System, Deny("127.0.0.2/32"), resolver);
        var result = await prober.ProbeAsync(Spec($"http://{Name}:{target.Port}/"), CancellationToken.None);
        Assert.Equal(NetworkPolicy.DeniedReason, result.Error);
        Assert.Equal(0, target.Connections);
    }

    [Fact]
    public async Task An_allowed_name_is_probed_at_its_resolved_address_with_its_host_header()
    {
        await using var target = new RecordingListener();
        var resolver = new MapResolver(new() { [Name] = [IPAddress.Loopback] });
        using var prober = new OriginProber(TimeProvider.System, Deny("127.0.0.2/32"), resolver);

        var http = await prober.ProbeAsync(Spec($"http://{Name}:{target.Port}/"), CancellationToken.None);
        Assert.True(http.Success, http.Error);
        var tcp = await prober.ProbeAsync(Spec($"tcp://{Name}:{target.Port}"), CancellationToken.None);
        Assert.True(tcp.Success, tcp.Error);
        Assert.Contains($"Host: {Name}:{target.Port}", Assert.Single(target.Requests));
    }

    [Fact]
    public async Task A_denied_literal_address_is_never_connected_to()
    {
        // Bound to 127.0.0.2 and denied: even a spec that skipped registration's check sends nothing.
        await using var target = new RecordingListener(IPAddress.Parse("127.0.0.2"));
        using var prober = new OriginProber(TimeProvider.System, Deny("127.0.0.2/32"), new MapResolver([]));
        foreach (var url in new[] { $"http://127.0.0.2:{target.Port}/", $"tcp://127.0.0.2:{target.Port}" })
            Assert.Equal(NetworkPolicy.DeniedReason, (await prober.ProbeAsync(Spec(url), CancellationToken.None)).Error);
        Assert.Equal(0, target.Connections);
    }

    [Fact]
    public async Task Secrets_are_sent_url_user_info_as_basic_authentication()
    {
        await using var target = new RecordingListener();
        using var prober = new OriginProber(TimeProvider.System);
        var spec = Spec($"http://alice:s3cr%3At@127.0.0.1:{target.Port}/p", i => i.Headers = new() { ["X-Api-Key"] = "k-123" });
        var result = await prober.ProbeAsync(spec, CancellationToken.None);
        Assert.True(result.Success, result.Error);
        var request = Assert.Single(target.Requests);
        Assert.StartsWith("GET /p HTTP/1.1\r\n", request);
        Assert.Contains("Authorization: Basic " + Convert.ToBase64String("alice:s3cr:t"u8.ToArray()) + "\r\n", request);
        Assert.Contains("X-Api-Key: k-123\r\n", request);
    }

    [Theory]
    [InlineData("http")]
    [InlineData("tcp")]
    public async Task A_closed_port_is_connection_refused_not_a_timeout(string scheme)
    {
        using var prober = new OriginProber(TimeProvider.System);
        var result = await prober.ProbeAsync(Spec(ClosedPortUrl(scheme), i => i.TimeoutMs = 1000), CancellationToken.None);
        Assert.Equal((false, "connection refused"), (result.Success, result.Error));
    }

    [Theory]
    [InlineData("http")]
    [InlineData("tcp")]
    public async Task A_refusal_stays_a_refusal_when_the_prober_is_starved(string scheme)
    {
        // Hundreds of probes with a 30 ms timeout, each started by a thread-pool item that first spins: the
        // pool runs completions late, the deadline fires before the prober sees the refusal the kernel already
        // has. Before, most of them read "timeout after 30 ms"; a timeout remains only where the prober did
        // not even get to connect in time, so nearly all must say what happened.
        using var prober = new OriginProber(TimeProvider.System);
        var spec = Spec(ClosedPortUrl(scheme), i => i.TimeoutMs = 30);
        var results = await Task.WhenAll(Enumerable.Range(0, 600).Select(_ => Task.Run(() =>
        {
            Thread.SpinWait(200_000);
            return prober.ProbeAsync(spec, CancellationToken.None);
        })));
        var reasons = results.GroupBy(r => r.Error!).ToDictionary(g => g.Key, g => g.Count());
        var summary = string.Join(", ", reasons.Select(r => $"{r.Key}: {r.Value}"));
        Assert.True(reasons.Keys.All(k => k is "connection refused" or "timeout after 30 ms"), summary);
        Assert.True(reasons.GetValueOrDefault("connection refused") >= 0.9 * results.Length, summary);
    }

    [Fact]
    public async Task A_name_that_does_not_resolve_is_a_dns_failure()
    {
        using var prober = new OriginProber(TimeProvider.System, NetworkPolicy.Default, new MapResolver([]));
        foreach (var url in new[] { "http://nowhere.heck.test:80/", "tcp://nowhere.heck.test:80" })
            Assert.StartsWith("DNS: ", (await prober.ProbeAsync(Spec(url), CancellationToken.None)).Error);
    }

    private static string ClosedPortUrl(string scheme)
    {
        var port = ClosedPort();
        return scheme == "http" ? $"http://127.0.0.1:{port}/" : $"tcp://127.0.0.1:{port}";
    }

    private static int ClosedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port; // bound, never listening: connections are refused
    }
}
