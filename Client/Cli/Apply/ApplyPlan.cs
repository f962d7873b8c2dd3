using System.Globalization;
using Heck.Origins;

namespace Heck.Client.Cli;

public enum ApplyAction { Create, Update, Delete }

/// <summary>One field that an update changes, with its value before and after, as text.</summary>
public sealed record FieldChange(string Field, string? From, string? To);

/// <summary>One write <c>heck apply</c> makes: <c>+ id</c>, <c>~ id</c> with the changed fields, or <c>- id</c>.</summary>
public sealed record ApplyChange(ApplyAction Action, string Id, OriginSpec? Spec, IReadOnlyList<FieldChange> Fields)
{
    public override string ToString() => Action switch
    {
        ApplyAction.Create => $"+ {Id}",
        ApplyAction.Delete => $"- {Id}",
        _ => $"~ {Id}: " + string.Join(", ", Fields.Select(f => $"{f.Field} {f.From ?? "(none)"} → {f.To ?? "(none)"}")),
    };
}

/// <summary>
/// What makes the cluster match a file: create what the file adds, update what differs, and (with prune)
/// delete what the file does not list; origins identical to their entry are left alone. Sorted by id.
/// </summary>
public sealed record ApplyPlan(IReadOnlyList<ApplyChange> Changes, int Unchanged, IReadOnlyList<string> NotInFile)
{
    public static ApplyPlan Compute(IReadOnlyList<OriginSpec> desired, IReadOnlyList<OriginSpec> current, bool prune)
    {
        var existing = current.ToDictionary(s => s.Id, StringComparer.Ordinal);
        var wanted = desired.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        var changes = new List<ApplyChange>();
        var unchanged = 0;
        foreach (var spec in desired.OrderBy(s => s.Id, StringComparer.Ordinal))
        {
            if (!existing.TryGetValue(spec.Id, out var before)) changes.Add(new(ApplyAction.Create, spec.Id, spec, []));
            else if (before.Equals(spec)) unchanged++;
            else changes.Add(new(ApplyAction.Update, spec.Id, spec, Diff(before, spec)));
        }
        var others = current.Where(s => !wanted.Contains(s.Id)).Select(s => s.Id).Order(StringComparer.Ordinal).ToList();
        if (prune) changes.AddRange(others.Select(id => new ApplyChange(ApplyAction.Delete, id, null, [])));
        return new ApplyPlan(changes, unchanged, prune ? [] : others);
    }

    /// <summary>
    /// The fields that differ, named as in the file and the API, secrets shown as <see cref="Redaction.Mask"/>. The
    /// cluster never shows a secret, so an origin with one is always written again; when only a secret can differ,
    /// the change says <c>secrets</c>.
    /// </summary>
    public static IReadOnlyList<FieldChange> Diff(OriginSpec a, OriginSpec b)
    {
        var changes = new List<FieldChange>();
        void Check(string field, string? x, string? y)
        {
            if (x != y) changes.Add(new(field, x, y));
        }
        static string N(int v) => v.ToString(CultureInfo.InvariantCulture);
        Check("url", Redaction.Url(a.Url), Redaction.Url(b.Url));
        Check("intervalMs", N(a.IntervalMs), N(b.IntervalMs));
        Check("timeoutMs", N(a.TimeoutMs), N(b.TimeoutMs));
        Check("method", Empty(a.Method), Empty(b.Method));
        Check("expectStatus", Empty(a.ExpectStatus), Empty(b.ExpectStatus));
        Check("bodyContains", a.BodyContains, b.BodyContains);
        Check("headers", Headers(a), Headers(b));
        Check("degradedLatencyMs", a.DegradedLatencyMs is { } da ? N(da) : null, b.DegradedLatencyMs is { } db ? N(db) : null);
        Check("healthyThreshold", N(a.HealthyThreshold), N(b.HealthyThreshold));
        Check("unhealthyThreshold", N(a.UnhealthyThreshold), N(b.UnhealthyThreshold));
        Check("reuseConnection", a.ReuseConnection ? "true" : "false", b.ReuseConnection ? "true" : "false");
        if (changes.Count == 0 && !a.Equals(b)) changes.Add(new("secrets", Redaction.Mask, Redaction.Mask));
        return changes;
    }

    private static string? Empty(string s) => s.Length == 0 ? null : s;

    private static string? Headers(OriginSpec s) => s.Headers.Count == 0 ? null
        : "{" + string.Join(", ", Redaction.Headers(s.Headers).OrderBy(h => h.Key, StringComparer.OrdinalIgnoreCase).Select(h => $"{h.Key}: {h.Value}")) + "}";
}
