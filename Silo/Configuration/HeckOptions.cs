namespace Heck.Silo.Configuration;

/// <summary>
/// The <c>Heck</c> configuration section. Every property has a default that makes
/// <c>dotnet run --project Silo</c> a working one-silo cluster on localhost.
/// </summary>
public sealed class HeckOptions
{
    public const string SectionName = "Heck";

    public ClusterSection Cluster { get; set; } = new();
    public HttpSection Http { get; set; } = new();
    public SiloSection Silo { get; set; } = new();
    public StorageSection Storage { get; set; } = new();
    public PlacementSection Placement { get; set; } = new();
    public MembershipSection Membership { get; set; } = new();
    public SwimSection Swim { get; set; } = new();
    public AdoNetSection AdoNet { get; set; } = new();
    /// <summary>Who may call the HTTP API: bearer tokens and their scopes (see Heck.Silo.Security).</summary>
    public ApiSection Api { get; set; } = new();
    /// <summary>How replicas spread origin state between silos.</summary>
    public Heck.Grains.Replica.GossipOptions Gossip { get; set; } = new();
    /// <summary>How long a read with a causal token may wait for this silo to catch up.</summary>
    public Heck.Grains.Replica.ReadOptions Reads { get; set; } = new();
    /// <summary>The Prometheus endpoint (<c>/metrics</c>) on every silo.</summary>
    public MetricsSection Metrics { get; set; } = new();
    /// <summary>Which addresses probes may reach (SSRF guard): <c>DenyNetworks</c>, <c>AllowNetworks</c>.</summary>
    public Heck.Grains.Probing.ProbingOptions Probing { get; set; } = new();
    /// <summary>Origins, interval floor and probe budget the cluster takes on.</summary>
    public Heck.Grains.Origins.LimitsOptions Limits { get; set; } = new();
    /// <summary>Optional YAML file of origins applied at start (origins kept as code).</summary>
    public string? OriginsFile { get; set; }

    public sealed class ClusterSection
    {
        /// <summary>Orleans cluster id: silos and clients of one cluster share it.</summary>
        public string Id { get; set; } = "heck";
        /// <summary>Orleans service id: stable across deployments, it scopes stored state.</summary>
        public string ServiceId { get; set; } = "heck";
    }

    public sealed class HttpSection
    {
        public int Port { get; set; } = 8080;
        /// <summary>Address the HTTP API listens on; <c>0.0.0.0</c> for all interfaces.</summary>
        public string ListenAddress { get; set; } = "127.0.0.1";
        /// <summary>
        /// Host names the API answers to; unset: <c>localhost</c>, the listen and advertised addresses and the silo name.
        /// IP literals always pass; <c>*</c> turns the check off.
        /// </summary>
        public List<string>? AllowedHosts { get; set; }
        /// <summary>When set, the API listens over HTTPS only.</summary>
        public CertificateSection Certificate { get; set; } = new();
    }

    /// <summary>The API's TLS certificate: a PKCS#12 file (<see cref="Path"/>, <see cref="Password"/>) or a PEM pair.</summary>
    public sealed class CertificateSection
    {
        public string? Path { get; set; }
        public string? Password { get; set; }
        public string? PemPath { get; set; }
        public string? KeyPath { get; set; }

        public bool IsSet => Path is not null || PemPath is not null || KeyPath is not null || Password is not null;
    }

    public sealed class SiloSection
    {
        /// <summary>Silo-to-silo port.</summary>
        public int Port { get; set; } = 11111;
        /// <summary>Client gateway port (SDK and CLI).</summary>
        public int GatewayPort { get; set; } = 30000;
        /// <summary>Address other silos and clients reach this silo at.</summary>
        public string AdvertisedAddress { get; set; } = "127.0.0.1";
        public string? Name { get; set; }
    }

    public sealed class PlacementSection
    {
        /// <summary>This silo's relative capacity in weighted rendezvous placement.</summary>
        public double Weight { get; set; } = 1;
        /// <summary>Silos after the owner that re-probe a failing origin; unset: 1 with 2+ silos.</summary>
        public int? Confirmers { get; set; }
        /// <summary>Silos that re-probe an unhealthy origin on each round; unset: as <see cref="Confirmers"/>.</summary>
        public int? RecoveryConfirmers { get; set; }
    }

    public sealed class StorageSection
    {
        /// <summary>Directory of the embedded database (created if missing).</summary>
        public string Path { get; set; } = "./data";
    }

    public sealed class MetricsSection
    {
        /// <summary>Serve <c>/metrics</c> without a token (else it needs the <c>read</c> scope once tokens are configured).</summary>
        public bool Anonymous { get; set; }
    }
}
