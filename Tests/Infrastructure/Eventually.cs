namespace Heck.Tests.Infrastructure;

/// <summary>Waits, with a bound, for a condition that a running system reaches on its own.</summary>
public static class Eventually
{
    public static async Task<T> Until<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan within, string what)
    {
        var deadline = DateTime.UtcNow + within;
        T value = await read();
        while (!done(value))
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Not reached within {within.TotalSeconds:0.#} s: {what}. Last value: {value}");
            await Task.Delay(50);
            value = await read();
        }
        return value;
    }

    public static Task True(Func<bool> condition, TimeSpan within, string what) =>
        Until(() => Task.FromResult(condition()), ok => ok, within, what);
}
