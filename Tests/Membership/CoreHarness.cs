using Heck.Membership.Swim;
using Heck.Membership.Wire;
using Microsoft.Extensions.Time.Testing;

namespace Heck.Tests.Membership;

/// <summary>Drives one <see cref="SwimInstance"/> by hand with fake time, recording what it asks for.</summary>
internal sealed class CoreHarness
{
    public CoreHarness(SwimSettings? settings = null, int seed = 1, int self = 1)
    {
        Settings = settings ?? new SwimSettings();
        Swim = new SwimInstance(Settings, Id(self), Meta(self), Time, new Random(seed), WireSizes.Instance);
    }

    public FakeTimeProvider Time { get; } = new();
    public TimeSpan Elapsed => Time.GetUtcNow() - Time.Start;
    public SwimSettings Settings { get; }
    public SwimInstance Swim { get; }
    public List<Send> Sent { get; } = [];
    public List<MemberStatusChanged> Changes { get; } = [];
    public bool SelfDead { get; private set; }
    public bool Joined { get; private set; }

    public static NodeId Id(int i, long generation = 1) => new("10.0.0." + i, 7946, generation);

    public static Metadata Meta(int i) => new([new("silo", $"10.0.0.{i}:11111")]);

    public Directives Record(Directives d)
    {
        Sent.AddRange(d.Messages);
        Changes.AddRange(d.Changes);
        SelfDead |= d.SelfDeclaredDead;
        Joined |= d.Joined;
        return d;
    }

    public Directives Receive(SwimMessage message) => Record(Swim.OnMessage(null, message));

    /// <summary>News from a stranger (member 99) on the weakest side: enough for anything but a death of ours.</summary>
    public Directives Learn(params MemberUpdate[] updates) => Receive(new Gossip(Id(99)) { Updates = updates });

    /// <summary>A side stronger than any this harness's instance has (it knows at most a few dozen members).</summary>
    public static Side Strong { get; } = new(1000, 0);

    /// <summary>News from <paramref name="sender"/> on side <paramref name="side"/>.</summary>
    public Directives LearnFrom(NodeId sender, Side side, params MemberUpdate[] updates) => Receive(new Gossip(sender) { Updates = updates, Side = side });

    /// <summary>Makes members 2..n known and alive.</summary>
    public CoreHarness WithMembers(int n)
    {
        Record(Swim.Join([]));
        for (var i = 2; i <= n; i++) Learn(new MemberUpdate(Id(i), 0, MemberStatus.Alive, null, Meta(i)));
        Sent.Clear();
        Changes.Clear();
        return this;
    }

    /// <summary>Advances time in tick steps up to <paramref name="duration"/>, optionally answering each step's sends.</summary>
    public void Run(TimeSpan duration, Func<Send, SwimMessage?>? respond = null)
    {
        var step = Settings.ProbeInterval / 10;
        var steps = (int)Math.Ceiling(duration / step);
        for (var i = 0; i < steps; i++)
        {
            Time.Advance(step);
            var d = Record(Swim.OnTick());
            if (respond is null) continue;
            foreach (var send in d.Messages)
            {
                if (respond(send) is { } reply) Receive(reply);
            }
        }
    }

    public IEnumerable<T> SentOf<T>() where T : SwimMessage => Sent.Select(s => s.Message).OfType<T>();

    public MemberStatus? StatusOf(NodeId node) => Swim.View.StatusOf(node);
}
