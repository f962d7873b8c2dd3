using Orleans.Runtime;

namespace Heck.Tests.AdoNet;

/// <summary>A minimal grain for the ADO.NET clustering tests: answers with its key and the silo that hosts it.</summary>
public interface IAdoNetEchoGrain : IGrainWithStringKey
{
    Task<string> Echo(string text);
    Task<string> HostingSilo();
}

[GrainType("heck-tests-adonet-echo")]
public sealed class AdoNetEchoGrain(ILocalSiloDetails silo) : Grain, IAdoNetEchoGrain
{
    public Task<string> Echo(string text) => Task.FromResult($"{this.GetPrimaryKeyString()}:{text}");

    public Task<string> HostingSilo() => Task.FromResult(silo.SiloAddress.ToParsableString());
}
