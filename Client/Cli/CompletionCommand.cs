using System.CommandLine;

namespace Heck.Client.Cli;

/// <summary>
/// <c>heck completion bash|zsh|fish</c>: a script for the shell that asks heck itself for completions through
/// System.CommandLine's <c>[suggest:position]</c> directive (no dotnet-suggest needed).
/// </summary>
internal static class CompletionCommand
{
    public static Command Create()
    {
        var shell = new Argument<string>("shell") { Description = "bash, zsh or fish" };
        shell.AcceptOnlyFromAmong("bash", "zsh", "fish");
        var command = new Command("completion", "Print a shell completion script: eval \"$(heck completion bash)\", or save it where your shell loads completions") { shell };
        command.SetAction(parse =>
        {
            parse.InvocationConfiguration.Output.Write(Script(parse.GetValue(shell)!));
            return ExitCodes.Ok;
        });
        return command;
    }

    public static string Script(string shell) => shell switch
    {
        "bash" => """
            # heck completion for bash: eval "$(heck completion bash)"
            _heck_complete() {
                local line="${COMP_LINE:0:COMP_POINT}"
                line="${line#* }"
                local IFS=$'\n'
                COMPREPLY=($(compgen -W "$(heck "[suggest:${#line}]" "$line" 2>/dev/null)" -- "${COMP_WORDS[COMP_CWORD]}"))
            }
            complete -o default -F _heck_complete heck

            """,
        "zsh" => """
            # heck completion for zsh: eval "$(heck completion zsh)"
            _heck_complete() {
                local line="${BUFFER[1,CURSOR]}"
                line="${line#* }"
                local -a candidates
                candidates=("${(@f)$(heck "[suggest:${#line}]" "$line" 2>/dev/null)}")
                compadd -a candidates
            }
            compdef _heck_complete heck

            """,
        _ => """
            # heck completion for fish: heck completion fish | source
            function __heck_complete
                set -l line (string replace -r '^\S+\s*' '' -- (commandline -cp))
                heck "[suggest:"(string length -- "$line")"]" "$line" 2>/dev/null
            end
            complete -c heck -f -a '(__heck_complete)'

            """,
    };
}
