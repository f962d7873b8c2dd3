using System.Net.Sockets;
using Heck.Client.Sdk;
using Heck.Client.Cli;
using Heck.Membership.Orleans;

namespace Heck.Tests.Client;

/// <summary>
/// The SDK and the CLI find a real silo's gateway through its SWIM endpoint alone (<see cref="HeckClientOptions.Seeds"/>,
/// <c>--seed</c>): the gateway port is never given to them.
/// </summary>
[Trait("Category", "Cluster")]
[Collection(ClusterCollection.Name)]
public sealed class SwimSeedTests : IAsyncLifetime
{
    private InProcessSilo _silo = null!;
    private string _seed = "";

    public async Task InitializeAsync()
    {
        _silo = await InProcessSilo.StartAsync();
        try
        {
            _seed = $"127.0.0.1:{_silo.Services.GetRequiredService<SwimMembership>().Host!.Port}";
            using var put = await _silo.Http.PutAsJsonAsync("/api/origins/seeded", new { url = "http://127.0.0.1:9/seeded", intervalMs = 60_000 });
            put.EnsureSuccessStatusCode();
        }
        catch
        {
            await _silo.DisposeAsync(); // xunit does not dispose a class whose initialisation failed
            throw;
        }
    }

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    [Fact]
    public async Task A_client_given_only_a_seed_connects_and_lists_origins()
    {
        await using var client = await HeckClient.ConnectAsync(new HeckClientOptions { Gateways = [], Seeds = [_seed], LogWriter = TextWriter.Null });
        var origins = await Eventually.Until(() => client.ListOriginsAsync(), list => list.Count > 0, TimeSpan.FromSeconds(15), "the origin is listed");
        Assert.Equal("seeded", Assert.Single(origins).Spec.Id);
        var member = Assert.Single(await client.GetMembersAsync());
        Assert.Equal($"127.0.0.1:{_silo.GatewayPort}", member.Gateway);
    }

    [Fact]
    public async Task The_cli_finds_the_cluster_through_seed()
    {
        var members = await Cli.RunAsync("members", "--seed", _seed, "--json");
        Assert.True(members.ExitCode == ExitCodes.Ok, members.ToString());
        using var json = JsonDocument.Parse(members.Stdout);
        var member = Assert.Single(json.RootElement.GetProperty("members").EnumerateArray());
        Assert.Equal("alive", member.GetProperty("status").GetString());
        Assert.Equal($"127.0.0.1:{_silo.GatewayPort}", member.GetProperty("gateway").GetString());

        var origins = await Cli.RunAsync("origins", "ls", "--seed", _seed);
        Assert.True(origins.ExitCode == ExitCodes.Ok, origins.ToString());
        Assert.Contains("seeded", origins.Stdout);
    }
}

/// <summary>Bad or unreachable seeds, without a cluster.</summary>
public sealed class SwimSeedUsageTests
{
    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Theory]
    [InlineData("host:port")]
    [InlineData("host:0")]
    [InlineData("[::1")]
    [InlineData("bad/host:7946")]
    public async Task A_bad_seed_is_a_usage_error_naming_the_option(string seed)
    {
        var r = await Cli.RunAsync(null, ["members", "--seed", seed]);
        Assert.True(r.ExitCode == ExitCodes.Usage, r.ToString());
        Assert.Contains(Lines(r.Stderr), l => l.StartsWith("--seed: ", StringComparison.Ordinal) && l.Contains(seed, StringComparison.Ordinal));
        Assert.Equal("", r.Stdout);
    }

    [Fact]
    public async Task Seed_and_gateway_together_are_a_usage_error()
    {
        var r = await Cli.RunAsync(null, ["members", "--seed", "127.0.0.1:7946", "--gateway", "127.0.0.1:30000"]);
        Assert.True(r.ExitCode == ExitCodes.Usage, r.ToString());
        Assert.Contains("--seed: ", r.Stderr);
    }

    [Fact]
    public async Task A_seed_that_does_not_answer_is_exit_3_naming_it()
    {
        var seed = $"127.0.0.1:{ClosedPort()}";
        var r = await Cli.RunAsync("members", "--seed", seed, "--connect-timeout-ms", "1000");
        Assert.True(r.ExitCode == ExitCodes.Unavailable, r.ToString());
        Assert.Contains(seed, r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(1000)]
    [InlineData(2500)]
    public async Task A_silent_seed_is_named_as_the_cause_however_the_connect_gives_up(int connectTimeoutMs)
    {
        // A closed loopback port answers at once (port unreachable), so the retry filter, not the timeout, ends the
        // connect; the cause a user needs is the same either way: no seed answered, perhaps for want of a key.
        var seed = $"127.0.0.1:{ClosedPort()}";
        var e = await Assert.ThrowsAsync<HeckConnectionException>(() => HeckClient.ConnectAsync(new HeckClientOptions
        {
            Gateways = [], Seeds = [seed], ConnectTimeout = TimeSpan.FromMilliseconds(connectTimeoutMs), LogWriter = TextWriter.Null,
        }));
        Assert.Contains(seed, e.Message);
        Assert.Contains("no seed answered", e.Message);
        Assert.Contains("without one of its keys", e.Message);
    }

    [Theory]
    [InlineData("10.0.0.1", "10.0.0.1:7946")]
    [InlineData("10.0.0.1:7000", "10.0.0.1:7000")]
    [InlineData("silo-a", "silo-a:7946")]
    [InlineData("::1", "[::1]:7946")]
    [InlineData("[::1]:7000", "[::1]:7000")]
    public void Seeds_default_to_the_swim_port(string text, string expected)
    {
        Assert.True(SwimSeed.TryParse(text, out var seed, out var error), error);
        Assert.Equal(expected, seed);
    }

    [Fact]
    public void Seeds_come_from_the_command_line_else_from_HECK_SEEDS_unless_gateways_are_given()
    {
        Assert.Equal(["a:1", "b:2"], GlobalOptions.ResolveSeeds(["a:1,b:2"], gatewaysOnCommandLine: false, environment: "c:3"));
        Assert.Equal(["c:3", "d:4"], GlobalOptions.ResolveSeeds(null, gatewaysOnCommandLine: false, environment: "c:3 d:4"));
        Assert.Empty(GlobalOptions.ResolveSeeds(null, gatewaysOnCommandLine: true, environment: "c:3"));
        Assert.Empty(GlobalOptions.ResolveSeeds(null, gatewaysOnCommandLine: false, environment: null));
        Assert.Equal([""], GlobalOptions.ResolveSeeds([""], gatewaysOnCommandLine: false, environment: null));
    }

    [Fact]
    public async Task The_sdk_refuses_a_bad_seed_or_key_before_connecting()
    {
        var seed = await Assert.ThrowsAsync<ArgumentException>(() => HeckClient.ConnectAsync(new HeckClientOptions { Seeds = ["no port:x"] }));
        Assert.Contains("no port:x", seed.Message);
        var key = await Assert.ThrowsAsync<ArgumentException>(() => HeckClient.ConnectAsync(new HeckClientOptions { Seeds = ["127.0.0.1:7946"], Keys = ["c2hvcnQ="] }));
        Assert.Contains("SWIM key 0", key.Message);
    }

    /// <summary>A loopback port that nothing listens on (it was free a moment ago).</summary>
    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

/// <summary>
/// A silo whose SWIM traffic is encrypted: the SDK and the CLI find its gateway only with its key,
/// and a client without the key gets no answer (the silo drops what it cannot authenticate).
/// </summary>
[Trait("Category", "Cluster")]
[Collection(ClusterCollection.Name)]
public sealed class EncryptedSwimSeedTests : IAsyncLifetime
{
    private static readonly string Key = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
    private static readonly string OtherKey = Convert.ToBase64String(Enumerable.Range(101, 32).Select(i => (byte)i).ToArray());
    private InProcessSilo _silo = null!;
    private string _seed = "";

    public async Task InitializeAsync()
    {
        _silo = await InProcessSilo.StartAsync(extraArgs: [$"--Heck:Swim:Keys:0={Key}"]);
        _seed = $"127.0.0.1:{_silo.Services.GetRequiredService<SwimMembership>().Host!.Port}";
    }

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    [Fact]
    public async Task The_sdk_with_the_key_connects_through_the_seed()
    {
        await using var client = await HeckClient.ConnectAsync(new HeckClientOptions { Gateways = [], Seeds = [_seed], Keys = [Key], LogWriter = TextWriter.Null });
        var member = Assert.Single(await client.GetMembersAsync());
        Assert.Equal($"127.0.0.1:{_silo.GatewayPort}", member.Gateway);
    }

    [Fact]
    public async Task The_cli_with_swim_key_finds_the_gateway_and_without_it_gets_no_answer()
    {
        // The old key second, as during a rotation: the first one encrypts, any of them decrypts answers.
        var with = await Cli.RunAsync("members", "--seed", _seed, "--swim-key", $"{Key},{OtherKey}", "--json");
        Assert.True(with.ExitCode == ExitCodes.Ok, with.ToString());
        using (var json = JsonDocument.Parse(with.Stdout))
            Assert.Equal($"127.0.0.1:{_silo.GatewayPort}", Assert.Single(json.RootElement.GetProperty("members").EnumerateArray()).GetProperty("gateway").GetString());

        var without = await Cli.RunAsync("members", "--seed", _seed, "--connect-timeout-ms", "1500");
        Assert.True(without.ExitCode == ExitCodes.Unavailable, without.ToString());
        Assert.Contains(_seed, without.Stderr);
        Assert.Contains("without one of its keys", without.Stderr);

        var wrong = await Cli.RunAsync("members", "--seed", _seed, "--swim-key", OtherKey, "--connect-timeout-ms", "1500");
        Assert.True(wrong.ExitCode == ExitCodes.Unavailable, wrong.ToString());
    }
}

/// <summary>The CLI's SWIM key option, without a cluster.</summary>
public sealed class SwimKeyUsageTests
{
    [Fact]
    public async Task A_bad_key_is_a_usage_error_that_names_the_option_but_not_the_key()
    {
        var r = await Cli.RunAsync(null, ["members", "--seed", "127.0.0.1:7946", "--swim-key", "c2hvcnQ="]);
        Assert.True(r.ExitCode == ExitCodes.Usage, r.ToString());
        Assert.Contains("--swim-key: key 1 decodes to 5 bytes", r.Stderr);
        Assert.DoesNotContain("c2hvcnQ=", r.Stderr);
    }

    [Fact]
    public async Task A_key_without_a_seed_is_a_usage_error()
    {
        var r = await Cli.RunAsync(null, ["members", "--gateway", "127.0.0.1:30000", "--swim-key", Convert.ToBase64String(new byte[32])]);
        Assert.True(r.ExitCode == ExitCodes.Usage, r.ToString());
        Assert.Contains("--swim-key: is only used", r.Stderr);
    }

    [Fact]
    public void Keys_come_from_the_command_line_else_from_HECK_SWIM_KEYS()
    {
        Assert.Equal(["a", "b"], GlobalOptions.ResolveSwimKeys(["a,b"], environment: "c"));
        Assert.Equal(["c", "d"], GlobalOptions.ResolveSwimKeys(null, environment: "c, d"));
        Assert.Empty(GlobalOptions.ResolveSwimKeys(null, environment: " "));
        Assert.Equal([""], GlobalOptions.ResolveSwimKeys([""], environment: "c"));
    }
}
