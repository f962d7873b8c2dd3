using System.Globalization;
using Heck.Silo.Configuration;
using Npgsql;
using YamlDotNet.RepresentationModel;

namespace Heck.Tests.Deployment;

/// <summary>
/// docker/compose.yaml, checked without a Docker engine: every service that runs the silo image has an environment
/// that Heck's own loader accepts (unknown keys and bad values fail, naming the key), the default profile is three
/// SWIM silos that find each other by service name, and the adonet profile is PostgreSQL, its schema and three silos
/// on ADO.NET membership, started only on request.
/// </summary>
public sealed class ComposeFileTests
{
    private readonly ComposeFile compose = DeploymentFiles.LoadCompose();
    private readonly DockerfileModel image = DeploymentFiles.LoadDockerfile();

    /// <summary>Binds every silo-image service of <paramref name="file"/>; problems read "service: error".</summary>
    internal static (Dictionary<string, HeckOptions> Options, List<string> Problems) BindAll(ComposeFile file, DockerfileModel image)
    {
        var options = new Dictionary<string, HeckOptions>();
        var problems = new List<string>();
        foreach (var service in DeploymentFiles.SiloImageServices(file))
        {
            try
            {
                var environment = DeploymentFiles.ContainerEnvironment(service, image);
                options[service.Name] = DeploymentFiles.Bind(environment);
                // apply-schema reads only the connection string, and refuses a bad one.
                if (service.Command is ["apply-schema", ..] &&
                    Heck.Membership.AdoNet.HeckAdoNetClustering.ValidateConnectionString(options[service.Name].AdoNet.ConnectionString) is { } error)
                    problems.Add($"{service.Name}: {error}");
            }
            catch (HeckConfigurationException e)
            {
                problems.AddRange(e.Errors.Select(x => $"{service.Name}: {x}"));
            }
            catch (ComposeVariableException e)
            {
                problems.Add($"{service.Name}: {e.Message}");
            }
        }
        return (options, problems);
    }

    private HeckOptions Options(ComposeService service) => DeploymentFiles.Bind(DeploymentFiles.ContainerEnvironment(service, image));

    [Fact]
    public void Every_silo_service_environment_binds_to_Heck_options()
    {
        var (options, problems) = BindAll(compose, image);

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        // Three SWIM silos, three ADO.NET silos and the schema job: nothing that runs the image escapes the check.
        Assert.Equal(7, options.Count);
        Assert.Equal(6, DeploymentFiles.Silos(compose).Count);
    }

    [Fact]
    public void Every_silo_takes_its_API_token_from_the_mounted_Docker_secret()
    {
        // The API listens on 0.0.0.0 in a container, so a silo without a token would refuse to start (Heck:Api:Tokens).
        Assert.NotNull(compose.Find("secrets", "heck_api_token", "file"));
        foreach (var silo in DeploymentFiles.Silos(compose))
        {
            var token = Assert.Single(Options(silo).Api.Tokens);
            Assert.Equal("/run/secrets/heck_api_token", token.File);
            Assert.Null(token.Sha256);
            Assert.False(Options(silo).Api.AllowAnonymous);
            var secrets = Assert.IsType<YamlSequenceNode>(compose.Find("services", silo.Name, "secrets"));
            Assert.Contains(secrets.Children, s => ComposeFile.Scalar(s) == "heck_api_token");
        }
    }

    [Fact]
    public void Default_profile_is_three_Swim_silos_that_seed_each_other_by_service_name()
    {
        var defaults = compose.Services.Values.Where(s => s.Profiles.Count == 0).ToList();
        var silos = DeploymentFiles.Silos(compose).Select(s => s.Name).ToHashSet();
        Assert.Equal(3, defaults.Count);
        Assert.All(defaults, s => Assert.Contains(s.Name, silos));

        var options = defaults.ToDictionary(s => s.Name, Options);
        Assert.All(options.Values, o => Assert.Equal(MembershipProvider.Swim, o.Membership.Provider));
        var links = new List<(string From, string To)>();
        foreach (var (name, o) in options)
        {
            Assert.NotEmpty(o.Swim.Seeds);
            foreach (var seed in o.Swim.Seeds)
            {
                var colon = seed.LastIndexOf(':');
                var host = seed[..colon];
                var port = int.Parse(seed[(colon + 1)..], CultureInfo.InvariantCulture);
                Assert.False(IPAddress.TryParse(host, out _), $"{name}: seed {seed} is an address, not a service name");
                Assert.NotEqual(name, host); // a silo never seeds itself: it would wait for its own answer
                Assert.True(options.TryGetValue(host, out var target), $"{name}: seed {seed} is not a SWIM silo of the default profile");
                Assert.Equal(target.Swim.Port, port);
                links.Add((name, host));
            }
        }
        // Seeds make one cluster, not two: every silo is reachable from every other through seed links.
        var reached = new HashSet<string> { options.Keys.First() };
        for (var grew = true; grew;)
        {
            grew = false;
            foreach (var (from, to) in links)
                if (reached.Contains(from) ^ reached.Contains(to)) grew |= reached.Add(from) | reached.Add(to);
        }
        Assert.True(reached.SetEquals(options.Keys), $"seed links reach only {string.Join(", ", reached)}");
        // One cluster id and one keyring, and the keyring is not empty: SWIM traffic is encrypted.
        Assert.Single(options.Values.Select(o => o.Cluster.Id).Distinct());
        Assert.Single(options.Values.Select(o => string.Join(",", o.Swim.Keys)).Distinct());
        Assert.All(options.Values, o => Assert.NotEmpty(o.Swim.Keys));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("10.99.7")]
    public void Each_silo_advertises_its_fixed_address_on_the_compose_network(string? prefix)
    {
        var variables = new Dictionary<string, string>(DeploymentFiles.TestVariables);
        if (prefix is not null) variables["HECK_NET_PREFIX"] = prefix;
        var file = ComposeFile.Load(DeploymentFiles.ComposePath, variables);
        var addresses = new Dictionary<string, string>();
        foreach (var silo in DeploymentFiles.Silos(file))
        {
            var o = Options(silo);
            var (network, address) = Assert.Single(silo.Networks);
            Assert.True(address is not null, $"{silo.Name} has no fixed ipv4_address on {network}");
            Assert.Equal(address, o.Silo.AdvertisedAddress);
            if (prefix is not null) Assert.StartsWith(prefix + ".", address);

            var ipam = Assert.IsType<YamlSequenceNode>(file.Find("networks", network, "ipam", "config"));
            var config = Assert.IsType<YamlMappingNode>(Assert.Single(ipam.Children));
            var subnet = IPNetwork.Parse(file.Interpolation.Interpolate(ComposeFile.Scalar(config.Children[new YamlScalarNode("subnet")])));
            var dynamic = IPNetwork.Parse(file.Interpolation.Interpolate(ComposeFile.Scalar(config.Children[new YamlScalarNode("ip_range")])));
            Assert.True(subnet.Contains(IPAddress.Parse(address)), $"{silo.Name}: {address} is outside {subnet}");
            Assert.False(dynamic.Contains(IPAddress.Parse(address)), $"{silo.Name}: {address} is in {dynamic}, where Docker hands out addresses");
            Assert.True(addresses.TryAdd(address, silo.Name), $"{silo.Name} and {addresses.GetValueOrDefault(address)} share {address}");

            // Listening on the container's interfaces: the HTTP API and SWIM bind everywhere, Orleans follows from
            // a non-loopback advertised address (HeckHost: listenOnAnyHostAddress).
            Assert.Equal("0.0.0.0", o.Http.ListenAddress);
            Assert.False(IPAddress.IsLoopback(IPAddress.Parse(o.Silo.AdvertisedAddress)));
            if (o.Membership.Provider == MembershipProvider.Swim) Assert.Equal("0.0.0.0", o.Swim.BindAddress);
            Assert.Equal("/data", o.Storage.Path);
        }
        Assert.Equal(6, addresses.Count);
        Assert.Equal(6, DeploymentFiles.Silos(file).Select(s => Options(s).Silo.Name).Distinct().Count());
    }

    [Fact]
    public void Published_ports_are_unique_on_the_host_and_reach_ports_the_silo_listens_on()
    {
        // `--profile adonet` runs both clusters at once, so host ports must be unique across all services.
        var published = compose.Services.Values
            .SelectMany(s => s.Ports.Where(p => p.HostPort is not null).Select(p => (Service: s.Name, Port: p)))
            .ToList();
        foreach (var clash in published.GroupBy(p => (p.Port.HostPort, p.Port.Protocol)).Where(g => g.Count() > 1))
            Assert.Fail($"host port {clash.Key.HostPort}/{clash.Key.Protocol} is published by {string.Join(" and ", clash.Select(c => c.Service))}");

        foreach (var silo in DeploymentFiles.Silos(compose))
        {
            var o = Options(silo);
            foreach (var port in silo.Ports)
            {
                Assert.True(port.ContainerPort == o.Http.Port || port.ContainerPort == o.Silo.GatewayPort,
                    $"{silo.Name} publishes container port {port.ContainerPort}, which is neither Heck:Http:Port ({o.Http.Port}) nor Heck:Silo:GatewayPort ({o.Silo.GatewayPort})");
                Assert.Equal("tcp", port.Protocol);
                // No authentication on the API and the gateway: reachable from this machine only.
                Assert.Equal("127.0.0.1", port.HostIp);
            }
            Assert.Contains(silo.Ports, p => p.ContainerPort == o.Http.Port);
            Assert.Contains(silo.Ports, p => p.ContainerPort == o.Silo.GatewayPort);
        }
    }

    [Fact]
    public void Silos_keep_the_image_health_check_and_dependencies_wait_for_what_they_need()
    {
        Assert.Contains(image.Final.All("HEALTHCHECK"), h => h.Contains("/healthz", StringComparison.Ordinal));
        foreach (var silo in DeploymentFiles.Silos(compose))
        {
            if (silo.Healthcheck is not { } check) continue; // the image's HEALTHCHECK applies
            Assert.False(check.Children.ContainsKey(new YamlScalarNode("disable")), $"{silo.Name} disables its health check");
            Assert.Contains("/healthz", check.ToString(), StringComparison.Ordinal);
        }

        var siloImage = DeploymentFiles.SiloImageServices(compose).Select(s => s.Name).ToHashSet();
        foreach (var service in compose.Services.Values)
        {
            foreach (var (target, condition) in service.DependsOn)
            {
                Assert.True(compose.Services.TryGetValue(target, out var dependency), $"{service.Name} depends on unknown {target}");
                switch (condition)
                {
                    case "service_healthy":
                        var hasCheck = dependency.Healthcheck is { } c
                            ? c.Children.ContainsKey(new YamlScalarNode("test")) && !c.Children.ContainsKey(new YamlScalarNode("disable"))
                            : siloImage.Contains(target);
                        Assert.True(hasCheck, $"{service.Name} waits for {target} to be healthy, but {target} has no health check");
                        break;
                    case "service_completed_successfully":
                        Assert.Equal("no", dependency.Restart); // a job that restarts never completes
                        break;
                    default:
                        Assert.Fail($"{service.Name} depends on {target} with {condition}");
                        break;
                }
            }
        }
    }

    [Fact]
    public void Adonet_profile_is_gated_and_installs_the_schema_before_its_silos_start()
    {
        var adonet = DeploymentFiles.Silos(compose).Where(s => Options(s).Membership.Provider == MembershipProvider.AdoNet).ToList();
        Assert.Equal(3, adonet.Count);
        Assert.All(adonet, s => Assert.Equal(new[] { "adonet" }, s.Profiles));

        var postgres = Assert.Single(compose.Services.Values, s => s.Image?.StartsWith("postgres:", StringComparison.Ordinal) == true);
        Assert.Equal(new[] { "adonet" }, postgres.Profiles);
        var schema = Assert.Single(DeploymentFiles.SiloImageServices(compose), s => s.Command is ["apply-schema"]);
        Assert.Equal(new[] { "adonet" }, schema.Profiles);
        Assert.Equal("service_healthy", schema.DependsOn[postgres.Name]);
        Assert.All(adonet, s => Assert.Equal("service_completed_successfully", s.DependsOn[schema.Name]));

        // Silos and the schema job connect to the postgres service, with the database and role it creates.
        var server = postgres.Environment.ToDictionary();
        foreach (var service in adonet.Append(schema))
        {
            var connection = new NpgsqlConnectionStringBuilder(Options(service).AdoNet.ConnectionString);
            Assert.Equal(postgres.Name, connection.Host);
            Assert.Equal(server["POSTGRES_DB"], connection.Database);
            Assert.Equal(server["POSTGRES_USER"], connection.Username);
            Assert.Equal(server["POSTGRES_PASSWORD"], connection.Password);
        }
        Assert.Single(adonet.Select(s => Options(s).Cluster.Id).Distinct());
        Assert.DoesNotContain(Options(adonet[0]).Cluster.Id, DeploymentFiles.Silos(compose).Except(adonet).Select(s => Options(s).Cluster.Id));

        // Without the profile nothing waits for a service that the profile gates.
        foreach (var service in compose.Services.Values.Where(s => s.Profiles.Count == 0))
            Assert.All(service.DependsOn.Keys, d => Assert.Empty(compose.Services[d].Profiles));
    }

    [Fact]
    public void The_shared_key_comes_from_HECK_SWIM_KEY_and_the_secondary_key_is_for_rotation()
    {
        var missing = ComposeFile.Load(DeploymentFiles.ComposePath, new Dictionary<string, string>());
        var (_, problems) = BindAll(missing, image);
        Assert.Contains(problems, p => p.StartsWith("silo1: required variable HECK_SWIM_KEY is not set", StringComparison.Ordinal));

        var primary = DeploymentFiles.TestVariables["HECK_SWIM_KEY"];
        Assert.Equal(new[] { primary, primary }, Options(compose.Services["silo1"]).Swim.Keys);

        var next = Convert.ToBase64String(new byte[16]);
        var rotating = ComposeFile.Load(DeploymentFiles.ComposePath,
            new Dictionary<string, string> { ["HECK_SWIM_KEY"] = primary, ["HECK_SWIM_KEY_SECONDARY"] = next });
        Assert.Equal(new[] { primary, next }, Options(rotating.Services["silo2"]).Swim.Keys);
    }

    // The negative side: the checks above can fail, and say which key is wrong.

    [Theory]
    [InlineData("Heck__Swim__Portt", "7946", "Heck:Swim:Portt")]
    [InlineData("Heck__Silo__AdvertisedAddress", "silo 1", "Heck:Silo:AdvertisedAddress")]
    [InlineData("Heck__Swim__Seeds__0", "silo2", "Heck:Swim:Seeds:0")]
    [InlineData("Heck__Swim__Keys__0", "c2hvcnQ=", "Heck:Swim:Keys:0")]
    [InlineData("Heck__Http__Port", "eighty", "Heck:Http:Port")]
    [InlineData("Heck__Membership__Provider", "Postgres", "Heck:Membership:Provider")]
    [InlineData("Hek__Http__Port", "8081", "Hek__Http__Port")]
    public void A_bad_entry_in_a_silo_environment_fails_and_names_its_key(string key, string value, string named)
    {
        var environment = DeploymentFiles.ContainerEnvironment(compose.Services["silo1"], image);
        environment[key] = value;

        var error = Assert.Throws<HeckConfigurationException>(() => DeploymentFiles.Bind(environment));
        Assert.Contains(error.Errors, e => e.Contains(named, StringComparison.Ordinal));
    }

    [Fact]
    public void A_typo_in_the_compose_file_fails_the_file_check()
    {
        var text = File.ReadAllText(DeploymentFiles.ComposePath);
        var typo = text.Replace("Heck__Swim__Seeds__1: \"silo3:7946\"", "Heck__Swim__Seedz__1: \"silo3:7946\"", StringComparison.Ordinal)
                       .Replace("Heck__Membership__Provider: AdoNet", "Heck__Membership__Provider: Postgres", StringComparison.Ordinal);
        Assert.NotEqual(text, typo);

        var (_, problems) = BindAll(ComposeFile.Parse(typo, DeploymentFiles.DockerDirectory, DeploymentFiles.TestVariables), image);

        Assert.Contains(problems, p => p.StartsWith("silo1: ", StringComparison.Ordinal) && p.Contains("Heck:Swim:Seedz", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("silo2: ", StringComparison.Ordinal) && p.Contains("Heck:Swim:Seedz", StringComparison.Ordinal));
        foreach (var silo in new[] { "silo-pg-1", "silo-pg-2", "silo-pg-3" })
            Assert.Contains(problems, p => p.StartsWith(silo + ": ", StringComparison.Ordinal) && p.Contains("Heck:Membership:Provider", StringComparison.Ordinal));
        Assert.DoesNotContain(problems, p => p.StartsWith("silo3: ", StringComparison.Ordinal));
    }
}
