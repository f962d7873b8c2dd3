using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Heck.Silo.Security;

/// <summary>
/// <c>Authorization: Bearer &lt;token&gt;</c> against <see cref="ApiTokens"/>. With no token configured the API is
/// open and every caller holds every scope. A refusal is a 401 problem with <c>WWW-Authenticate: Bearer</c>, or 429
/// once the client's address is over <see cref="FailedAuthLimiter"/>; a token without the endpoint's scope is a 403.
/// </summary>
public sealed class BearerTokenHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    ApiTokens tokens, FailedAuthLimiter limiter)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";
    private const string Prefix = "Bearer ";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (tokens.Open) return Task.FromResult(Success("anonymous", Enum.GetValues<ApiScope>()));
        var header = Request.Headers.Authorization;
        if (header.Count == 0) return Task.FromResult(AuthenticateResult.NoResult());
        var value = header.Count == 1 ? header[0] : null;
        if (value is null || !value.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) || value.Length == Prefix.Length)
            return Task.FromResult(AuthenticateResult.Fail("the Authorization header is not 'Bearer <token>'"));
        if (tokens.Find(value[Prefix.Length..].Trim()) is not { } token)
            return Task.FromResult(AuthenticateResult.Fail("the token is not one this silo accepts"));
        return Task.FromResult(Success(token.Name, token.Scopes));
    }

    private AuthenticateResult Success(string name, IEnumerable<ApiScope> scopes)
    {
        var claims = scopes.Select(s => new Claim(ApiScopes.ClaimType, ApiScopes.Name(s))).Prepend(new Claim(ClaimTypes.Name, name));
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        if (!limiter.TryRecordFailure(Context.Connection.RemoteIpAddress))
        {
            Response.Headers.RetryAfter = ((int)Math.Ceiling(limiter.Window.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            await WriteAsync(StatusCodes.Status429TooManyRequests, "Too many refused authentications from this address.",
                $"This address was refused too often within {limiter.Window.TotalSeconds:0} s; calls without a valid token get 429 until the window ends. " +
                "A call with a valid token is still served.", "https://heck.dev/problems/too-many-failed-authentications");
            return;
        }
        var given = result.Failure is not null;
        Response.Headers.WWWAuthenticate = given ? "Bearer realm=\"heck\", error=\"invalid_token\"" : "Bearer realm=\"heck\"";
        await WriteAsync(StatusCodes.Status401Unauthorized, "A valid token is required; nothing was changed.",
            given ? $"Authorization: {result.Failure!.Message}." : "Authorization: send 'Authorization: Bearer <token>' with a token of this cluster.",
            "https://heck.dev/problems/unauthorized");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var needed = Context.GetEndpoint()?.Metadata.GetMetadata<ApiAccess>()?.Scope ?? ApiScope.Admin;
        return WriteAsync(StatusCodes.Status403Forbidden, "The token lacks the scope this call needs; nothing was changed.",
            $"Token '{Context.User.Identity?.Name}' does not hold the '{ApiScopes.Name(needed)}' scope.", "https://heck.dev/problems/forbidden");
    }

    // Written whatever the request's Accept says (a watch asks for text/event-stream): the status alone would hide why.
    private Task WriteAsync(int status, string title, string detail, string type) =>
        Results.Problem(statusCode: status, title: title, detail: detail, type: type).ExecuteAsync(Context);
}
