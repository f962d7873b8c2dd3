using Microsoft.AspNetCore.Diagnostics;
using Orleans.Runtime;

namespace Heck.Silo.Api;

/// <summary>
/// Failures that mean "the cluster could not take this call right now" (a silo joining or leaving,
/// a call that timed out) rather than a fault in the request or in Heck. Writes are idempotent
/// (PUT, DELETE), so they are retried briefly; what still fails is answered 503 with Retry-After.
/// </summary>
public static class ClusterUnavailable
{
    private static readonly TimeSpan[] Backoff = [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(900)];

    public static bool IsTransient(Exception ex) => ex is SiloUnavailableException or OrleansMessageRejectionException or TimeoutException;

    /// <summary>Runs an idempotent grain call, again after a short pause when it fails transiently.</summary>
    public static async Task<T> RetryAsync<T>(Func<Task<T>> call, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (Exception ex) when (IsTransient(ex) && attempt < Backoff.Length)
            {
                await Task.Delay(Backoff[attempt], ct);
            }
        }
    }

    /// <summary>Answers a transient failure that got through with 503 and a problem body.</summary>
    public sealed class Handler(IProblemDetailsService problems, ILogger<Handler> logger) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
        {
            if (!IsTransient(exception)) return false;
            logger.LogWarning(exception, "{Method} {Path} answered 503: the cluster could not take the call", context.Request.Method, context.Request.Path);
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "1";
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                Exception = exception,
                ProblemDetails =
                {
                    Status = StatusCodes.Status503ServiceUnavailable,
                    Type = "https://heck.dev/problems/cluster-unavailable",
                    Title = "The cluster could not take the call right now; retry shortly.",
                    Detail = exception.Message,
                },
            });
        }
    }
}
