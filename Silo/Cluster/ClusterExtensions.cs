using System.Net;
using Heck.Grains.Cluster;
using Heck.Membership.AdoNet;
using Heck.Membership.Orleans;
using Heck.Silo.Configuration;
using Orleans.Configuration;

namespace Heck.Silo.Cluster;

public static class ClusterExtensions
{
    /// <summary>
    /// Who decides which silos are in the cluster: SWIM, Orleans' table protocol on PostgreSQL, or one development
    /// primary. <paramref name="rejoinPeers"/> (SWIM endpoints a dead predecessor knew) join SWIM's seeds.
    /// </summary>
    public static ISiloBuilder UseHeckMembership(this ISiloBuilder silo, HeckOptions options, IPAddress advertised,
        IReadOnlyList<string>? rejoinPeers = null)
    {
        switch (options.Membership.Provider)
        {
            case MembershipProvider.Swim:
                silo.UseSwimClustering(swim =>
                {
                    options.Swim.ApplyTo(swim, advertised.ToString());
                    if (rejoinPeers is { Count: > 0 })
                        swim.Seeds = RejoinSeeds.Merge(swim.Seeds, rejoinPeers, RejoinSeeds.Endpoint(swim.AdvertiseHost ?? swim.BindAddress, swim.Port));
                });
                silo.Services.AddSingleton<IClusterViewSource, SwimClusterViewSource>();
                break;
            case MembershipProvider.AdoNet:
                silo.UseHeckAdoNetClustering(options.AdoNet.ConnectionString!);
                break;
            default:
                silo.UseDevelopmentClustering(options.Membership.PrimarySilo is { } primary
                    ? IPEndPoint.Parse(primary)
                    : new IPEndPoint(advertised, options.Silo.Port));
                break;
        }
        return silo;
    }

    /// <summary>This silo's identity in the cluster: its endpoints, cluster and service ids, and name.</summary>
    public static ISiloBuilder UseHeckSiloIdentity(this ISiloBuilder silo, HeckOptions options, IPAddress advertised)
    {
        silo.ConfigureEndpoints(advertised, options.Silo.Port, options.Silo.GatewayPort,
            listenOnAnyHostAddress: !IPAddress.IsLoopback(advertised));
        silo.Configure<ClusterOptions>(c =>
        {
            c.ClusterId = options.Cluster.Id;
            c.ServiceId = options.Cluster.ServiceId;
        });
        if (options.Silo.Name is { } name) silo.Configure<SiloOptions>(s => s.SiloName = name);
        return silo;
    }
}
