using System.Diagnostics;
using System.Net.Sockets;
using Heck.Client.Sdk;
using Heck.Client.Cli;

namespace Heck.Tests.Client;

/// <summary>No cluster behind the gateway: exit code 3 (or <see cref="HeckConnectionException"/>) within the timeout.</summary>
public class ConnectFailureTests
{
    /// <summary>A loopback port that nothing listens on (it was free a moment ago).</summary>
    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    [Fact]
    public async Task The_cli_exits_3_within_the_connect_timeout_naming_the_gateway()
    {
        var gateway = $"127.0.0.1:{ClosedPort()}";
        var clock = Stopwatch.StartNew();
        var r = await Cli.RunAsync("origins", "ls", "--gateway", gateway, "--connect-timeout-ms", "1000");
        clock.Stop();

        Assert.True(r.ExitCode == ExitCodes.Unavailable, r.ToString());
        Assert.Contains(gateway, r.Stderr);
        Assert.Equal("", r.Stdout);
        Assert.DoesNotContain("   at ", r.Stderr);
        // The timeout bounds the attempt; the slack is for starting and stopping the client on a busy machine.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Over_http_a_refused_connection_is_reported_at_once_with_exit_3()
    {
        var api = $"http://127.0.0.1:{ClosedPort()}";
        // A connect timeout far beyond the test's patience: the answer must come from the refusal, not the timeout.
        var r = await Cli.RunAsync("origins", "ls", "--api", api, "--connect-timeout-ms", "600000");
        Assert.True(r.ExitCode == ExitCodes.Unavailable, r.ToString());
        Assert.Equal($"heck: Cannot connect to {api}: connection refused", r.Stderr.Trim());
        Assert.Equal("", r.Stdout);
    }

    [Fact]
    public async Task The_sdk_throws_a_connection_exception_listing_the_gateways()
    {
        var a = $"127.0.0.1:{ClosedPort()}";
        var b = $"localhost:{ClosedPort()}";
        var clock = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<HeckConnectionException>(() => HeckClient.ConnectAsync(new HeckClientOptions
        {
            Gateways = [a, b],
            ConnectTimeout = TimeSpan.FromMilliseconds(800),
            LogWriter = TextWriter.Null,
        }));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"took {clock.Elapsed}");
        Assert.Contains(a, ex.Message);
        Assert.Contains(b, ex.Message);
        Assert.Equal([a, b], ex.Gateways);
    }

    [Fact]
    public async Task A_host_name_that_does_not_resolve_is_a_connection_failure()
    {
        var r = await Cli.RunAsync("members", "--gateway", "no-such-host.invalid:30000", "--connect-timeout-ms", "3000");
        Assert.True(r.ExitCode == ExitCodes.Unavailable, r.ToString());
        Assert.Contains("no-such-host.invalid", r.Stderr);
    }

    [Fact]
    public async Task Cancelling_the_connect_throws_operation_canceled_not_connection_failure()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => HeckClient.ConnectAsync(new HeckClientOptions
        {
            Gateways = [$"127.0.0.1:{ClosedPort()}"],
            ConnectTimeout = TimeSpan.FromSeconds(30),
            LogWriter = TextWriter.Null,
        }, cts.Token));
    }
}
