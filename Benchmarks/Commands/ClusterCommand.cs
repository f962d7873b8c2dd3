namespace Heck.Benchmarks.Commands;

/// <summary>
/// <c>cluster</c>: a local cluster for people, not measurement (<see cref="FixedPortCluster"/> on
/// HTTP 8080, 8081, …; gateways 30000, 30001, …), until Ctrl-C or the time limit.
/// </summary>
public static class ClusterCommand
{
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
            var o = new FixedPortCluster.Options(Math.Clamp(parse.GetValue(silos), 1, 9), parse.GetValue(http), parse.GetValue(gateway),
                parse.GetValue(silo), parse.GetValue(swim), parse.GetValue(data));
            var limit = Math.Clamp(parse.GetValue(minutes), 1, 24 * 60);
            foreach (var (name, port) in new[] { ("--http-port", o.HttpPort), ("--gateway-port", o.GatewayPort), ("--silo-port", o.SiloPort), ("--swim-port", o.SwimPort) })
                if (port < 1 || port + o.Silos - 1 > 65535)
                {
                    await Console.Error.WriteLineAsync($"{name} must leave room for {o.Silos} ports below 65536 (was {port})");
                    return 2;
                }
            try
            {
                await using var cluster = await FixedPortCluster.StartAsync(o, Console.Out, ct);
                await Task.Delay(TimeSpan.FromMinutes(limit), ct).ContinueWith(_ => { }, CancellationToken.None);
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
}
