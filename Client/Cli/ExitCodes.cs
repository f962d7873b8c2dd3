namespace Heck.Client.Cli;

/// <summary>What <c>heck</c> returns to the shell.</summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Ok = 0;
    /// <summary>The operation failed, or what it names does not exist (e.g. <c>get</c> of an unknown id).</summary>
    public const int Failed = 1;
    /// <summary>The command line or the input is invalid; nothing was sent to the cluster.</summary>
    public const int Usage = 2;
    /// <summary>No gateway of the cluster could be reached (or the connection was lost).</summary>
    public const int Unavailable = 3;
    /// <summary>The API refused the call's token: none or not valid (HTTP 401), or without the scope the call needs (403).</summary>
    public const int Unauthorized = 4;
    /// <summary>Interrupted (Ctrl-C) before the command finished, as shells report SIGINT.</summary>
    public const int Interrupted = 130;
}
