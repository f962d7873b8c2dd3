using Heck.Membership.AdoNet;
using Orleans.Hosting;

namespace Heck.Tests.AdoNet;

/// <summary>Connection string checks: no database needed.</summary>
public sealed class ConnectionStringTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("Database=heck;Username=heck")]
    [InlineData("Host=db;NoSuchKeyword=1")]
    [InlineData("Host=db;Port=notaport")]
    public async Task Bad_connection_strings_are_refused_naming_the_key(string? connectionString)
    {
        var error = HeckAdoNetClustering.ValidateConnectionString(connectionString);
        Assert.NotNull(error);
        Assert.StartsWith("Heck:AdoNet:ConnectionString ", error, StringComparison.Ordinal);

        var silo = Assert.Throws<ArgumentException>(() =>
            new FakeSiloBuilder().UseHeckAdoNetClustering(connectionString!));
        Assert.Contains("Heck:AdoNet:ConnectionString", silo.Message, StringComparison.Ordinal);
        var client = Assert.Throws<ArgumentException>(() =>
            new FakeClientBuilder().UseHeckAdoNetClustering(connectionString!));
        Assert.Contains("Heck:AdoNet:ConnectionString", client.Message, StringComparison.Ordinal);
        var apply = await Assert.ThrowsAsync<ArgumentException>(() => SchemaInstaller.ApplyAsync(connectionString!, CancellationToken.None));
        Assert.Contains("Heck:AdoNet:ConnectionString", apply.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_password_is_never_echoed_in_the_error()
    {
        var error = HeckAdoNetClustering.ValidateConnectionString("Password=s3cret-value;Port=x");
        Assert.NotNull(error);
        Assert.DoesNotContain("s3cret-value", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Good_connection_strings_pass() =>
        Assert.Null(HeckAdoNetClustering.ValidateConnectionString("Host=127.0.0.1;Port=5432;Database=heck;Username=heck;Password=x"));

    private sealed class FakeSiloBuilder : ISiloBuilder
    {
        public Microsoft.Extensions.DependencyInjection.IServiceCollection Services { get; } =
            new Microsoft.Extensions.DependencyInjection.ServiceCollection();
        public Microsoft.Extensions.Configuration.IConfiguration Configuration { get; } =
            new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build();
    }

    private sealed class FakeClientBuilder : IClientBuilder
    {
        public Microsoft.Extensions.DependencyInjection.IServiceCollection Services { get; } =
            new Microsoft.Extensions.DependencyInjection.ServiceCollection();
        public Microsoft.Extensions.Configuration.IConfiguration Configuration { get; } =
            new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build();
    }
}
