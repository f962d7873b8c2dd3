using Heck.Silo.Configuration;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;

namespace Heck.Silo.Security;

/// <summary>Wires the API's Host filter, bearer tokens, scope policies and failed-attempt limit into the host.</summary>
public static class SecurityExtensions
{
    /// <summary>Reads the token files now, so a missing secret stops the silo before anything starts.</summary>
    public static WebApplicationBuilder AddHeckSecurity(this WebApplicationBuilder builder, HeckOptions options)
    {
        var tokens = ApiTokens.Load(options.Api, File.ReadAllText);
        builder.Services.AddSingleton(tokens);
        // Clients of the gateway obey the same tokens; with none configured nothing is checked.
        if (!tokens.Open) builder.Services.AddSingleton<IIncomingGrainCallFilter, ClientTokenGuard>();
        // Whatever the tokens, a client of the gateway reads specs with their secrets masked.
        builder.Services.AddSingleton<IIncomingGrainCallFilter, ClientResultRedaction>();
        builder.Services.AddSingleton(AllowedHosts.From(options));
        builder.Services.AddSingleton(new FailedAuthLimiter(options.Api.FailedAuthLimit, TimeSpan.FromSeconds(options.Api.FailedAuthWindowSeconds)));
        builder.Services.AddAuthentication(BearerTokenHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BearerTokenHandler>(BearerTokenHandler.SchemeName, null);
        var authorization = builder.Services.AddAuthorizationBuilder();
        foreach (var scope in Enum.GetValues<ApiScope>())
            authorization.AddPolicy(ApiScopes.PolicyName(scope), p => p.RequireClaim(ApiScopes.ClaimType, ApiScopes.Name(scope)));
        // An endpoint that declares no scope (a test forbids it) still needs the highest one.
        authorization.SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireClaim(ApiScopes.ClaimType, ApiScopes.Name(ApiScope.Admin)).Build());
        return builder;
    }

    /// <summary>The Host filter, then authentication and authorization, in front of every endpoint.</summary>
    public static WebApplication UseHeckSecurity(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<HeckOptions>>().Value;
        var tokens = app.Services.GetRequiredService<ApiTokens>();
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Heck.Silo.Security");
        if (tokens.Open && !System.Net.IPAddress.IsLoopback(System.Net.IPAddress.Parse(options.Http.ListenAddress)))
            log.LogWarning("The HTTP API on {ListenAddress} has no token (Heck:Api:AllowAnonymous=true): anyone who reaches it can change every origin",
                options.Http.ListenAddress);
        app.UseMiddleware<HostFilter>();
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }
}
