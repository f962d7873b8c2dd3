using System.Text;

namespace Heck.Tests.Origins;

/// <summary>The API's body reader: every mistake named with its field, its rule and its value, word for word.</summary>
public sealed class OriginJsonReaderTests
{
    private static (OriginInput? Input, List<string> Errors) Read(string json) => Read(Encoding.UTF8.GetBytes(json));

    private static (OriginInput? Input, List<string> Errors) Read(byte[] utf8)
    {
        var errors = new List<FieldError>();
        var input = OriginJsonReader.Read(utf8, errors);
        return (input, errors.Select(e => e.ToString()).ToList());
    }

    /// <summary>What the API answers: the reader's errors, then the validator's for fields the reader did not name.</summary>
    private static List<string> Answer(string json)
    {
        var errors = new List<FieldError>();
        var input = OriginJsonReader.Read(Encoding.UTF8.GetBytes(json), errors);
        if (input is not null)
        {
            var named = errors.Select(e => e.Field).ToHashSet();
            errors.AddRange(OriginValidator.Validate("x", input, out _).Where(e => !named.Contains(e.Field)));
        }
        return errors.Select(e => e.ToString()).ToList();
    }

    [Theory]
    [InlineData("""{"url":"http://h/","intervalMs":999999999999}""", "intervalMs: must be 100 … 86400000 (was 999999999999)")]
    [InlineData("""{"url":"http://h/","intervalMs":50}""", "intervalMs: must be 100 … 86400000 (was 50)")]
    [InlineData("""{"url":"http://h/","intervalMs":"500"}""", "intervalMs: must be a number (was the string \"500\")")]
    [InlineData("""{"url":"http://h/","intervalMs":1.5}""", "intervalMs: must be a whole number (was 1.5)")]
    [InlineData("""{"url":"http://h/","healthyThreshold":-99999999999}""", "healthyThreshold: must be 1 … 100 (was -99999999999)")]
    [InlineData("""{"url":"http://h/","unhealthyThreshold":101}""", "unhealthyThreshold: must be 1 … 100 (was 101)")]
    [InlineData("""{"url":"http://h/","interval":500}""", "interval: unknown field; did you mean intervalMs?")]
    [InlineData("""{"url":"http://h/","IntervalMS":500}""", "IntervalMS: unknown field; did you mean intervalMs?")]
    [InlineData("""{"url":"http://h/","timeotMs":500}""", "timeotMs: unknown field; did you mean timeoutMs?")]
    [InlineData("""{"url":"http://h/","healthy":1}""", "healthy: unknown field; did you mean healthyThreshold?")]
    [InlineData("""{"url":"http://h/","colour":"red"}""", "colour: unknown field")]
    [InlineData("""[{"url":"http://h/"}]""", "body: must be a JSON object (was an array)")]
    [InlineData("""null""", "body: must be a JSON object (was null)")]
    [InlineData("""{"url":"http://a/","url":"http://b/"}""", "url: appears twice")]
    [InlineData("""{"url":5}""", "url: must be a string (was the number 5)")]
    [InlineData("""{"url":"http://h/","reuseConnection":"yes"}""", "reuseConnection: must be true or false (was the string \"yes\")")]
    [InlineData("""{"url":"http://h/","headers":["Host"]}""", "headers: must be a map of header names to values (was an array)")]
    [InlineData("""{"url":"http://h/","headers":{"Host":1}}""", "headers.Host: must be a string (was the number 1)")]
    [InlineData("""{"url":"http://h/","headers":{"Host":"a","Host":"b"}}""", "headers.Host: appears twice")]
    [InlineData("""{"url":"http://h/","headers":{"Host":"a","host":"b"}}""", "headers.host: repeats header Host (header names ignore case)")]
    [InlineData("""{"url":"http://h/","headers":{"X-A\n":"b"}}""", "headers.X-A\n: is not a valid header name: letters, digits and !#$%&'*+-.^_`|~ only")]
    [InlineData("""{"url":"http://h/","expectStatus":true}""", "expectStatus: must be a string like \"200-299,404\", a status code, or an array of them (was true)")]
    [InlineData("""{"url":"\ud800"}""", "url: must be valid Unicode text (was a lone surrogate such as \\ud800, or bytes that are not UTF-8)")]
    [InlineData("""{"url":"http://h/","expectStatus":["\udc00"]}""", "expectStatus: must be valid Unicode text (was a lone surrogate such as \\ud800, or bytes that are not UTF-8)")]
    [InlineData("""{"url":"http://h/",}""", "body: is not valid JSON at line 1, byte 20: The JSON object contains a trailing comma at the end which is not supported in this mode. Change the reader options.")]
    public void Each_mistake_names_the_field_the_rule_and_the_value(string json, string error) =>
        Assert.Equal([error], Answer(json));

    [Fact]
    public void A_lone_surrogate_in_a_field_name_is_named_not_thrown()
    {
        var (_, errors) = Read("""{"url":"http://h/","\ud800":1}""");
        Assert.Equal(["body: has a field name that is not valid Unicode text (a lone surrogate such as \\ud800, or bytes that are not UTF-8)"], errors);
    }

    [Fact]
    public void Bytes_that_are_not_UTF8_are_named_as_not_Unicode()
    {
        var bytes = Encoding.UTF8.GetBytes("""{"url":"http://h/X"}""");
        bytes[Array.IndexOf(bytes, (byte)'X')] = 0xFF;
        var (input, errors) = Read(bytes);
        Assert.Null(input!.Url);
        Assert.Equal(["url: must be valid Unicode text (was a lone surrogate such as \\ud800, or bytes that are not UTF-8)"], errors);
    }

    [Fact]
    public void Every_mistake_is_named_at_once_and_the_good_fields_are_read()
    {
        var (input, errors) = Read("""{"url":"http://h/","interval":1,"timeoutMs":"x","intervalMs":500,"healthyThreshold":5,"url":"http://i/"}""");
        Assert.Equal(["interval: unknown field; did you mean intervalMs?", "timeoutMs: must be a number (was the string \"x\")", "url: appears twice"], errors);
        Assert.Equal(("http://h/", 500, 5, (int?)null), (input!.Url, input.IntervalMs, input.HealthyThreshold, input.TimeoutMs));
    }

    [Fact]
    public void A_good_body_reads_every_field()
    {
        var (input, errors) = Read("""
            {"id":"w","url":"http://h/","intervalMs":500,"timeoutMs":100,"method":"HEAD","expectStatus":["200-299",404],
             "bodyContains":null,"headers":{"Host":"h"},"degradedLatencyMs":50,"healthyThreshold":1,"unhealthyThreshold":2,"reuseConnection":true}
            """);
        Assert.Empty(errors);
        Assert.Equal(("w", "http://h/", 500, 100, "HEAD", "200-299,404"), (input!.Id, input.Url, input.IntervalMs, input.TimeoutMs, input.Method, input.ExpectStatus));
        Assert.Equal((null, "h", 50, 1, 2, true), (input.BodyContains, input.Headers!["Host"], input.DegradedLatencyMs, input.HealthyThreshold, input.UnhealthyThreshold, input.ReuseConnection));
    }

    [Fact]
    public void Suggestions_only_when_something_is_close()
    {
        Assert.Equal("intervalMs", OriginFields.Closest("interval"));
        Assert.Equal("timeoutMs", OriginFields.Closest("timeoutMS"));
        Assert.Equal("url", OriginFields.Closest("uri"));
        Assert.Equal("expectStatus", OriginFields.Closest("expect"));
        Assert.Null(OriginFields.Closest("colour"));
        Assert.Null(OriginFields.Closest("x"));
        Assert.Null(OriginFields.Closest(""));
    }
}
