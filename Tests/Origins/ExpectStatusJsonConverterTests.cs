using Heck.Silo.Api;

namespace Heck.Tests.Origins;

public sealed class ExpectStatusJsonConverterTests
{
    private static OriginInput Read(string expectStatus) =>
        JsonSerializer.Deserialize<OriginInput>($$"""{"url":"http://h/","expectStatus":{{expectStatus}}}""", ApiJson.Request)!;

    [Theory]
    [InlineData("\"200-299,404\"", "200-299,404")]
    [InlineData("404", "404")]
    [InlineData("[\"200-299\",\"404\"]", "200-299,404")]
    [InlineData("[200,\"300-308\",404]", "200,300-308,404")]
    [InlineData("[\"\"]", "")]
    public void Strings_codes_and_arrays_of_them_read_as_the_comma_text(string json, string text) =>
        Assert.Equal(text, Read(json).ExpectStatus);

    [Fact]
    public void Null_and_absence_leave_it_unset()
    {
        Assert.Null(Read("null").ExpectStatus);
        Assert.Null(JsonSerializer.Deserialize<OriginInput>("""{"url":"http://h/"}""", ApiJson.Request)!.ExpectStatus);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("[200,false]")]
    [InlineData("[null]")]
    [InlineData("[[200]]")]
    [InlineData("{\"from\":200}")]
    [InlineData("2.5")]
    [InlineData("1e3")]
    [InlineData("true")]
    public void Any_other_shape_is_refused_with_the_one_message(string json)
    {
        var ex = Assert.Throws<JsonException>(() => Read(json));
        Assert.Equal(ExpectStatusJsonConverter.Error, ex.Message);
        Assert.Equal("$.expectStatus", ex.Path);
    }

    [Fact]
    public void It_writes_the_text_back()
    {
        var json = JsonSerializer.Serialize(new OriginInput { Url = "http://h/", ExpectStatus = "200,404" }, ApiJson.Request);
        Assert.Contains("\"expectStatus\":\"200,404\"", json);
    }
}
