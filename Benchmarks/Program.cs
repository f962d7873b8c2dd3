using System.CommandLine;
using Heck.Benchmarks.Commands;
using Heck.Benchmarks.Scenarios;

// Scenario runner: each scenario starts real silo processes on loopback, measures, prints a
// markdown table and optionally writes JSON. Every run is bounded in rounds and time.
var outOption = new Option<string?>("--out") { Description = "Write the results as JSON to this file" };

var rounds = new Option<int>("--rounds") { Description = "Failure/recovery rounds", DefaultValueFactory = _ => 10 };
var interval = new Option<int>("--interval-ms") { Description = "Probe interval of the origin", DefaultValueFactory = _ => 500 };
var unhealthy = new Option<int>("--unhealthy-threshold") { DefaultValueFactory = _ => 2 };
var healthy = new Option<int>("--healthy-threshold") { DefaultValueFactory = _ => 2 };
var unhealthyCommand = new Command("unhealthy", "Time from a target's failure to unhealthy, and from recovery to healthy")
{
    rounds, interval, unhealthy, healthy, outOption,
};
unhealthyCommand.SetAction((parse, ct) => UnhealthyScenario.RunAsync(new UnhealthyScenario.Options(
    Math.Clamp(parse.GetValue(rounds), 1, 1000), parse.GetValue(interval), parse.GetValue(unhealthy), parse.GetValue(healthy),
    parse.GetValue(outOption)), Console.Out, ct));

var origins = new Option<int>("--origins") { DefaultValueFactory = _ => 100_000 };
var silos = new Option<int>("--silos") { DefaultValueFactory = _ => 10 };
var placementCommand = new Command("placement", "Balance and movement of rendezvous vs a consistent-hash ring vs hash mod n (pure)")
{
    origins, silos, outOption,
};
placementCommand.SetAction((parse, ct) => PlacementScenario.RunAsync(new PlacementScenario.Options(
    Math.Clamp(parse.GetValue(origins), 1, 10_000_000), Math.Clamp(parse.GetValue(silos), 2, 1000), parse.GetValue(outOption)), Console.Out, ct));

var detectSilos = new Option<int>("--silos") { DefaultValueFactory = _ => 5 };
var detectRounds = new Option<int>("--rounds") { DefaultValueFactory = _ => 5 };
var faults = new Option<string>("--faults") { Description = "kill, stop, or kill,stop", DefaultValueFactory = _ => "kill,stop" };
var detectMembership = new Option<string>("--membership")
{
    Description = "swim, adonet (Orleans' table protocol on a throwaway PostgreSQL), or swim,adonet", DefaultValueFactory = _ => "swim,adonet",
};
var detectCommand = new Command("detect", "Time until every survivor marks a SIGKILLed or SIGSTOPped silo dead (SWIM vs ADO.NET/PostgreSQL)")
{
    detectSilos, detectRounds, faults, detectMembership, outOption,
};
detectCommand.SetAction((parse, ct) => DetectScenario.RunAsync(new DetectScenario.Options(
    Math.Clamp(parse.GetValue(detectSilos), 3, 20), Math.Clamp(parse.GetValue(detectRounds), 1, 100),
    parse.GetValue(faults) ?? "kill,stop", parse.GetValue(outOption), parse.GetValue(detectMembership) ?? "swim,adonet"), Console.Out, ct));

var failoverSilos = new Option<int>("--silos") { DefaultValueFactory = _ => 5 };
var failoverOrigins = new Option<int>("--origins") { DefaultValueFactory = _ => 50 };
var failoverInterval = new Option<int>("--interval-ms") { DefaultValueFactory = _ => 1000 };
var failoverRounds = new Option<int>("--rounds") { DefaultValueFactory = _ => 3 };
var failoverCommand = new Command("failover", "Time from SIGKILL of an owner until each of its origins is probed again")
{
    failoverSilos, failoverOrigins, failoverInterval, failoverRounds, outOption,
};
failoverCommand.SetAction((parse, ct) => FailoverScenario.RunAsync(new FailoverScenario.Options(
    Math.Clamp(parse.GetValue(failoverSilos), 3, 20), Math.Clamp(parse.GetValue(failoverOrigins), 1, 10_000),
    Math.Clamp(parse.GetValue(failoverInterval), 100, 60_000), Math.Clamp(parse.GetValue(failoverRounds), 1, 50),
    parse.GetValue(outOption)), Console.Out, ct));

var root = new RootCommand("Heck benchmarks: real silo processes on loopback, measured")
{
    unhealthyCommand, placementCommand, detectCommand, failoverCommand,
    ConvergeScenario.Command(outOption),
    ClusterCommand.Command(),
    SwimBytesScenario.Command(outOption),
    ProbeThroughputScenario.Command(),
    ReadThroughputScenario.Command(),
    ScaleScenario.Command(),
    SoakScenario.Command(outOption),
    SwimLossScenario.Command(outOption),
};
// Ctrl-C cancels the running scenario, which then stops what it started; allow it the time.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(60) });
