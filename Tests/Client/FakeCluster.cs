using System.Reflection;
using ClusterMember = Heck.Cluster.ClusterMember;

namespace Heck.Tests.Client;

/// <summary>
/// An in-memory stand-in for a Heck cluster behind an <see cref="IClusterClient"/>, so that the SDK and
/// the CLI can be tested without silos. The client and the grains are <see cref="DispatchProxy"/>
/// objects, made at run time: no test class implements a grain interface, so Orleans' code generator
/// never mistakes one for a grain that TestingHost clusters of other tests would load.
/// </summary>
public sealed class FakeCluster
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, OriginView> _origins = new(StringComparer.Ordinal);
    private readonly List<TransitionEvent> _transitions = [];
    private int _watchStarts;

    public static readonly DateTimeOffset T0 = new(2025, 1, 31, 12, 0, 0, TimeSpan.Zero);

    public FakeCluster() => Client = FakeProxy.Create<IClusterClient>(OnClusterClient);

    public IClusterClient Client { get; }

    /// <summary>Every grain call, as <c>Interface.Method(key)</c>.</summary>
    public List<string> Calls { get; } = [];

    public List<ClusterMember> Members { get; } = [];

    /// <summary>What the next <c>Configure</c> answers with instead of storing the spec (e.g. errors).</summary>
    public ConfigureResult? NextConfigureResult { get; set; }

    /// <summary>The token each ordinary Configure answers (empty unless set); called under the fake's lock.</summary>
    public Func<CausalToken>? ConfigureToken { get; set; }

    /// <summary>How the reader's causal reads end (covered at once unless set).</summary>
    public CausalWaitResult CausalWait { get; set; } = CausalWaitResult.Immediate;

    /// <summary>The tokens the reader's causal reads were sent, in order.</summary>
    public List<CausalToken> CausalTokens { get; } = [];

    /// <summary>How many watchers have taken their starting position (<c>TransitionsAfter(-1, …)</c>).</summary>
    public int WatchStarts => Volatile.Read(ref _watchStarts);

    public void Put(OriginView view)
    {
        lock (_lock) _origins[view.Spec.Id] = view;
    }

    public void Transition(string originId, HealthStatus from, HealthStatus to, string reason = "test")
    {
        lock (_lock)
            _transitions.Add(new TransitionEvent(_transitions.Count + 1, originId, new HealthTransition(T0, from, to, reason)));
    }

    public static OriginView View(string id, string url, HealthStatus status = HealthStatus.Healthy, string? error = null)
    {
        var input = new OriginInput { Url = url };
        var errors = OriginValidator.Validate(id, input, out var spec);
        if (errors.Count > 0) throw new ArgumentException(string.Join("; ", errors));
        return new OriginView(spec!, new HealthView
        {
            Status = status,
            Since = T0,
            LastProbeAt = T0.AddSeconds(5),
            LastLatencyMs = 12.345,
            LastStatusCode = url.StartsWith("http", StringComparison.Ordinal) ? 200 : null,
            LastError = error,
            Owner = "10.0.0.1:11111",
            ConsecutiveSuccesses = 3,
        });
    }

    private object? OnClusterClient(MethodInfo method, object?[] args)
    {
        if (method.Name == nameof(IGrainFactory.GetGrain) && method.IsGenericMethod)
        {
            var type = method.GetGenericArguments()[0];
            if (type == typeof(IOriginGrain) && args[0] is string id)
                return FakeProxy.Create<IOriginGrain>((m, a) => OnOriginGrain(id, m, a));
            if (type == typeof(IOriginReaderGrain) && args[0] is long)
                return FakeProxy.Create<IOriginReaderGrain>(OnReader);
            if (type == typeof(Heck.Cluster.IClusterReaderGrain) && args[0] is long)
                return FakeProxy.Create<Heck.Cluster.IClusterReaderGrain>(OnClusterReader);
        }
        throw new NotSupportedException($"FakeCluster: IClusterClient.{method.Name}");
    }

    private object? OnOriginGrain(string id, MethodInfo method, object?[] args)
    {
        lock (_lock)
        {
            Calls.Add($"IOriginGrain.{method.Name}({id})");
            switch (method.Name)
            {
                case nameof(IOriginGrain.Configure):
                    if (NextConfigureResult is { } answer)
                    {
                        NextConfigureResult = null;
                        return Task.FromResult(answer);
                    }
                    var spec = (OriginSpec)args[0]!;
                    var created = !_origins.ContainsKey(id);
                    var view = new OriginView(spec, HealthView.Initial(T0, "10.0.0.1:11111"));
                    _origins[id] = view;
                    return Task.FromResult(new ConfigureResult(created, view, []) { Token = ConfigureToken?.Invoke() ?? CausalToken.Empty });
                case nameof(IOriginGrain.Remove):
                    return Task.FromResult(_origins.Remove(id));
                case nameof(IOriginGrain.RemoveIf):
                    return Task.FromResult(new RemoveResult(_origins.Remove(id), false, null));
                case nameof(IOriginGrain.GetView):
                    return Task.FromResult(_origins.GetValueOrDefault(id));
            }
        }
        throw new NotSupportedException($"FakeCluster: IOriginGrain.{method.Name}");
    }

    private object? OnClusterReader(MethodInfo method, object?[] args)
    {
        lock (_lock)
        {
            Calls.Add($"IClusterReaderGrain.{method.Name}");
            if (method.Name == nameof(Heck.Cluster.IClusterReaderGrain.Members))
            {
                IReadOnlyList<ClusterMember> members = Members.ToList();
                return Task.FromResult(members);
            }
        }
        throw new NotSupportedException($"FakeCluster: IClusterReaderGrain.{method.Name}");
    }

    private object? OnReader(MethodInfo method, object?[] args)
    {
        lock (_lock)
        {
            Calls.Add($"IOriginReaderGrain.{method.Name}");
            switch (method.Name)
            {
                case nameof(IOriginReaderGrain.Get):
                    return Task.FromResult(_origins.GetValueOrDefault((string)args[0]!));
                case nameof(IOriginReaderGrain.GetCausal):
                    var token = (CausalToken)args[1]!;
                    CausalTokens.Add(token);
                    var found = CausalWait.Covered ? _origins.GetValueOrDefault((string)args[0]!) : null;
                    return Task.FromResult(new CausalRead<OriginView>(found, CausalWait, token));
                case nameof(IOriginReaderGrain.List):
                    var status = (HealthStatus?)args[0];
                    IReadOnlyList<OriginView> list = _origins.Values
                        .Where(v => status is null || v.Health.Status == status)
                        .OrderBy(v => v.Spec.Id, StringComparer.Ordinal).ToList();
                    return Task.FromResult(list);
                case nameof(IOriginReaderGrain.TransitionsAfter):
                    // As the silo's replica: a negative position asks only for the current one.
                    var after = (long)args[0]!;
                    var max = (int)args[1]!;
                    long last = _transitions.Count;
                    if (after < 0)
                    {
                        Interlocked.Increment(ref _watchStarts);
                        return Task.FromResult(new TransitionPage(last, []));
                    }
                    IReadOnlyList<TransitionEvent> events = _transitions.Skip((int)after).Take(max).ToList();
                    return Task.FromResult(new TransitionPage(events.Count > 0 ? events[^1].Sequence : after, events));
            }
        }
        throw new NotSupportedException($"FakeCluster: IOriginReaderGrain.{method.Name}");
    }
}

/// <summary>A run-time implementation of an interface whose calls all go to one handler.</summary>
public class FakeProxy : DispatchProxy
{
    private Func<MethodInfo, object?[], object?> _handler = (m, _) => throw new NotSupportedException(m.Name);

    public static T Create<T>(Func<MethodInfo, object?[], object?> handler) where T : class
    {
        var proxy = DispatchProxy.Create<T, FakeProxy>();
        ((FakeProxy)(object)proxy)._handler = handler;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
        _handler(targetMethod!, args ?? []);
}
