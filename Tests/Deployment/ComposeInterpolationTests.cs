namespace Heck.Tests.Deployment;

/// <summary>The test's reading of Compose's <c>${…}</c> syntax, so that the compose checks see the values Compose would.</summary>
public sealed class ComposeInterpolationTests
{
    private static readonly ComposeInterpolation Variables = new(new Dictionary<string, string>
    {
        ["SET"] = "value",
        ["EMPTY"] = "",
    });

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("${SET}", "value")]
    [InlineData("$SET/x", "value/x")]
    [InlineData("$$SET", "$SET")]
    [InlineData("a$", "a$")]
    [InlineData("${UNSET:-fallback}", "fallback")]
    [InlineData("${EMPTY:-fallback}", "fallback")]
    [InlineData("${EMPTY-fallback}", "")]
    [InlineData("${SET:-fallback}", "value")]
    [InlineData("${UNSET:-${SET}}.11", "value.11")]
    [InlineData("${UNSET:-${ALSO_UNSET:-deep}}", "deep")]
    [InlineData("${SET:-${UNSET}}", "value")] // an unused default is not evaluated
    [InlineData("${SET:+alt}|${UNSET:+alt}|${EMPTY+alt}", "alt||alt")]
    [InlineData("${SET:?needed}", "value")]
    [InlineData("Host=db;Password=${UNSET:-p}", "Host=db;Password=p")]
    public void Expands_like_Compose(string text, string expected) =>
        Assert.Equal(expected, Variables.Interpolate(text));

    [Theory]
    [InlineData("${UNSET:?set UNSET first}", "UNSET")]
    [InlineData("${EMPTY:?set EMPTY first}", "EMPTY")]
    [InlineData("${UNSET}", "UNSET")]
    [InlineData("$UNSET", "UNSET")]
    [InlineData("${UNSET:-${OTHER}}", "OTHER")]
    public void A_value_that_is_not_known_fails_and_names_the_variable(string text, string variable) =>
        Assert.Equal(variable, Assert.Throws<ComposeVariableException>(() => Variables.Interpolate(text)).Variable);

    [Theory]
    [InlineData("${UNCLOSED")]
    [InlineData("${1BAD}")]
    [InlineData("${SET/a/b}")]
    public void Malformed_expressions_are_errors(string text) =>
        Assert.Throws<FormatException>(() => Variables.Interpolate(text));
}
