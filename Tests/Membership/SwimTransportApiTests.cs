using System.Net.Sockets;
using Heck.Membership.Orleans;

namespace Heck.Tests.Membership;

/// <summary>
/// <c>GET /api/cluster/members</c> carries the SWIM agent's <c>transport</c> counters (SWIM only), and
/// <c>Heck:Swim:InjectLossPercent</c> reaches the agent of a real silo host.
/// </summary>
[Trait("Category", "Cluster")]
[Collection(ClusterCollection.Name)]
public sealed class SwimTransportApiTests
{
    [Fact]
    public async Task A_swim_silo_reports_its_transport_and_drops_every_datagram_at_100_percent_injected_loss()
    {
        await using var silo = await InProcessSilo.StartAsync(extraArgs: ["--Heck:Swim:InjectLossPercent=100"]);
        var swimPort = silo.Services.GetRequiredService<SwimMembership>().Host!.Port;
        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            for (var i = 0; i < 10; i++) socket.SendTo(new byte[100], new IPEndPoint(IPAddress.Loopback, swimPort));
        }

        var transport = await Eventually.Until(async () => (await silo.GetJsonAsync("/api/cluster/members")).GetProperty("transport"),
            t => t.GetProperty("udpPacketsReceived").GetInt64() == 10 && t.GetProperty("dropped").GetProperty("injected").GetInt64() == 10,
            TimeSpan.FromSeconds(15), "ten datagrams received and dropped");
        Assert.Equal(1000, transport.GetProperty("udpBytesReceived").GetInt64());
        Assert.Equal(0, transport.GetProperty("dropped").GetProperty("malformed").GetInt64()); // dropped before decoding
        Assert.Equal(0, transport.GetProperty("accepted").GetInt64());
        foreach (var counter in new[] { "udpPacketsSent", "udpBytesSent", "tcpBytesSent", "tcpBytesReceived" })
            Assert.Equal(JsonValueKind.Number, transport.GetProperty(counter).ValueKind);

        // The existing fields are unchanged.
        var body = await silo.GetJsonAsync("/api/cluster/members");
        Assert.Equal("alive", Assert.Single(body.GetProperty("members").EnumerateArray()).GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.String, body.GetProperty("self").GetProperty("address").ValueKind);
    }

    [Fact]
    public async Task A_silo_on_another_membership_provider_has_no_transport()
    {
        await using var silo = await InProcessSilo.StartAsync(extraArgs: ["--Heck:Membership:Provider=Development"]);
        var body = await silo.GetJsonAsync("/api/cluster/members");
        Assert.False(body.TryGetProperty("transport", out _), body.ToString());
        Assert.True(body.TryGetProperty("members", out _));
    }
}
