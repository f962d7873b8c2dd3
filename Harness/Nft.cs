using System.Diagnostics;

namespace Heck.Harness;

/// <summary>
/// Runs <c>nft</c> (nftables) scripts for <see cref="LoopbackNetwork"/> and <see cref="LoopbackPartition"/>. Needs
/// root and the nftables package; when either is missing it throws, naming <c>.ci/nftables.sh</c>, so a test that needs
/// packet filtering fails loudly instead of passing without it.
/// </summary>
public static class Nft
{
    public const string Setup = "run .ci/nftables.sh (as root: it installs Debian's nftables package when nft is missing)";

    private static readonly Lazy<string?> Path = new(Find);

    /// <summary>Applies <paramref name="script"/> (nft's file syntax) atomically; throws with nft's message if it fails.</summary>
    public static void Apply(string script)
    {
        var (code, output) = Run(["-f", "-"], script);
        if (code != 0) throw new InvalidOperationException($"nft refused the rules (exit {code}): {output.Trim()}\n{script}");
    }

    /// <summary>Deletes a table; true if it was there. Never throws (used on heal, dispose and process exit).</summary>
    public static bool TryDeleteTable(string family, string name)
    {
        try
        {
            return Run(["delete", "table", family, name], null).Code == 0;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Throws (naming <c>.ci/nftables.sh</c>) unless nft runs here and may change the rules.</summary>
    public static void EnsureAvailable()
    {
        if (Path.Value is null)
            throw new InvalidOperationException($"Packet filtering needs nft, which is not installed: {Setup}.");
        var (code, output) = Run(["list", "tables"], null);
        if (code != 0)
            throw new InvalidOperationException($"nft does not run here (exit {code}: {output.Trim()}); packet filtering needs root: {Setup}.");
    }

    private static (int Code, string Output) Run(IEnumerable<string> args, string? input)
    {
        var path = Path.Value ?? throw new InvalidOperationException($"nft is not installed: {Setup}.");
        var info = new ProcessStartInfo(path) { RedirectStandardInput = input is not null, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start nft");
        if (input is not null)
        {
            process.StandardInput.Write(input);
            process.StandardInput.Close();
        }
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            process.Kill();
            throw new InvalidOperationException("nft did not finish within 30 s");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    private static string? Find()
    {
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/sbin", "/usr/bin", "/bin"]);
        return dirs.Select(d => System.IO.Path.Combine(d, "nft")).FirstOrDefault(File.Exists);
    }
}
