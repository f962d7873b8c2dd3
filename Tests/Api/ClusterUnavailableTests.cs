using Heck.Silo.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Runtime;

namespace Heck.Tests.Api;

public sealed class ClusterUnavailableTests
{
    [Fact]
    public async Task A_transient_failure_is_retried_until_the_call_succeeds()
    {
        var calls = 0;
        var result = await ClusterUnavailable.RetryAsync(() => ++calls < 3 ? throw new SiloUnavailableException("joining") : Task.FromResult("done"), CancellationToken.None);
        Assert.Equal(("done", 3), (result, calls));
    }

    [Fact]
    public async Task Retries_are_bounded()
    {
        var calls = 0;
        await Assert.ThrowsAsync<TimeoutException>(() =>
            ClusterUnavailable.RetryAsync<int>(() => { calls++; throw new TimeoutException("response timed out"); }, CancellationToken.None));
        Assert.Equal(4, calls);
    }

    [Fact]
    public async Task Other_failures_are_not_retried()
    {
        var calls = 0;
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            ClusterUnavailable.RetryAsync<int>(() => { calls++; throw new InvalidOperationException("a bug"); }, CancellationToken.None));
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task A_transient_failure_that_gets_through_is_a_503_problem_with_retry_after()
    {
        var services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Method = "PUT";
        context.Response.Body = new MemoryStream();
        var handler = new ClusterUnavailable.Handler(services.GetRequiredService<IProblemDetailsService>(), NullLogger<ClusterUnavailable.Handler>.Instance);

        Assert.True(await handler.TryHandleAsync(context, new SiloUnavailableException("gone"), CancellationToken.None));
        Assert.Equal(503, context.Response.StatusCode);
        Assert.Equal("1", context.Response.Headers.RetryAfter.ToString());
        Assert.StartsWith("application/problem+json", context.Response.ContentType);
        context.Response.Body.Position = 0;
        var body = await JsonDocument.ParseAsync(context.Response.Body);
        Assert.Equal("https://heck.dev/problems/cluster-unavailable", body.RootElement.GetProperty("type").GetString());

        Assert.False(await handler.TryHandleAsync(new DefaultHttpContext { RequestServices = services }, new InvalidOperationException("a bug"), CancellationToken.None));
    }
}
