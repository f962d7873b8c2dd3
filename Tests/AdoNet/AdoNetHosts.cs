using System.Collections.Concurrent;
using System.Net.Sockets;
using Heck.Membership.AdoNet;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;

namespace Heck.Tests.AdoNet;

/// <summary>An in-process Orleans silo whose membership lives in PostgreSQL (Heck's ADO.NET clustering).</summary>
public sealed class AdoNetSilo : IAsyncDisposable
{
    public const string ServiceId = "heck-adonet-tests";
    private readonly IHost _host;
    private bool _stopped;

    public int SiloPort { get; }
    public int GatewayPort { get; }
    public WarningLog Log { get; }
    public IServiceProvider Services => _host.Services;
    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();
    public SiloAddress Address => _host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;

    private AdoNetSilo(IHost host, int siloPort, int gatewayPort, WarningLog log)
    {
        _host = host;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
        Log = log;
    }

    public static async Task<AdoNetSilo> StartAsync(string connectionString, string clusterId, TimeSpan within)
    {
        var (siloPort, gatewayPort) = (FreePort.Next(), FreePort.Next());
        var log = new WarningLog();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(log);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo => silo
            .UseHeckAdoNetClustering(connectionString)
            .ConfigureEndpoints(IPAddress.Loopback, siloPort, gatewayPort)
            .Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = ServiceId;
            }));
        var host = builder.Build();
        using var cts = new CancellationTokenSource(within);
        try
        {
            await host.StartAsync(cts.Token);
        }
        catch (Exception ex)
        {
            host.Dispose();
            throw new InvalidOperationException($"Silo on port {siloPort} did not start within {within.TotalSeconds:0} s. Warnings:{Environment.NewLine}{log}", ex);
        }
        return new AdoNetSilo(host, siloPort, gatewayPort, log);
    }

    /// <summary>Graceful stop: the silo announces ShuttingDown and then Dead in the table.</summary>
    public async Task StopAsync(TimeSpan within)
    {
        if (_stopped) return;
        _stopped = true;
        using var cts = new CancellationTokenSource(within);
        await _host.StopAsync(cts.Token);
    }

    public async Task<Dictionary<SiloAddress, SiloStatus>> ActiveHostsAsync() =>
        await Grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync(TimeSpan.FromSeconds(30));
        }
        catch (OperationCanceledException) { }
        _host.Dispose();
    }
}

/// <summary>An Orleans client that finds its gateways in PostgreSQL.</summary>
public sealed class AdoNetClient : IAsyncDisposable
{
    private readonly IHost _host;
    public IClusterClient Cluster => _host.Services.GetRequiredService<IClusterClient>();

    private AdoNetClient(IHost host) => _host = host;

    public static async Task<AdoNetClient> ConnectAsync(string connectionString, string clusterId, TimeSpan within)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client => client
            .UseHeckAdoNetClustering(connectionString)
            .Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = AdoNetSilo.ServiceId;
            }));
        var host = builder.Build();
        using var cts = new CancellationTokenSource(within);
        try
        {
            await host.StartAsync(cts.Token);
        }
        catch
        {
            host.Dispose();
            throw;
        }
        return new AdoNetClient(host);
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await _host.StopAsync(cts.Token);
        }
        catch (OperationCanceledException) { }
        _host.Dispose();
    }
}

/// <summary>One row of OrleansMembershipTable, read straight from the database.</summary>
public sealed record MembershipRow(string Address, int Port, int Generation, SiloStatus Status, int? ProxyPort, DateTime IAmAliveTime)
{
    public static async Task<List<MembershipRow>> ReadAsync(string connectionString, string clusterId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT Address, Port, Generation, Status, ProxyPort, IAmAliveTime FROM OrleansMembershipTable " +
            "WHERE DeploymentId = @id ORDER BY Port", connection);
        command.Parameters.AddWithValue("id", clusterId);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<MembershipRow>();
        while (await reader.ReadAsync())
            rows.Add(new MembershipRow(reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2), (SiloStatus)reader.GetInt32(3),
                reader.IsDBNull(4) ? null : reader.GetInt32(4), reader.GetDateTime(5)));
        return rows;
    }

    public override string ToString() => $"{Address}:{Port}@{Generation} {Status}";
}

public static class Bounded
{
    /// <summary>Polls <paramref name="condition"/> until it holds; fails after <paramref name="within"/> with what was last seen.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan within, string what, Func<Task<string>>? lastSeen = null)
    {
        var deadline = DateTime.UtcNow + within;
        Exception? lastError = null;
        while (true)
        {
            try
            {
                if (await condition()) return;
                lastError = null;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                lastError = ex;
            }
            if (DateTime.UtcNow > deadline)
            {
                var seen = lastSeen is null ? "" : " Last seen: " + await lastSeen();
                throw new TimeoutException($"Not reached within {within.TotalSeconds:0} s: {what}.{seen}", lastError);
            }
            await Task.Delay(100);
        }
    }
}

/// <summary>Collects warnings and errors of a test host, to explain a failure to start.</summary>
public sealed class WarningLog : ILoggerProvider
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    public override string ToString() => string.Join(Environment.NewLine, _lines);

    private sealed class Logger(WarningLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel) || log._lines.Count >= 200) return;
            log._lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : " " + exception.Message)}");
        }
    }
}
