using Orleans.Runtime;

namespace Heck.Tests.Storage;

/// <summary>A minimal persistent grain, to prove state written through a silo survives the silo.</summary>
public interface IStorageCounterGrain : IGrainWithStringKey
{
    Task<int> Add(int amount);
    Task<int> Get();
}

[GenerateSerializer, Alias("heck.tests.storage.counter-state")]
public sealed class CounterState
{
    [Id(0)] public int Value { get; set; }
    [Id(1)] public string? Note { get; set; }
}

[GrainType(CounterGrain.GrainTypeName)]
public sealed class CounterGrain([PersistentState(CounterGrain.StateName)] IPersistentState<CounterState> state)
    : Grain, IStorageCounterGrain
{
    public const string GrainTypeName = "storage-test-counter";
    public const string StateName = "counter";

    public async Task<int> Add(int amount)
    {
        state.State.Value += amount;
        await state.WriteStateAsync();
        return state.State.Value;
    }

    public Task<int> Get() => Task.FromResult(state.State.Value);
}
