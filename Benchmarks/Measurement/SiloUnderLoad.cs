namespace Heck.Benchmarks.Measurement;

/// <summary>
/// One silo process probing a target in this process whose arrivals are recorded: the setup of the
/// one-silo throughput and scale scenarios. Disposing stops the silo, then the target.
/// </summary>
public sealed class SiloUnderLoad : IAsyncDisposable
{
    private SiloUnderLoad(TargetServer target, ArrivalRecorder arrivals, SingleSilo silo)
    {
        Target = target;
        Arrivals = arrivals;
        Silo = silo;
    }

    public TargetServer Target { get; }
    public ArrivalRecorder Arrivals { get; }
    public SingleSilo Silo { get; }
    public int HttpPort => Silo.Process.HttpPort;
    public int Pid => Silo.Process.Id;

    public static async Task<SiloUnderLoad> StartAsync(IEnumerable<string>? siloArgs = null)
    {
        var target = await TargetServer.StartAsync();
        var arrivals = new ArrivalRecorder();
        target.Arrivals = arrivals;
        try
        {
            return new SiloUnderLoad(target, arrivals, await SingleSilo.StartAsync([.. siloArgs ?? []]));
        }
        catch
        {
            await target.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Silo.DisposeAsync();
        await Target.DisposeAsync();
    }
}
