using Heck.Client.Sdk;
using Heck.Silo.Security;

namespace Heck.Tests.Security;

/// <summary>The SDK over the Orleans gateway against a silo with tokens: <see cref="HeckClientOptions.Token"/> and its scopes.</summary>
[Trait("Category", "Cluster")]
[Collection(ClusterCollection.Name)]
public sealed class SdkTokenTests(TokenSilo fixture) : IClassFixture<TokenSilo>
{
    private Task<HeckClient> ConnectAsync(string? token) => HeckClient.ConnectAsync(new HeckClientOptions
    {
        Gateways = { $"127.0.0.1:{fixture.Silo.GatewayPort}" }, ConnectTimeout = TimeSpan.FromSeconds(60), Token = token,
    });

    private static readonly OriginInput Input = new() { Url = "http://127.0.0.1:9/", IntervalMs = 86_400_000 };

    [Fact]
    public async Task Without_a_token_or_with_a_read_token_writes_are_refused_and_nothing_changes()
    {
        await using (var anonymous = await ConnectAsync(null))
        {
            await Assert.ThrowsAsync<UnauthorizedAccessException>(() => anonymous.UpsertOriginAsync("sdk-refused", Input));
            await Assert.ThrowsAsync<UnauthorizedAccessException>(() => anonymous.ListOriginsAsync());
        }
        await using (var bad = await ConnectAsync("not-a-token"))
            await Assert.ThrowsAsync<UnauthorizedAccessException>(() => bad.GetMembersAsync());
        await using var reader = await ConnectAsync(ApiClients.ReadToken);
        var refused = await Assert.ThrowsAsync<UnauthorizedAccessException>(() => reader.UpsertOriginAsync("sdk-refused", Input));
        Assert.Contains("'write'", refused.Message);
        Assert.Null(await reader.GetOriginAsync("sdk-refused"));
        Assert.NotEmpty(await reader.GetMembersAsync());
    }

    [Fact]
    public async Task A_write_token_writes_and_reads_and_the_HTTP_API_of_the_same_silo_still_works()
    {
        await using var writer = await ConnectAsync(ApiClients.WriteToken);
        await writer.UpsertOriginAsync("sdk-ok", Input);
        Assert.NotNull(await writer.GetOriginAsync("sdk-ok"));
        Assert.Contains(await writer.ListOriginsAsync(), o => o.Spec.Id == "sdk-ok");
        // The HTTP API calls the same grains through the silo's own client, which the guard lets through.
        using var http = ApiClients.Create(fixture.Api, ApiClients.WriteToken);
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync("/api/origins/sdk-ok")).StatusCode);
        Assert.False(await writer.RemoveOriginAsync("sdk-ok"));
    }

    [Fact]
    public async Task The_CLI_s_gateway_path_sends_its_token_and_exits_4_when_refused()
    {
        string[] gateway = ["--gateway", $"127.0.0.1:{fixture.Silo.GatewayPort}", "--connect-timeout-ms", "60000"];
        var none = await Heck.Tests.Client.Cli.RunAsync([.. gateway, "origins", "ls"]);
        Assert.True(none.ExitCode == Heck.Client.Cli.ExitCodes.Unauthorized, none.ToString());
        Assert.Contains("requires an API token", none.Stderr);
        var read = await Heck.Tests.Client.Cli.RunAsync([.. gateway, "origins", "ls", "--token", ApiClients.ReadToken]);
        Assert.True(read.ExitCode == Heck.Client.Cli.ExitCodes.Ok, read.ToString());
    }

    [Fact]
    public void Methods_map_to_scopes()
    {
        Assert.Equal(ApiScope.Write, ClientTokenGuard.ScopeOf(typeof(IOriginGrain).GetMethod(nameof(IOriginGrain.RemoveIf))));
        Assert.Equal(ApiScope.Read, ClientTokenGuard.ScopeOf(typeof(IOriginGrain).GetMethod(nameof(IOriginGrain.ReadOwned))));
        Assert.Equal(ApiScope.Admin, ClientTokenGuard.ScopeOf(typeof(IOriginGrain).GetMethod(nameof(IOriginGrain.Handoff))));
        Assert.Equal(ApiScope.Admin, ClientTokenGuard.ScopeOf(typeof(IConfirmerGrain).GetMethods()[0]));
    }
}
