namespace Heck.Tests.Processes;

/// <summary>Origins as a silo's HTTP API shows them, for the process tests of monitoring through faults.</summary>
internal static class ClusterOrigins
{
    /// <summary>One origin as a silo lists it: its owner and freshest observation time (null before any).</summary>
    public sealed record Seen(string Id, string? Owner, DateTimeOffset? ObservedAt, string? Status);

    /// <summary>Registers <paramref name="count"/> origins "prefix-0…" probing <paramref name="target"/> every <paramref name="intervalMs"/>.</summary>
    public static async Task<List<string>> RegisterAsync(SiloProcess silo, TargetServer target, string prefix, int count, int intervalMs = 500)
    {
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var id = $"{prefix}-{i}";
            using var put = await silo.Http.PutAsJsonAsync($"/api/origins/{id}", new { url = target.Url($"/{id}"), intervalMs });
            put.EnsureSuccessStatusCode();
            ids.Add(id);
        }
        return ids;
    }

    /// <summary>Every origin <paramref name="silo"/> lists, by id; null when it does not answer.</summary>
    public static async Task<Dictionary<string, Seen>?> ListAsync(SiloProcess silo)
    {
        try
        {
            var body = await silo.Http.GetFromJsonAsync<JsonElement>("/api/origins");
            return body.GetProperty("items").EnumerateArray().Select(Read).ToDictionary(s => s.Id);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// True when <paramref name="silo"/> lists every one of <paramref name="ids"/> with an observation newer than
    /// <paramref name="after"/>: each was probed again since then (by whichever silo owns it now).
    /// </summary>
    public static async Task<bool> AllObservedAfterAsync(SiloProcess silo, IEnumerable<string> ids, DateTimeOffset after)
    {
        var seen = await ListAsync(silo);
        return seen is not null && ids.All(id => seen.TryGetValue(id, out var s) && s.ObservedAt > after);
    }

    /// <summary>The origins of <paramref name="ids"/> that <paramref name="silo"/> has not seen observed after <paramref name="after"/> (for messages).</summary>
    public static async Task<string> StaleAsync(SiloProcess silo, IEnumerable<string> ids, DateTimeOffset after)
    {
        var seen = await ListAsync(silo);
        if (seen is null) return "no answer";
        return string.Join(", ", ids.Where(id => !(seen.TryGetValue(id, out var s) && s.ObservedAt > after))
            .Select(id => seen.TryGetValue(id, out var s) ? $"{id} (owner {s.Owner}, observed {s.ObservedAt:HH:mm:ss.fff})" : $"{id} (not listed)"));
    }

    private static Seen Read(JsonElement item)
    {
        var health = item.GetProperty("health");
        return new Seen(
            item.GetProperty("id").GetString()!,
            health.TryGetProperty("owner", out var o) && o.ValueKind == JsonValueKind.String ? o.GetString() : null,
            item.TryGetProperty("observedAt", out var at) && at.ValueKind == JsonValueKind.String ? at.GetDateTimeOffset() : null,
            health.TryGetProperty("status", out var st) ? st.GetString() : null);
    }
}
