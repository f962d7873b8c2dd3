namespace Heck.Security;

/// <summary>How an Orleans client (the SDK) carries its API token to the silos: in the request context of every call.</summary>
public static class ClientToken
{
    public const string RequestContextKey = "heck.api-token";
}
