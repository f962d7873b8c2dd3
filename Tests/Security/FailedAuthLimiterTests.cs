using Heck.Silo.Security;

namespace Heck.Tests.Security;

public sealed class FailedAuthLimiterTests
{
    [Fact]
    public void Past_the_limit_an_address_is_refused_and_others_are_not()
    {
        using var limiter = new FailedAuthLimiter(3, TimeSpan.FromHours(1));
        var a = IPAddress.Parse("127.0.0.2");
        Assert.All(Enumerable.Range(0, 3), _ => Assert.True(limiter.TryRecordFailure(a)));
        Assert.False(limiter.TryRecordFailure(a));
        Assert.False(limiter.TryRecordFailure(a.MapToIPv6())); // the same client over a dual-stack socket
        Assert.True(limiter.TryRecordFailure(IPAddress.Parse("127.0.0.3")));
    }

    [Fact]
    public void An_IPv6_client_counts_by_its_64_prefix()
    {
        Assert.Equal(FailedAuthLimiter.Key(IPAddress.Parse("2001:db8:1:2::1")), FailedAuthLimiter.Key(IPAddress.Parse("2001:db8:1:2:ffff::9")));
        Assert.NotEqual(FailedAuthLimiter.Key(IPAddress.Parse("2001:db8:1:2::1")), FailedAuthLimiter.Key(IPAddress.Parse("2001:db8:1:3::1")));
    }
}
