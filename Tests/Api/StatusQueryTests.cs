using Heck.Silo.Api;
using Microsoft.Extensions.Primitives;

namespace Heck.Tests.Api;

public sealed class StatusQueryTests
{
    [Fact]
    public void A_comma_list_or_repeated_parameter_means_any_of_them()
    {
        Assert.Equal([HealthStatus.Healthy, HealthStatus.Degraded], StatusQuery.Parse("healthy,degraded", out var e1)!.Order());
        Assert.Null(e1);
        Assert.Equal([HealthStatus.Unknown, HealthStatus.Unhealthy], StatusQuery.Parse(new StringValues(["Unhealthy", " unknown "]), out _)!.Order());
        Assert.Null(StatusQuery.Parse(StringValues.Empty, out var e2));
        Assert.Null(e2);
    }

    [Theory]
    [InlineData("sick", "status: must be unknown, healthy, degraded, unhealthy, or several of them comma separated (was \"sick\")")]
    [InlineData("healthy,sick", "status: must be unknown, healthy, degraded, unhealthy, or several of them comma separated (was \"healthy,sick\")")]
    [InlineData("1", "status: must be unknown, healthy, degraded, unhealthy, or several of them comma separated (was \"1\")")]
    [InlineData("", "status: must be unknown, healthy, degraded, unhealthy, or several of them comma separated (was \"\")")]
    public void Anything_else_is_named(string raw, string error)
    {
        Assert.Null(StatusQuery.Parse(raw, out var e));
        Assert.Equal(error, e!.ToString());
    }
}
