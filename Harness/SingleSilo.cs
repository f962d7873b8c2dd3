namespace Heck.Harness;

/// <summary>
/// One silo process with its own temporary data folder and free ports (SWIM membership, a cluster of
/// one); disposing stops the process and deletes the folder.
/// </summary>
public sealed class SingleSilo : IAsyncDisposable
{
    private readonly TempDirectory _data;

    public SiloProcess Process { get; }

    private SingleSilo(TempDirectory data, SiloProcess process)
    {
        _data = data;
        Process = process;
    }

    public static async Task<SingleSilo> StartAsync(params string[] extraArgs)
    {
        var data = new TempDirectory();
        try
        {
            var process = await SiloProcess.StartAsync(FreePort.Next(),
            [
                $"--Heck:Storage:Path={data.Path}", $"--Heck:Silo:Port={FreePort.Next()}",
                $"--Heck:Silo:GatewayPort={FreePort.Next()}", $"--Heck:Swim:Port={FreePort.Next()}",
                .. extraArgs,
            ]);
            return new SingleSilo(data, process);
        }
        catch
        {
            data.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        _data.Dispose();
    }
}
