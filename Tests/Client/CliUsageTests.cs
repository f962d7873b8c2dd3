using Heck.Client.Cli;

namespace Heck.Tests.Client;

/// <summary>Bad input is exit code 2, each problem on stderr, and nothing is sent anywhere.</summary>
public class CliUsageTests
{
    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Fact]
    public async Task An_origin_with_a_bad_scheme_is_a_usage_error_that_names_url()
    {
        var r = await Cli.RunAsync(null, ["origins", "add", "x", "ftp://a"]);
        Assert.True(r.ExitCode == ExitCodes.Usage, r.ToString());
        Assert.Contains(Lines(r.Stderr), l => l.StartsWith("url: ", StringComparison.Ordinal));
        Assert.Equal("", r.Stdout);
        Assert.DoesNotContain("   at ", r.Stderr); // no stack trace
    }

    [Fact]
    public async Task Every_bad_field_is_reported_at_once_as_field_colon_message()
    {
        var r = await Cli.RunAsync(null, ["origins", "add", "bad id", "http://a", "--interval-ms", "50", "--method", "POST",
            "--header", "nocolon", "--healthy-threshold", "0", "--gateway", "host:0"]);
        Assert.True(r.ExitCode == ExitCodes.Usage, r.ToString());
        var fields = Lines(r.Stderr).Select(l => l[..l.IndexOf(':')]).ToHashSet();
        Assert.Superset(new HashSet<string> { "id", "--interval-ms", "--method", "--header", "--healthy-threshold", "--gateway" }, fields);
    }

    [Fact]
    public async Task Http_only_settings_on_a_tcp_origin_are_refused()
    {
        var r = await Cli.RunAsync(null, ["origins", "add", "db", "tcp://db:5432", "--expect-status", "200"]);
        Assert.True(r.ExitCode == ExitCodes.Usage, r.ToString());
        Assert.Contains("--expect-status: applies to http(s) origins only", r.Stderr);
    }

    [Theory]
    [InlineData("origins", "rm", "bad/id")]
    [InlineData("origins", "get", "bad/id")]
    [InlineData("watch", "bad/id")]
    public async Task A_bad_id_is_a_usage_error(params string[] args)
    {
        var r = await Cli.RunAsync(null, args);
        Assert.True(r.ExitCode == ExitCodes.Usage, r.ToString());
        Assert.StartsWith("id: ", r.Stderr);
    }

    [Theory]
    [InlineData("origins", "add", "x")] // missing url
    [InlineData("origins", "add", "x", "http://a", "--interval-ms", "soon")]
    [InlineData("origins", "ls", "--status", "sick")]
    [InlineData("origins", "frobnicate")]
    [InlineData("--no-such-option")]
    [InlineData("members", "--api", "ftp://x")]
    [InlineData("members", "--api", "http://127.0.0.1:1", "--gateway", "127.0.0.1:1")]
    [InlineData("origins", "ls", "-o", "xml")]
    [InlineData("watch", "--count", "0")]
    [InlineData("watch", "--timeout-ms", "-5")]
    [InlineData("members", "--connect-timeout-ms", "0")]
    [InlineData("members", "--cluster-id", " ")]
    [InlineData("members", "--gateway", "")]
    public async Task Malformed_command_lines_exit_2_without_connecting(params string[] args)
    {
        var r = await Cli.RunAsync(null, args);
        Assert.True(r.ExitCode == ExitCodes.Usage, r.ToString());
        Assert.NotEqual("", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
    }

    [Fact]
    public async Task A_bad_number_is_named_in_plain_words()
    {
        var r = await Cli.RunAsync(null, ["origins", "add", "x", "http://a", "--interval-ms", "soon"]);
        Assert.Contains("--interval-ms: 'soon' is not a whole number", r.Stderr);
    }

    [Fact]
    public async Task Help_is_exit_0_on_stdout()
    {
        var r = await Cli.RunAsync(null, ["origins", "add", "--help"]);
        Assert.True(r.ExitCode == ExitCodes.Ok, r.ToString());
        Assert.Contains("--header", r.Stdout);
        Assert.Contains("Global options (heck --help lists them)", r.Stdout); // pointed to, not repeated
    }
}
