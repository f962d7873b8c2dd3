using System.Diagnostics;

namespace Heck.Tests.Client;

/// <summary>The README's install line, run as written but into a temporary tool path instead of --global.</summary>
[Trait("Category", "Slow")]
public sealed class ToolInstallTests
{
    [Fact]
    public async Task The_packed_tool_installs_and_answers_version()
    {
        var repository = RepositoryRoot();
        var readme = await File.ReadAllTextAsync(Path.Combine(repository, "README.md"));
        const string install = "dotnet pack Client -o .heck-tool && dotnet tool install --global --add-source .heck-tool heck";
        Assert.Contains(install, readme);

        using var temp = new TempDirectory();
        var packages = Path.Combine(temp.Path, "packages");
        var tools = Path.Combine(temp.Path, "tools");
        var line = install.Replace(".heck-tool", packages).Replace("--global", $"--tool-path {tools}");
        var (code, output) = await RunAsync("bash", ["-c", line], repository, TimeSpan.FromMinutes(8));
        Assert.True(code == 0, output);

        var (versionCode, version) = await RunAsync(Path.Combine(tools, "heck"), ["--version"], temp.Path, TimeSpan.FromMinutes(1));
        Assert.True(versionCode == 0, version);
        Assert.Matches(@"^\d+\.\d+\.\d+\s*$", version);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "HeckOrleans.sln"))) return dir.FullName;
        throw new InvalidOperationException("HeckOrleans.sln not found above " + AppContext.BaseDirectory);
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, string[] args, string directory, TimeSpan within)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(within);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} did not finish within {within}");
        }
        return (process.ExitCode, await stdout + await stderr);
    }
}
