using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;
using Heck.Benchmarks.Harness;

namespace Heck.Benchmarks.Scenarios;

/// <summary>
/// A local cluster for people, not measurement: N silo processes on 127.0.0.1 joined by SWIM
/// through the first, on predictable ports (HTTP 8080, 8081, …; gateways 30000, 30001, …), until
/// Ctrl-C or the time limit. Data goes to a temporary folder unless <c>--data</c> names one, in
/// which case a restart finds its origins again.
/// </summary>
public static class ClusterCommand
{
    public sealed record Options(int Silos, int HttpPort, int GatewayPort, int SiloPort, int SwimPort, string? Data, int Minutes);

    public static Command Command()
    {
        var silos = new Option<int>("--silos") { DefaultValueFactory = _ => 3 };
        var http = new Option<int>("--http-port") { Description = "HTTP port of the first silo; the others count up", DefaultValueFactory = _ => 8080 };
        var gateway = new Option<int>("--gateway-port") { Description = "Client gateway port of the first silo", DefaultValueFactory = _ => 30000 };
        var silo = new Option<int>("--silo-port") { Description = "Silo-to-silo port of the first silo", DefaultValueFactory = _ => 11111 };
        var swim = new Option<int>("--swim-port") { Description = "SWIM port (UDP and TCP) of the first silo, the seed", DefaultValueFactory = _ => 7946 };
        var data = new Option<string?>("--data") { Description = "Keep each silo's data under this folder (silo-1, silo-2, …) instead of a temporary one" };
        var minutes = new Option<int>("--minutes") { Description = "Stop after this long (Ctrl-C stops sooner)", DefaultValueFactory = _ => 240 };
        var command = new Command("cluster", "Start a local cluster of silos on 127.0.0.1 and keep it running until Ctrl-C")
        {
            silos, http, gateway, silo, swim, data, minutes,
        };
        command.SetAction(async (parse, ct) =>
        {
            var o = new Options(Math.Clamp(parse.GetValue(silos), 1, 9), parse.GetValue(http), parse.GetValue(gateway),
                parse.GetValue(silo), parse.GetValue(swim), parse.GetValue(data), Math.Clamp(parse.GetValue(minutes), 1, 24 * 60));
            foreach (var (name, port) in new[] { ("--http-port", o.HttpPort), ("--gateway-port", o.GatewayPort), ("--silo-port", o.SiloPort), ("--swim-port", o.SwimPort) })
                if (port < 1 || port + o.Silos - 1 > 65535)
                {
                    await Console.Error.WriteLineAsync($"{name} must leave room for {o.Silos} ports below 65536 (was {port})");
                    return 2;
                }
            try
            {
                await using var cluster = await StartAsync(o, Console.Out, ct);
                await Task.Delay(TimeSpan.FromMinutes(o.Minutes), ct).ContinueWith(_ => { }, CancellationToken.None);
                Console.Out.WriteLine("stopping the cluster");
                return 0;
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
            {
                await Console.Error.WriteLineAsync($"the cluster did not start: {ex.Message}");
                return 1;
            }
        });
        return command;
    }

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
