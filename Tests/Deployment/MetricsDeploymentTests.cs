using YamlDotNet.RepresentationModel;

namespace Heck.Tests.Deployment;

/// <summary>docker/prometheus.yml scrapes <c>/metrics</c> of every silo that docker/compose.yaml runs, on its HTTP port.</summary>
public sealed class MetricsDeploymentTests
{
    [Fact]
    public void The_scrape_config_has_every_compose_silo_as_a_target()
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(DeploymentFiles.DockerDirectory, "prometheus.yml"))) yaml.Load(reader);
        var jobs = (YamlSequenceNode)((YamlMappingNode)yaml.Documents[0].RootNode)["scrape_configs"];
        var targets = new HashSet<string>(StringComparer.Ordinal);
        foreach (var job in jobs.Cast<YamlMappingNode>())
        {
            Assert.Equal("/metrics", ((YamlScalarNode)job["metrics_path"]).Value);
            foreach (var config in ((YamlSequenceNode)job["static_configs"]).Cast<YamlMappingNode>())
                targets.UnionWith(((YamlSequenceNode)config["targets"]).Cast<YamlScalarNode>().Select(t => t.Value!));
        }

        var compose = DeploymentFiles.LoadCompose();
        var silos = DeploymentFiles.Silos(compose).Select(s => $"{s.Name}:8080").ToHashSet(StringComparer.Ordinal);
        Assert.Equal(6, silos.Count);
        Assert.Equal(silos, targets);
    }
}
