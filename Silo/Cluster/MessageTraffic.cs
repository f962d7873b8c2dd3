using System.Diagnostics.Metrics;

namespace Heck.Silo.Cluster;

/// <summary>
/// Counts the Orleans messages this silo sends, from Orleans' own instruments: each message
/// written to a connection (to another silo or a client) records its size on
/// <c>orleans-messaging-sent-messages-size</c>; messages to grains in this silo are counted by
/// <c>orleans-messaging-sent-local</c>. A machine-independent measure of coordination: the
/// benchmarks read it before and after a load and divide by the operations. Only this host's
/// meter is listened to (instruments are matched by meter instance), so several silos in one
/// process each count their own.
/// </summary>
public sealed class MessageTraffic : IHostedService, IDisposable
{
    /// <summary>The meter Orleans creates from the host's <see cref="IMeterFactory"/>, which hands out one instance per name.</summary>
    public const string MeterName = "Microsoft.Orleans";
    public const string SentSizeInstrument = "orleans-messaging-sent-messages-size";
    public const string SentLocalInstrument = "orleans-messaging-sent-local";

    private readonly Meter _orleans;
    private readonly MeterListener _listener = new();
    private readonly Lock _localLock = new();
    private long _messages, _bytes, _localSum;

    public MessageTraffic(IMeterFactory meters)
    {
        _orleans = meters.Create(MeterName);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, _orleans) && instrument.Name is SentSizeInstrument or SentLocalInstrument)
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<int>((instrument, bytes, _, _) =>
        {
            if (instrument.Name != SentSizeInstrument) return;
            Interlocked.Increment(ref _messages);
            Interlocked.Add(ref _bytes, bytes);
        });
        // The local counter is observable and cumulative: one measurement per tag set on each collection.
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == SentLocalInstrument) _localSum += value;
        });
    }

    public readonly record struct Snapshot(long MessagesSent, long BytesSent, long LocalMessagesSent);

    public Snapshot Read()
    {
        long local;
        lock (_localLock)
        {
            _localSum = 0;
            _listener.RecordObservableInstruments();
            local = _localSum;
        }
        return new Snapshot(Interlocked.Read(ref _messages), Interlocked.Read(ref _bytes), local);
    }

    /// <summary>Registered before Orleans, so it listens from the silo's first message on.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _listener.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _listener.Dispose();
}
