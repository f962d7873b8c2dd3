using Heck.Origins;

namespace Heck.Client.Cli;

/// <summary>Bad command-line input, found before anything was sent; exit code 2, each field on stderr.</summary>
internal sealed class CliUsageException(IReadOnlyList<FieldError> errors)
    : Exception(string.Join("; ", errors))
{
    public IReadOnlyList<FieldError> Errors { get; } = errors;
}
