namespace Heck.Tests.Origins;

public sealed class RedactionTests
{
    private static OriginSpec Spec(string url, params (string Name, string Value)[] headers)
    {
        var errors = OriginValidator.Validate("o", new OriginInput { Url = url, Headers = headers.ToDictionary(h => h.Name, h => h.Value) }, out var spec);
        Assert.Empty(errors);
        return spec!;
    }

    [Theory]
    [InlineData("Authorization"), InlineData("authorization"), InlineData("Proxy-Authorization"), InlineData("COOKIE")]
    [InlineData("X-Api-Key"), InlineData("X-Auth-Token"), InlineData("client-secret"), InlineData("X-Vault-TOKEN")]
    public void Secret_headers_are_named_so_in_any_case(string name) => Assert.True(Redaction.IsSecretHeader(name));

    [Theory]
    [InlineData("Accept"), InlineData("User-Agent"), InlineData("Host"), InlineData("X-Keyboard"), InlineData("-Token"), InlineData("Tokens")]
    public void Other_headers_are_not(string name) => Assert.False(Redaction.IsSecretHeader(name));

    [Theory]
    [InlineData("http://user:pa55@h.example:8080/p?q=1", "http://***@h.example:8080/p?q=1")]
    [InlineData("https://token@h.example/", "https://***@h.example/")]
    [InlineData("http://h.example/a@b", "http://h.example/a@b")]
    [InlineData("http://h.example/?next=x@y", "http://h.example/?next=x@y")]
    [InlineData("tcp://h.example:5432", "tcp://h.example:5432")]
    public void Url_user_info_is_masked(string url, string shown) => Assert.Equal(shown, Redaction.Url(url));

    [Fact]
    public void A_spec_is_shown_without_its_secrets_and_without_a_copy_when_it_has_none()
    {
        var spec = Spec("http://u:p@h.example/", ("Authorization", "Bearer s3cret"), ("Accept", "text/plain"), ("X-Api-Key", "k"));
        var shown = Redaction.Spec(spec);
        Assert.Equal("http://***@h.example/", shown.Url);
        Assert.Equal(new Dictionary<string, string> { ["Authorization"] = "***", ["Accept"] = "text/plain", ["X-Api-Key"] = "***" }, shown.Headers);
        Assert.DoesNotContain("s3cret", shown.ToString());
        var plain = Spec("http://h.example/", ("Accept", "text/plain"));
        Assert.Same(plain, Redaction.Spec(plain));
    }

    [Fact]
    public void A_mask_sent_back_keeps_the_stored_secret()
    {
        var stored = Spec("http://u:p@h.example/a", ("Authorization", "Bearer s3cret"), ("X-Api-Key", "k"));
        var incoming = Spec("http://***@h.example/b", ("authorization", "***"), ("X-Api-Key", "new"), ("Accept", "***"));
        var errors = new List<FieldError>();
        var restored = Redaction.Restore(incoming, stored, errors);
        Assert.Empty(errors);
        Assert.Equal("http://u:p@h.example/b", restored.Url);
        // Names as the write gives them; a non-secret header's *** is a value like any other.
        Assert.Equal(new Dictionary<string, string> { ["authorization"] = "Bearer s3cret", ["X-Api-Key"] = "new", ["Accept"] = "***" }, restored.Headers);
        Assert.Same(stored, Redaction.Restore(stored, null, errors));
    }

    [Fact]
    public void A_mask_with_nothing_to_keep_or_for_another_host_is_an_error_naming_the_field()
    {
        var stored = Spec("http://h.example/", ("Authorization", "Bearer s3cret"));
        var errors = new List<FieldError>();
        Redaction.Restore(Spec("http://h.example/", ("Cookie", "***")), stored, errors);
        Assert.Equal("headers.Cookie", Assert.Single(errors).Field);

        errors.Clear();
        Redaction.Restore(Spec("http://***@h.example/"), stored, errors);
        Assert.Equal("url", Assert.Single(errors).Field);

        // The stored secret never goes to a host the writer chose: the same scheme, host and port only.
        foreach (var url in new[] { "http://evil.example/", "https://h.example/", "http://h.example:81/" })
        {
            errors.Clear();
            Redaction.Restore(Spec(url, ("Authorization", "***")), stored, errors);
            Assert.Equal("headers.Authorization", Assert.Single(errors).Field);
        }

        errors.Clear();
        Redaction.Restore(Spec("http://h.example/", ("Authorization", "***")), null, errors);
        Assert.Equal("headers.Authorization", Assert.Single(errors).Field);
    }

    [FsCheck.Xunit.Property(MaxTest = 300)]
    public void Shown_is_restored_to_the_original_for_the_same_target(FsCheck.NonEmptyString secret, bool userInfo, bool header)
    {
        var value = new string(secret.Get.Where(c => c is >= ' ' and <= '~').ToArray());
        if (value.Length == 0) value = "x";
        var user = Uri.EscapeDataString(value);
        var stored = Spec(userInfo ? $"http://u:{user}@h.example/" : "http://h.example/",
            header ? [("X-Api-Key", value), ("Accept", "a")] : [("Accept", "a")]);
        var errors = new List<FieldError>();
        var shown = Redaction.Spec(stored);
        Assert.Equal(stored, Redaction.Restore(shown, stored, errors));
        Assert.Empty(errors);
        if (userInfo || header) Assert.NotEqual(stored, shown);
    }
}
