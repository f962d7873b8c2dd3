using System.Net.Http.Json;
using System.Text.Json;

namespace Heck.Harness;

/// <summary>
/// N silo processes on 127.0.0.1 joined by SWIM through the first, on predictable consecutive
/// ports (the <c>cluster</c> command's local cluster for people). Data goes to a temporary folder
/// unless <see cref="Options.Data"/> names one, in which case a restart finds its origins again.
/// </summary>
public static class FixedPortCluster
{
    public sealed record Options(int Silos, int HttpPort, int GatewayPort, int SiloPort, int SwimPort, string? Data);

    /// <summary>A started cluster; disposing it stops every silo (by its process id) and removes temporary data.</summary>
    public sealed class Running(List<SiloProcess> silos, List<TempDirectory> temporary) : IAsyncDisposable
    {
        public IReadOnlyList<SiloProcess> Silos => silos;

        public async ValueTask DisposeAsync()
        {
            // Graceful: each silo leaves SWIM and hands its origins over.
            foreach (var s in silos) s.Terminate();
            foreach (var s in silos)
            {
                try { await s.WaitForExitAsync(TimeSpan.FromSeconds(20)); }
                catch (OperationCanceledException) { }
                await s.DisposeAsync();
            }
            foreach (var t in temporary) t.Dispose();
        }
    }

    public static async Task<Running> StartAsync(Options o, TextWriter output, CancellationToken ct)
    {
        var silos = new List<SiloProcess>();
        var temporary = new List<TempDirectory>();
        var running = new Running(silos, temporary);
        try
        {
            for (var i = 0; i < o.Silos; i++)
            {
                string path;
                if (o.Data is { } root) path = Path.GetFullPath(Path.Combine(root, $"silo-{i + 1}"));
                else
                {
                    var t = new TempDirectory();
                    temporary.Add(t);
                    path = t.Path;
                }
                var args = new List<string>
                {
                    $"--Heck:Storage:Path={path}", $"--Heck:Silo:Port={o.SiloPort + i}", $"--Heck:Silo:GatewayPort={o.GatewayPort + i}",
                    $"--Heck:Swim:Port={o.SwimPort + i}",
                };
                // Every silo but the first joins through the first.
                if (i > 0) args.Add($"--Heck:Swim:Seeds:0=127.0.0.1:{o.SwimPort}");
                silos.Add(await SiloProcess.StartAsync(o.HttpPort + i, args));
            }
            await LocalCluster.WaitAsync(async () =>
            {
                foreach (var s in silos)
                {
                    try
                    {
                        var members = (await s.Http.GetFromJsonAsync<JsonElement>("/api/cluster/members", ct)).GetProperty("members");
                        if (members.EnumerateArray().Count(m => m.GetProperty("status").GetString() == "alive") != silos.Count) return false;
                    }
                    catch (HttpRequestException) { return false; }
                }
                return true;
            }, TimeSpan.FromSeconds(60), "every silo sees every silo alive", ct);
        }
        catch
        {
            await running.DisposeAsync();
            throw;
        }

        output.WriteLine($"A cluster of {o.Silos} silos is running on 127.0.0.1 (Ctrl-C stops it):");
        output.WriteLine();
        output.WriteLine("| silo | HTTP API | client gateway | silo port | SWIM (udp+tcp) | process id |");
        output.WriteLine("|---|---|---|---|---|---|");
        for (var i = 0; i < silos.Count; i++)
            output.WriteLine($"| {i + 1} | http://127.0.0.1:{o.HttpPort + i} | 127.0.0.1:{o.GatewayPort + i} | {o.SiloPort + i} | {o.SwimPort + i} | {silos[i].Id} |");
        output.WriteLine();
        output.WriteLine("Try:");
        output.WriteLine($"    curl -s -X PUT http://127.0.0.1:{o.HttpPort}/api/origins/example -H 'content-type: application/json' -d '{{\"url\":\"http://127.0.0.1:{o.HttpPort}/healthz\"}}'");
        output.WriteLine($"    curl -s http://127.0.0.1:{o.HttpPort + silos.Count - 1}/api/origins/example   # any silo answers");
        output.WriteLine($"    dotnet run --project Client -- members --gateway 127.0.0.1:{o.GatewayPort}");
        output.WriteLine(o.Data is null ? "Data is temporary and removed on stop (--data keeps it)." : $"Data is kept under {Path.GetFullPath(o.Data)}.");
        return running;
    }
}
