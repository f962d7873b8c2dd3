using Heck.Benchmarks.Scenarios;
using Heck.Benchmarks.Soak;

// Scenario runner: each scenario starts real silo processes on loopback, measures, prints a
// markdown table and optionally writes JSON. Every run is bounded in rounds and time.
var root = new RootCommand("Heck benchmarks: real silo processes on loopback, measured")
{
    UnhealthyScenario.Command(),
    PlacementScenario.Command(),
    DetectScenario.Command(),
    FailoverScenario.Command(),
    ConvergeScenario.Command(),
    ClusterCommand.Command(),
    SwimBytesScenario.Command(),
    ProbeThroughputScenario.Command(),
    ReadThroughputScenario.Command(),
    ScaleScenario.Command(),
    SoakScenario.Command(),
    SwimLossScenario.Command(),
    CoordinationScenario.Command(),
};
// Ctrl-C cancels the running scenario, which then stops what it started; allow it the time.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(60) });
