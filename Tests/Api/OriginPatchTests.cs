using System.Text.Json.Nodes;
using Heck.Api;
using Heck.Silo.Api;

namespace Heck.Tests.Api;

/// <summary>JSON merge patch (RFC 7396), the origin's shortest input form it applies to, and ETag preconditions.</summary>
public class OriginPatchTests
{
    private static string Merge(string target, string patch) =>
        MergePatch.Apply(JsonNode.Parse(target), JsonNode.Parse(patch))?.ToJsonString() ?? "null";

    [Theory] // RFC 7396, appendix A
    [InlineData("""{"a":"b"}""", """{"a":"c"}""", """{"a":"c"}""")]
    [InlineData("""{"a":"b"}""", """{"b":"c"}""", """{"a":"b","b":"c"}""")]
    [InlineData("""{"a":"b"}""", """{"a":null}""", """{}""")]
    [InlineData("""{"a":"b","b":"c"}""", """{"a":null}""", """{"b":"c"}""")]
    [InlineData("""{"a":["b"]}""", """{"a":"c"}""", """{"a":"c"}""")]
    [InlineData("""{"a":"c"}""", """{"a":["b"]}""", """{"a":["b"]}""")]
    [InlineData("""{"a":{"b":"c"}}""", """{"a":{"b":"d","c":null}}""", """{"a":{"b":"d"}}""")]
    [InlineData("""{"a":[{"b":"c"}]}""", """{"a":[1]}""", """{"a":[1]}""")]
    [InlineData("""["a","b"]""", """["c","d"]""", """["c","d"]""")]
    [InlineData("""{"a":"b"}""", """["c"]""", """["c"]""")]
    [InlineData("""{"e":null}""", """{"a":1}""", """{"e":null,"a":1}""")]
    [InlineData("""[1,2]""", """{"a":"b","c":null}""", """{"a":"b"}""")]
    [InlineData("""{}""", """{"a":{"bb":{"ccc":null}}}""", """{"a":{"bb":{}}}""")]
    public void Applies_as_rfc_7396_says(string target, string patch, string result) => Assert.Equal(result, Merge(target, patch));

    [Fact]
    public void The_patch_and_target_are_not_changed()
    {
        var target = JsonNode.Parse("""{"a":{"b":1}}""")!;
        var patch = JsonNode.Parse("""{"a":{"b":null}}""")!;
        MergePatch.Apply(target, patch);
        Assert.Equal("""{"a":{"b":1}}""", target.ToJsonString());
        Assert.Equal("""{"a":{"b":null}}""", patch.ToJsonString());
    }

    private static OriginSpec Spec(OriginInput input)
    {
        Assert.Empty(OriginValidator.Validate("web", input, out var spec));
        return spec!;
    }

    [Fact]
    public void The_input_form_leaves_out_defaults_so_a_default_timeout_follows_the_interval()
    {
        var spec = Spec(new OriginInput { Url = "http://a/", IntervalMs = 5000, Headers = new() { ["B"] = "2", ["A"] = "1" } });
        Assert.Equal("""{"url":"http://a/","intervalMs":5000,"headers":{"A":"1","B":"2"}}""", OriginInputJson.AsInput(spec).ToJsonString());
        var tcp = Spec(new OriginInput { Url = "tcp://db:5432", TimeoutMs = 100 });
        Assert.Equal("""{"url":"tcp://db:5432","timeoutMs":100}""", OriginInputJson.AsInput(tcp).ToJsonString());
    }

    [Fact]
    public void The_etag_is_strong_the_same_for_the_same_spec_and_changes_with_it()
    {
        var a = OriginETag.Of(Spec(new OriginInput { Url = "http://a/", Headers = new() { ["X"] = "1", ["Y"] = "2" } }));
        var same = OriginETag.Of(Spec(new OriginInput { Url = "http://a/", Headers = new() { ["Y"] = "2", ["X"] = "1" } }));
        var other = OriginETag.Of(Spec(new OriginInput { Url = "http://a/", Headers = new() { ["X"] = "1", ["Y"] = "3" } }));
        Assert.Equal(a, same);
        Assert.NotEqual(a, other);
        Assert.Matches("^\"[0-9a-f]{24}\"$", a);
    }

    [Fact]
    public void Preconditions_compare_strongly_and_if_none_match_star_creates_only()
    {
        const string tag = "\"abc\"";
        Assert.Null(Preconditions.Check("web", tag, "", tag));
        Assert.Null(Preconditions.Check("web", "\"x\", " + tag, "", tag));
        Assert.Null(Preconditions.Check("web", "*", "", tag));
        Assert.NotNull(Preconditions.Check("web", "W/" + tag, "", tag)); // If-Match is a strong comparison
        Assert.NotNull(Preconditions.Check("web", tag, "", "\"def\""));
        Assert.NotNull(Preconditions.Check("web", "*", "", null)); // no origin: nothing matches
        Assert.Null(Preconditions.Check("web", "", "*", null));
        Assert.NotNull(Preconditions.Check("web", "", "*", tag));
        Assert.Null(Preconditions.Check("web", "", "", tag));
    }

    [Fact]
    public void A_write_condition_admits_what_the_http_headers_admit()
    {
        const string tag = "\"abc\"";
        Assert.True(WriteCondition.Unchanged(tag).Admits(tag));
        Assert.False(WriteCondition.Unchanged(tag).Admits("\"def\""));
        Assert.False(WriteCondition.Unchanged(tag).Admits(null));
        Assert.True(new WriteCondition("", "*").Admits(null));
        Assert.False(new WriteCondition("", "*").Admits(tag));
        Assert.True(new WriteCondition("*", "").Admits(tag));
        Assert.True(new WriteCondition("", "").IsEmpty);
    }
}
