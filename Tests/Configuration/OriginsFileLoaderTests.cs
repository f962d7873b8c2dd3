using Heck.Silo.OriginsFile;

namespace Heck.Tests.Configuration;

public sealed class OriginsFileLoaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Write(string yaml)
    {
        var path = Path.Combine(_dir.Path, "origins.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    private OriginsFileContent Load(string yaml) => OriginsFileLoader.Load(Write(yaml));

    [Fact]
    public void Reads_origins_with_the_api_field_names()
    {
        var file = Load("""
            origins:
              - id: web
                url: https://example.com/health
                intervalMs: 5000
                expectStatus: "200-299"
                headers:
                  Host: example.com
              - id: db
                url: tcp://127.0.0.1:5432
            """);
        Assert.True(file.Parsed);
        Assert.Empty(file.Errors);
        Assert.Equal(["web", "db"], file.Specs.Select(s => s.Id));
        Assert.Equal(5000, file.Specs[0].IntervalMs);
        Assert.Equal("example.com", file.Specs[0].Headers["Host"]);
        Assert.Equal(2, file.EntryOf("db"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("# nothing yet\n")]
    [InlineData("origins:\n")]
    [InlineData("origins: []\n")]
    public void An_empty_file_has_no_origins(string yaml)
    {
        var file = Load(yaml);
        Assert.True(file.Parsed);
        Assert.Empty(file.Specs);
        Assert.Empty(file.Errors);
    }

    [Fact]
    public void A_bad_entry_is_reported_with_its_position_id_and_key_and_the_others_stand()
    {
        var path = Write("""
            origins:
              - id: good
                url: http://a/
              - id: bad
                url: http://b/
                intervalMs: 5
              - id: also-good
                url: http://c/
            """);
        var file = OriginsFileLoader.Load(path);
        Assert.True(file.Parsed);
        Assert.Equal(["good", "also-good"], file.Specs.Select(s => s.Id));
        var error = Assert.Single(file.Errors);
        Assert.Equal((2, "bad", "intervalMs"), (error.Entry, error.Id, error.Key));
        Assert.Equal($"{path}:6:17: origins[1].intervalMs: must be 100 … 86400000 (was 5)", error.Describe(path));
        // Still managed by the file: its last good spec is kept, never deleted because of a typo.
        Assert.Equal(2, file.EntryOf("bad"));
    }

    [Fact]
    public void An_unknown_field_names_its_entry_key_and_line_and_the_others_stand()
    {
        var file = Load("""
            origins:
              - id: a
                url: http://a/
                intervalMS: 500
              - id: b
                url: http://b/
            """);
        Assert.Equal(["b"], file.Specs.Select(s => s.Id));
        var error = Assert.Single(file.Errors);
        Assert.Equal((1, "a", "intervalMS", 4, 5), (error.Entry, error.Id, error.Key, error.Line, error.Column));
        Assert.Equal("unknown field; did you mean intervalMs?", error.Message);
        Assert.Contains("a", file.ManagedIds);
    }

    [Fact]
    public void ExpectStatus_is_a_scalar_text_or_code_or_a_list_of_them_as_in_the_api()
    {
        var file = Load("""
            origins:
              - id: code
                url: http://a/
                expectStatus: 404
              - id: text
                url: http://b/
                expectStatus: 404, 200-299
              - id: list
                url: http://c/
                expectStatus: [200, 404]
            """);
        Assert.Equal(["404", "200-299,404", "200,404"], file.Specs.Select(s => s.ExpectStatus));
        Assert.Empty(file.Errors);
    }

    [Fact]
    public void Every_problem_of_every_entry_is_reported_with_line_column_and_field_in_the_users_words()
    {
        var file = Load("""
            origins:
              - id: a
                url: http://a/
              - id: b
                url: http://b/
              - id: c
                timeoutMS: 50
              - id: d
                intervalMs: fast
                url: http://d/
                healthyThreshold: 999999999999
                reuseConnection: yes
                headers:
                  Host: [x]
                  host: y
                url: http://e/
                degradedLatencyMs: 1.5
            """);
        Assert.Equal(["a", "b"], file.Specs.Select(s => s.Id));
        Assert.Equal(
        [
            "origins.yaml:7:5: origins[2].timeoutMS: unknown field; did you mean timeoutMs?",
            "origins.yaml:6:5: origins[2].url: is required",
            "origins.yaml:9:17: origins[3].intervalMs: must be a number (was \"fast\")",
            "origins.yaml:11:23: origins[3].healthyThreshold: must be 1 … 100 (was 999999999999)",
            "origins.yaml:12:22: origins[3].reuseConnection: must be true or false (was \"yes\")",
            "origins.yaml:14:13: origins[3].headers.Host: must be a string (was a list)",
            "origins.yaml:15:7: origins[3].headers.host: repeats header Host (header names ignore case)",
            "origins.yaml:16:5: origins[3].url: appears twice",
            "origins.yaml:17:24: origins[3].degradedLatencyMs: must be a whole number (was 1.5)",
        ], file.Errors.Select(e => e.Describe("origins.yaml")));
        Assert.Equal(["a", "b", "c", "d"], file.ManagedIds.Order());
        Assert.DoesNotContain(file.Errors, e => e.Message.Contains("Heck.") || e.Message.Contains("OriginsFileEntry"));
    }

    [Fact]
    public void A_duplicate_id_is_an_error_and_the_first_entry_stands()
    {
        var file = Load("""
            origins:
              - id: a
                url: http://a/
              - id: a
                url: http://b/
            """);
        Assert.Equal("http://a/", Assert.Single(file.Specs).Url);
        var error = Assert.Single(file.Errors);
        Assert.Equal((2, "id"), (error.Entry, error.Key));
        Assert.Contains("more than once", error.Message);
        Assert.Equal(1, file.EntryOf("a"));
    }

    [Fact]
    public void Entries_without_a_usable_id_are_errors_and_not_managed()
    {
        var file = Load("""
            origins:
              - url: http://a/
              -
              - id: "bad id"
                url: http://c/
            """);
        Assert.Empty(file.Specs);
        Assert.Empty(file.ManagedIds);
        Assert.Equal([1, 2, 3], file.Errors.Select(e => e.Entry!.Value).Distinct());
    }

    [Theory]
    [InlineData("origins:\n  - id: a\n    url: [unclosed\n", "origins.yaml:4:1: is not valid YAML: While parsing a flow sequence, did not find expected ',' or ']'.")]
    [InlineData("orgins:\n  - id: a\n    url: http://a/\n", "origins.yaml:1:1: unknown key 'orgins' (the file has one key, 'origins')")]
    [InlineData("- id: a\n  url: http://a/\n", "origins.yaml:1:1: must be a mapping with the key 'origins'")]
    [InlineData("origins: web\n", "origins.yaml:1:10: 'origins' must be a list of entries")]
    public void A_file_that_does_not_parse_is_one_error_for_the_whole_file(string yaml, string says)
    {
        // A misspelt top-level key must not read as "no origins": that would delete every managed one.
        var file = Load(yaml);
        Assert.False(file.Parsed);
        Assert.Empty(file.Specs);
        var error = Assert.Single(file.Errors);
        Assert.Null(error.Entry);
        Assert.Equal(says, error.Describe("origins.yaml"));
    }

    [Fact]
    public void A_file_that_cannot_be_read_is_an_error_not_an_exception()
    {
        var file = OriginsFileLoader.Load(_dir.Path); // a directory
        Assert.False(file.Parsed);
        Assert.Contains("cannot be read", Assert.Single(file.Errors).Message);
    }
}
