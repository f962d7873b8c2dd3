using Heck.Silo.OriginsFile;

namespace Heck.Tests.Configuration;

public sealed class OriginsFilePlanTests
{
    private static OriginSpec Spec(string id, int intervalMs = 1000) =>
        new() { Id = id, Url = $"http://127.0.0.1:9/{id}", IntervalMs = intervalMs, TimeoutMs = 100 };

    private static OriginsFileContent File(params OriginSpec[] specs) =>
        new("/etc/heck/origins.yaml", parsed: true, specs,
            specs.Select((s, i) => (s.Id, i + 1)).ToDictionary(p => p.Id, p => p.Item2), []);

    private static HashSet<string> Ids(params string[] ids) => new(ids, StringComparer.Ordinal);

    private static Func<string, OriginSpec?> Registry(params OriginSpec[] specs) =>
        id => specs.FirstOrDefault(s => s.Id == id);

    [Fact]
    public void An_identical_spec_is_not_written_again()
    {
        var plan = OriginsFilePlan.Make(File(Spec("a"), Spec("b")), Ids("a", "b"), Registry(Spec("a"), Spec("b")));
        Assert.Empty(plan.Upserts);
        Assert.Empty(plan.Deletes);
        Assert.Equal(2, plan.Unchanged);
    }

    [Fact]
    public void New_and_changed_entries_are_written()
    {
        var plan = OriginsFilePlan.Make(File(Spec("a", 2000), Spec("b"), Spec("c")), Ids("a", "b"), Registry(Spec("a"), Spec("b")));
        Assert.Equal(["a", "c"], plan.Upserts.Select(s => s.Id));
        Assert.Equal(Ids("a", "b", "c"), plan.Managed);
    }

    [Fact]
    public void An_entry_removed_from_the_file_is_deleted_and_origins_it_never_managed_are_not()
    {
        var plan = OriginsFilePlan.Make(File(Spec("a")), Ids("a", "gone", "gone-already"), Registry(Spec("a"), Spec("gone"), Spec("api")));
        Assert.Equal(["gone"], plan.Deletes);
        Assert.Equal(Ids("a"), plan.Managed);
    }

    [Fact]
    public void An_origin_edited_elsewhere_is_put_back_to_the_file_spec()
    {
        var plan = OriginsFilePlan.Make(File(Spec("a")), Ids("a"), Registry(Spec("a", 5000)));
        Assert.Equal(1000, Assert.Single(plan.Upserts).IntervalMs);
    }

    [Fact]
    public void A_bad_entry_keeps_its_origin_as_it_was()
    {
        var file = new OriginsFileContent("/f", parsed: true, [Spec("a")], new Dictionary<string, int> { ["a"] = 1, ["bad"] = 2 },
            [new OriginsFileError(2, "bad", "intervalMs", "must be at least 100")]);
        var plan = OriginsFilePlan.Make(file, Ids("a", "bad"), Registry(Spec("a"), Spec("bad")));
        Assert.Empty(plan.Upserts);
        Assert.Empty(plan.Deletes);
        Assert.Contains("bad", plan.Managed);
    }

    [Fact]
    public void A_file_that_does_not_parse_changes_nothing_and_keeps_what_it_managed()
    {
        var plan = OriginsFilePlan.Make(OriginsFileContent.Unreadable("/f", "line 1: bad"), Ids("a", "b"), Registry(Spec("a"), Spec("b")));
        Assert.Empty(plan.Upserts);
        Assert.Empty(plan.Deletes);
        Assert.Equal(Ids("a", "b"), plan.Managed);
    }
}
