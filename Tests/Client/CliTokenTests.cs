using Heck.Client.Cli;
using Heck.Tests.Security;

namespace Heck.Tests.Client;

/// <summary>One silo process with read, write and admin tokens (see <see cref="ApiClients"/>).</summary>
public sealed class TokenSiloProcess : IAsyncLifetime
{
    private SingleSilo _silo = null!;
    public string Api => $"http://127.0.0.1:{_silo.Process.HttpPort}";

    public async Task InitializeAsync() => _silo = await SingleSilo.StartAsync([.. ApiClients.TokenArgs()]);

    public async Task DisposeAsync() => await _silo.DisposeAsync();
}

/// <summary><c>heck</c> against a silo that requires tokens: --token, $HECK_TOKEN, a context's token-file, and exit 4 when refused.</summary>
[Trait("Category", "Process")]
[Collection(ClusterCollection.Name)]
public sealed class CliTokenTests(TokenSiloProcess silo) : IClassFixture<TokenSiloProcess>
{
    private Task<CliResult> Heck(params string[] args) => Cli.RunAsync(["--api", silo.Api, .. args]);

    [Fact]
    public async Task Without_a_token_or_with_too_low_a_scope_the_call_is_refused_with_exit_4_and_a_clear_message()
    {
        var none = await Heck("origins", "ls");
        Assert.True(none.ExitCode == ExitCodes.Unauthorized, none.ToString());
        Assert.Contains("without a valid token", none.Stderr);
        Assert.Contains("--token", none.Stderr);

        var bad = await Heck("origins", "ls", "--token", "wrong");
        Assert.True(bad.ExitCode == ExitCodes.Unauthorized, bad.ToString());

        var reader = await Heck("origins", "add", "cli-token-ro", "http://127.0.0.1:9/", "--interval-ms", "86400000", "--token", ApiClients.ReadToken);
        Assert.True(reader.ExitCode == ExitCodes.Unauthorized, reader.ToString());
        Assert.Contains("lacks the scope", reader.Stderr);
        Assert.Contains("'write'", reader.Stderr);
        Assert.DoesNotContain(ApiClients.ReadToken, reader.Stderr + reader.Stdout);

        var gone = await Heck("origins", "get", "cli-token-ro", "--token", ApiClients.ReadToken);
        Assert.True(gone.ExitCode == ExitCodes.Failed, gone.ToString()); // nothing was created
    }

    [Fact]
    public async Task A_token_from_the_flag_the_environment_or_the_context_s_token_file_is_sent()
    {
        var added = await Heck("origins", "add", "cli-token", "http://127.0.0.1:9/", "--interval-ms", "86400000", "--token", ApiClients.WriteToken);
        Assert.True(added.ExitCode == ExitCodes.Ok, added.ToString());

        using var dir = new TempDirectory();
        var tokenFile = Path.Combine(dir.Path, "token");
        await File.WriteAllTextAsync(tokenFile, ApiClients.ReadToken + "\n");
        var config = Path.Combine(dir.Path, "config.yaml");
        await File.WriteAllTextAsync(config, $"contexts:\n  secured:\n    api: {silo.Api}\n    token-file: {tokenFile}\ncurrent-context: secured\n");
        var saved = (Token: Environment.GetEnvironmentVariable(GlobalOptions.TokenVariable), Config: Environment.GetEnvironmentVariable("HECK_CONFIG"));
        try
        {
            Environment.SetEnvironmentVariable(GlobalOptions.TokenVariable, ApiClients.ReadToken);
            var fromEnvironment = await Heck("origins", "get", "cli-token", "-o", "json");
            Assert.True(fromEnvironment.ExitCode == ExitCodes.Ok, fromEnvironment.ToString());

            Environment.SetEnvironmentVariable(GlobalOptions.TokenVariable, null);
            Environment.SetEnvironmentVariable("HECK_CONFIG", config);
            var fromContext = await Cli.RunAsync("origins", "get", "cli-token", "-o", "json");
            Assert.True(fromContext.ExitCode == ExitCodes.Ok, fromContext.ToString());
            // The context's token goes to the context's API only: with --api it is not sent.
            var elsewhere = await Heck("origins", "get", "cli-token");
            Assert.True(elsewhere.ExitCode == ExitCodes.Unauthorized, elsewhere.ToString());
        }
        finally
        {
            Environment.SetEnvironmentVariable(GlobalOptions.TokenVariable, saved.Token);
            Environment.SetEnvironmentVariable("HECK_CONFIG", saved.Config);
        }
        Assert.Equal(ExitCodes.Ok, (await Heck("origins", "rm", "cli-token", "--token", ApiClients.AdminToken)).ExitCode);
    }

    [Fact]
    public async Task A_token_with_a_space_is_a_usage_error_that_does_not_echo_it()
    {
        var r = await Heck("origins", "ls", "--token", "two words");
        Assert.True(r.ExitCode == ExitCodes.Usage, r.ToString());
        Assert.DoesNotContain("two words", r.Stderr);
    }
}
