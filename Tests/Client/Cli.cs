using Heck.Client.Sdk;
using Heck.Client.Cli;

namespace Heck.Tests.Client;

/// <summary>The output of one in-process run of <c>heck</c>.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}--- stderr\n{Stderr}";
}

/// <summary>Runs <c>heck</c> in-process, against a <see cref="FakeCluster"/> or with no cluster at all.</summary>
public static class Cli
{
    /// <summary>Runs with the real connect (so gateways matter).</summary>
    public static async Task<CliResult> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await HeckCli.RunAsync(args, stdout, stderr);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs against <paramref name="cluster"/>; with none, a connect attempt fails the test.</summary>
    public static async Task<CliResult> RunAsync(FakeCluster? cluster, string[] args, CancellationToken ct = default)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await HeckCli.RunAsync(args, TextWriter.Synchronized(stdout), TextWriter.Synchronized(stderr),
            (_, _) => cluster is null
                ? throw new InvalidOperationException("the command connected, but should have stopped before")
                : Task.FromResult(new HeckClient(cluster.Client)),
            ct);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }
}
