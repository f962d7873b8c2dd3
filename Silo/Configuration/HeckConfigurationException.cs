namespace Heck.Silo.Configuration;

/// <summary>Bad configuration: the message names every offending key. The silo does not start.</summary>
public sealed class HeckConfigurationException(IReadOnlyList<string> errors)
    : Exception("Invalid configuration:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  " + e)))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
