namespace Heck.Tests.Origins;

public sealed class OriginValidatorTests
{
    private static IReadOnlyList<FieldError> Errors(string? id, OriginInput input) => OriginValidator.Validate(id, input, out _);

    [Fact]
    public void Defaults_fill_what_is_not_given()
    {
        var errors = OriginValidator.Validate("web", new OriginInput { Url = "https://example.com/health" }, out var spec);
        Assert.Empty(errors);
        Assert.Equal(10_000, spec!.IntervalMs);
        Assert.Equal(2000, spec.TimeoutMs);
        Assert.Equal("GET", spec.Method);
        Assert.Equal("200-399", spec.ExpectStatus);
        Assert.Equal(2, spec.HealthyThreshold);
        Assert.Equal(3, spec.UnhealthyThreshold);
        Assert.Equal(OriginKind.Http, spec.Kind);
        Assert.False(spec.ReuseConnection); // a new connection per probe
    }

    [Fact]
    public void A_url_that_escaping_makes_longer_than_2048_is_refused_so_the_stored_spec_validates_again()
    {
        // What the origins-file fuzzer found: a plain YAML scalar folded from two lines, spaces and braces in the url.
        var raw = "http://127.0.0.1:9/b intervalMs" + string.Concat(Enumerable.Repeat(" {a", 600));
        Assert.True(raw.Length <= 2048);
        var error = Assert.Single(Errors("b", new OriginInput { Url = raw }));
        Assert.Equal("url", error.Field);
        Assert.StartsWith("must be at most 2048 characters once escaped", error.Message);

        var shorter = "http://127.0.0.1:9/b intervalMs" + string.Concat(Enumerable.Repeat(" {a", 100));
        Assert.Empty(OriginValidator.Validate("b", new OriginInput { Url = shorter }, out var spec));
        Assert.Empty(OriginValidator.Validate(spec!));
    }

    [Fact]
    public void ReuseConnection_opts_an_http_origin_into_pooling_and_is_refused_for_tcp()
    {
        Assert.Empty(OriginValidator.Validate("web", new OriginInput { Url = "http://h/", ReuseConnection = true }, out var spec));
        Assert.True(spec!.ReuseConnection);
        Assert.Empty(OriginValidator.Validate(spec));
        Assert.NotEqual(spec, spec with { ReuseConnection = false }); // a change of it is an edit

        var errors = Errors("db", new OriginInput { Url = "tcp://db:5432", ReuseConnection = true });
        Assert.Contains(errors, e => e.Field == "reuseConnection");
        Assert.Empty(Errors("db", new OriginInput { Url = "tcp://db:5432", ReuseConnection = false }));
    }

    [Theory]
    [InlineData(500, 250)]
    [InlineData(100, 50)]
    [InlineData(60_000, 2000)]
    public void Default_timeout_is_the_smaller_of_2000_and_half_the_interval(int interval, int timeout)
    {
        OriginValidator.Validate("a", new OriginInput { Url = "http://h/", IntervalMs = interval }, out var spec);
        Assert.Equal(timeout, spec!.TimeoutMs);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("slash/no")]
    [InlineData("ünïcode")]
    [InlineData(null)]
    public void Bad_ids_are_named(string? id) =>
        Assert.Contains(Errors(id, new OriginInput { Url = "http://h/" }), e => e.Field == "id");

    [Fact]
    public void Id_of_128_characters_is_fine_and_129_is_not()
    {
        Assert.Empty(Errors(new string('a', 128), new OriginInput { Url = "http://h/" }));
        Assert.Single(Errors(new string('a', 129), new OriginInput { Url = "http://h/" }));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("relative/path")]
    [InlineData("ftp://host/")]
    [InlineData("tcp://host")]
    [InlineData("tcp://host:5432/path")]
    [InlineData("file:///etc/passwd")]
    [InlineData("mailto:a@b.c")]
    public void Bad_urls_are_named(string? url) => Assert.Contains(Errors("a", new OriginInput { Url = url }), e => e.Field == "url");

    [Fact]
    public void Tcp_urls_are_normalised_and_refuse_http_fields()
    {
        Assert.Empty(OriginValidator.Validate("db", new OriginInput { Url = "TCP://Db.Example:5432" }, out var spec));
        Assert.Equal("tcp://db.example:5432", spec!.Url);
        Assert.Equal(OriginKind.Tcp, spec.Kind);
        var errors = Errors("db", new OriginInput { Url = "tcp://db:5432", Method = "GET", BodyContains = "x", ExpectStatus = "200" });
        Assert.Equal(["method", "expectStatus", "bodyContains"], errors.Select(e => e.Field));
    }

    [Theory]
    [InlineData(99, "intervalMs")]
    [InlineData(86_400_001, "intervalMs")]
    public void Interval_bounds(int interval, string field) =>
        Assert.Contains(Errors("a", new OriginInput { Url = "http://h/", IntervalMs = interval }), e => e.Field == field);

    [Fact]
    public void Timeout_must_be_positive_and_below_the_interval()
    {
        Assert.Contains(Errors("a", new OriginInput { Url = "http://h/", TimeoutMs = 0 }), e => e.Field == "timeoutMs");
        Assert.Contains(Errors("a", new OriginInput { Url = "http://h/", IntervalMs = 1000, TimeoutMs = 1000 }), e => e.Field == "timeoutMs");
        Assert.Empty(Errors("a", new OriginInput { Url = "http://h/", IntervalMs = 1000, TimeoutMs = 999 }));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    public void Thresholds_are_1_to_100(int value)
    {
        var errors = Errors("a", new OriginInput { Url = "http://h/", HealthyThreshold = value, UnhealthyThreshold = value });
        Assert.Equal(["healthyThreshold", "unhealthyThreshold"], errors.Select(e => e.Field));
    }

    [Fact]
    public void Method_is_get_or_head_and_head_has_no_body_check()
    {
        Assert.Contains(Errors("a", new OriginInput { Url = "http://h/", Method = "POST" }), e => e.Field == "method");
        Assert.Contains(Errors("a", new OriginInput { Url = "http://h/", Method = "HEAD", BodyContains = "ok" }), e => e.Field == "bodyContains");
        OriginValidator.Validate("a", new OriginInput { Url = "http://h/", Method = "head" }, out var spec);
        Assert.Equal("HEAD", spec!.Method);
    }

    [Theory]
    [InlineData("200", "200")]
    [InlineData("200-299, 404", "200-299,404")]
    [InlineData("404,200-299,250-300", "200-300,404")]
    [InlineData("200,201,202", "200-202")]
    public void Status_expectations_are_normalised(string given, string normal)
    {
        OriginValidator.Validate("a", new OriginInput { Url = "http://h/", ExpectStatus = given }, out var spec);
        Assert.Equal(normal, spec!.ExpectStatus);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("99")]
    [InlineData("600")]
    [InlineData("300-200")]
    [InlineData("200-")]
    public void Bad_status_expectations_are_named(string given) =>
        Assert.Contains(Errors("a", new OriginInput { Url = "http://h/", ExpectStatus = given }), e => e.Field == "expectStatus");

    [Fact]
    public void Status_set_membership()
    {
        var set = StatusCodeSet.Parse("200-299,404");
        Assert.True(set.Contains(200));
        Assert.True(set.Contains(299));
        Assert.True(set.Contains(404));
        Assert.False(set.Contains(300));
        Assert.False(set.Contains(403));
    }

    [Fact]
    public void Headers_must_be_valid_and_not_framing()
    {
        var errors = Errors("a", new OriginInput
        {
            Url = "http://h/",
            Headers = new() { ["Bad Name"] = "x", ["X-Ok"] = "fine", ["X-Split"] = "a\r\nInjected: yes", ["Content-Length"] = "5", ["content-type"] = "text/plain" },
        });
        Assert.Equal(["headers.Bad Name", "headers.X-Split", "headers.Content-Length", "headers.content-type"], errors.Select(e => e.Field));
    }

    [Fact]
    public void Every_bad_field_is_reported_at_once()
    {
        var errors = Errors("bad id", new OriginInput { Url = "ftp://x", IntervalMs = 1, HealthyThreshold = 0, DegradedLatencyMs = 0 });
        Assert.Equal(["id", "url", "intervalMs", "healthyThreshold", "degradedLatencyMs"], errors.Select(e => e.Field));
    }

    public static TheoryData<OriginInput> GoodInputs => new()
    {
        new OriginInput
        {
            Url = "https://h/x?y=1", IntervalMs = 700, TimeoutMs = 300, Method = "HEAD", ExpectStatus = "204",
            Headers = new() { ["Host"] = "example" }, DegradedLatencyMs = 100, HealthyThreshold = 4, UnhealthyThreshold = 5,
        },
        new OriginInput { Url = "HTTP://Example.COM", Method = "get", ExpectStatus = "404, 200-299,250", BodyContains = "ok" },
        new OriginInput { Url = "tcp://db.example:5432" },
    };

    [Theory]
    [MemberData(nameof(GoodInputs))]
    public void A_validated_spec_keeps_every_invariant(OriginInput input)
    {
        Assert.Empty(OriginValidator.Validate("a", input, out var spec));
        Assert.Empty(OriginValidator.Validate(spec!));
    }

    [Fact]
    public void A_spec_built_without_validation_is_refused_naming_each_broken_invariant()
    {
        var spec = new OriginSpec
        {
            Id = "bad id", Url = "HTTP://Example.COM", IntervalMs = 500, TimeoutMs = 500, Method = "get",
            ExpectStatus = "404,200-299", BodyContains = "", HealthyThreshold = 0, UnhealthyThreshold = 101, DegradedLatencyMs = 0,
            Headers = new Dictionary<string, string> { ["Content-Type"] = "text/plain" },
        };
        var errors = OriginValidator.Validate(spec);
        Assert.Equal(
            [
                new("id", OriginValidator.IdError),
                new("url", "must be written as 'http://example.com/'"),
                new("timeoutMs", "must be less than intervalMs 500 (was 500)"),
                new("healthyThreshold", "must be 1 … 100 (was 0)"),
                new("unhealthyThreshold", "must be 1 … 100 (was 101)"),
                new("degradedLatencyMs", "must be 1 … 86400000 (was 0)"),
                new("method", "must be GET or HEAD (was 'get')"),
                new("expectStatus", "must be written as '200-299,404'"),
                new("bodyContains", "must be 1 to 1024 characters long"),
                new FieldError("headers.Content-Type", "describes a request body, and probes send none"),
            ], errors);
    }

    [Fact]
    public void A_tcp_spec_with_http_fields_or_missing_parts_is_refused()
    {
        var tcp = new OriginSpec { Id = "db", Url = "tcp://db:5432", Method = "GET", ExpectStatus = "200-399", BodyContains = "x" };
        Assert.Equal(["method", "expectStatus", "bodyContains"], OriginValidator.Validate(tcp).Select(e => e.Field));

        var empty = new OriginSpec { Id = "web", Url = null!, Method = null!, ExpectStatus = null!, Headers = null! };
        Assert.Equal([new("url", "is required"), new FieldError("headers", "must not be null")], OriginValidator.Validate(empty));

        var http = new OriginSpec { Id = "web", Url = "http://web/", Method = null!, ExpectStatus = "" };
        Assert.Equal(["method", "expectStatus"], OriginValidator.Validate(http).Select(e => e.Field));
    }

    [Fact]
    public void The_id_rule_has_one_text()
    {
        Assert.Equal("must match ^[A-Za-z0-9._-]{1,128}$", OriginValidator.IdError);
        Assert.Equal(new FieldError("id", OriginValidator.IdError), OriginValidator.CheckId(new string('a', 129)));
        Assert.Null(OriginValidator.CheckId("a.b_c-9"));
        Assert.Contains(new FieldError("id", OriginValidator.IdError), Errors(null, new OriginInput { Url = "http://h/" }));
    }
}
