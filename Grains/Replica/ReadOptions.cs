namespace Heck.Grains.Replica;

/// <summary><c>Heck:Reads</c>: how reads that carry a causal token behave.</summary>
public sealed class ReadOptions
{
    public const string SectionName = "Heck:Reads";

    /// <summary>
    /// How long a read with a causal token waits for this silo's replica to cover it before it answers 503.
    /// A few gossip rounds: long enough for a write to arrive, short enough that a cut-off silo says so soon.
    /// </summary>
    public int CausalWaitMs { get; set; } = 2000;
}
