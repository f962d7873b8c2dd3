using Heck.Silo.Configuration;
using Heck.Silo.OriginsFile;
using Heck.Tests.Infrastructure;
using Xunit;

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

    [Fact]
    public void Reads_origins_with_the_api_field_names()
    {
        var specs = OriginsFileLoader.Load(Write("""
            origins:
              - id: web
                url: https://example.com/health
                intervalMs: 5000
                expectStatus: "200-299"
                headers:
                  Host: example.com
              - id: db
                url: tcp://127.0.0.1:5432
            """));
        Assert.Equal(["web", "db"], specs.Select(s => s.Id));
        Assert.Equal(5000, specs[0].IntervalMs);
        Assert.Equal("example.com", specs[0].Headers["Host"]);
    }

    [Fact]
    public void An_empty_file_has_no_origins() => Assert.Empty(OriginsFileLoader.Load(Write("")));

    [Fact]
    public void A_bad_entry_is_named_with_its_field()
    {
        var e = Assert.Throws<HeckConfigurationException>(() => OriginsFileLoader.Load(Write("""
            origins:
              - id: good
                url: http://a/
              - id: bad
                url: http://b/
                intervalMs: 5
            """)));
        var error = Assert.Single(e.Errors);
        Assert.Contains("entry 2 (id 'bad')", error);
        Assert.Contains("intervalMs", error);
    }

    [Fact]
    public void Unknown_fields_and_bad_yaml_name_the_line()
    {
        var e = Assert.Throws<HeckConfigurationException>(() => OriginsFileLoader.Load(Write("""
            origins:
              - id: a
                url: http://a/
                intervalMS: 500
            """)));
        Assert.Contains("line 4", e.Message);
        Assert.Contains("intervalMS", e.Message);
    }

    [Fact]
    public void ExpectStatus_is_a_scalar_text_or_code_and_a_list_names_its_line()
    {
        var specs = OriginsFileLoader.Load(Write("""
            origins:
              - id: code
                url: http://a/
                expectStatus: 404
              - id: text
                url: http://b/
                expectStatus: 404, 200-299
            """));
        Assert.Equal(["404", "200-299,404"], specs.Select(s => s.ExpectStatus));

        var e = Assert.Throws<HeckConfigurationException>(() => OriginsFileLoader.Load(Write("""
            origins:
              - id: list
                url: http://a/
                expectStatus: [200, 404]
            """)));
        Assert.Contains("line 4", e.Message);
    }

    [Fact]
    public void Duplicate_ids_are_errors()
    {
        var e = Assert.Throws<HeckConfigurationException>(() => OriginsFileLoader.Load(Write("""
            origins:
              - id: a
                url: http://a/
              - id: a
                url: http://b/
            """)));
        Assert.Contains("more than once", e.Message);
    }
}
