using Heck.Origins;

namespace Heck.Silo.Api;

/// <summary>
/// Reads a request body of bounded size. What goes wrong while reading is the client's doing, not a
/// fault in Heck: a malformed chunk or a body shorter than its Content-Length is Kestrel's 400, a body
/// that stops arriving (see Kestrel's MinRequestBodyDataRate) its 408, and a connection the client
/// broke off an <see cref="IOException"/>; each is answered with its 4xx and a problem body, never a 500.
/// </summary>
public static class RequestBody
{
    /// <summary>The body read (possibly empty); or null, with the error in the list or with a refusal to answer.</summary>
    public readonly record struct Outcome(byte[]? Bytes, IResult? Refusal);

    /// <summary>The body, at most <paramref name="maxBytes"/>: a larger one adds a <c>body</c> error to <paramref name="errors"/>.</summary>
    public static async Task<Outcome> ReadAsync(HttpRequest request, int maxBytes, List<FieldError> errors, CancellationToken ct)
    {
        if (request.ContentLength > maxBytes)
        {
            errors.Add(new("body", $"must be at most {maxBytes} bytes (was {request.ContentLength})"));
            return default;
        }
        var buffer = new byte[maxBytes + 1];
        var length = 0;
        try
        {
            int read;
            while (length < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(length), ct)) > 0)
                length += read;
        }
        catch (BadHttpRequestException ex)
        {
            return new(null, Unreadable(ex.StatusCode, ex.Message));
        }
        catch (IOException ex)
        {
            // The client broke the connection off: nobody may read the answer, but it is still the client's fault.
            return new(null, Unreadable(StatusCodes.Status400BadRequest, ex.Message));
        }
        if (length > maxBytes)
        {
            errors.Add(new("body", $"must be at most {maxBytes} bytes"));
            return default;
        }
        return new(buffer[..length], null);
    }

    private static IResult Unreadable(int status, string why) =>
        Results.ValidationProblem(
            new Dictionary<string, string[]> { ["body"] = [$"could not be read: {why.TrimEnd('.')}"] },
            statusCode: status,
            title: status == StatusCodes.Status408RequestTimeout
                ? "The request body did not arrive in time; nothing was changed."
                : "The request body could not be read; nothing was changed.",
            type: "https://heck.dev/problems/unreadable-body");
}
