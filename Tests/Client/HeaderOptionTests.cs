using Heck.Client.Cli;

namespace Heck.Tests.Client;

public class HeaderOptionTests
{
    [Fact]
    public void No_header_options_mean_no_headers()
    {
        var errors = new List<FieldError>();
        Assert.Null(HeaderOption.Parse(null, errors));
        Assert.Null(HeaderOption.Parse([], errors));
        Assert.Empty(errors);
    }

    [Fact]
    public void Splits_at_the_first_colon_and_trims_around_name_and_value()
    {
        var errors = new List<FieldError>();
        var headers = HeaderOption.Parse(["Host: api.example", "  X-Token :a:b:c ", "X-Empty:", "Accept: text/plain; q=1"], errors);
        Assert.Empty(errors);
        Assert.Equal(new Dictionary<string, string>
        {
            ["Host"] = "api.example",
            ["X-Token"] = "a:b:c",
            ["X-Empty"] = "",
            ["Accept"] = "text/plain; q=1",
        }, headers);
    }

    [Fact]
    public void Reports_values_that_are_not_name_colon_value_and_repeated_names()
    {
        var errors = new List<FieldError>();
        var headers = HeaderOption.Parse(["no-colon", ": value", "X-A: 1", "x-a: 2"], errors);
        Assert.Equal(["headers", "headers", "headers.x-a"], errors.Select(e => e.Field));
        Assert.Contains("'no-colon'", errors[0].Message);
        Assert.Equal(new Dictionary<string, string> { ["X-A"] = "1" }, headers);
    }
}
