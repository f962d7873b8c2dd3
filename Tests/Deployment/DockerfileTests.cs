using System.Xml.Linq;
using Heck.Silo.Configuration;

namespace Heck.Tests.Deployment;

/// <summary>docker/Dockerfile, read without a Docker engine: what it builds, as whom it runs, what it exposes and checks.</summary>
public sealed class DockerfileTests
{
    private readonly DockerfileModel dockerfile = DeploymentFiles.LoadDockerfile();

    [Fact]
    public void Builds_with_the_sdk_and_runs_on_the_aspnet_runtime_as_a_non_root_user()
    {
        var build = dockerfile.Stages[0];
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:10.0", build.Image, StringComparison.Ordinal);
        Assert.Contains(build.All("RUN"), r => r.Contains("dotnet publish Silo/Silo.csproj -c Release", StringComparison.Ordinal));

        var final = dockerfile.Final;
        Assert.NotSame(build, final);
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:10.0", final.Image, StringComparison.Ordinal);
        Assert.Contains(final.All("COPY"), c => c.StartsWith($"--from={build.Name} ", StringComparison.Ordinal));

        // The last USER wins; the image's `app` user is $APP_UID (1654). Root by name or id is refused.
        var user = Assert.Single(final.All("USER"));
        Assert.DoesNotContain(user.Split(':')[0], new[] { "root", "0" });
        Assert.True(final.Instructions.FindLastIndex(i => i.Keyword == "USER") > final.Instructions.FindLastIndex(i => i.Keyword == "RUN"),
            "every RUN of the final stage comes before USER (they need root; the process does not)");
    }

    [Fact]
    public void Health_check_asks_healthz_on_the_configured_http_port()
    {
        var check = Assert.Single(dockerfile.Final.All("HEALTHCHECK"));
        Assert.Contains(" CMD ", " " + check + " ", StringComparison.Ordinal);
        Assert.Contains($"http://127.0.0.1:${{Heck__Http__Port:-{new HeckOptions().Http.Port}}}/healthz", check, StringComparison.Ordinal);
        // The runtime image has no curl of its own.
        Assert.Contains(dockerfile.Final.All("RUN"), r => r.Contains("install", StringComparison.Ordinal) && r.Contains("curl", StringComparison.Ordinal));
    }

    [Fact]
    public void Exposes_Heck_default_ports()
    {
        var defaults = new HeckOptions();
        var exposed = dockerfile.Final.All("EXPOSE").SelectMany(e => e.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(p => p.Contains('/', StringComparison.Ordinal) ? p : p + "/tcp").ToHashSet();
        Assert.True(exposed.SetEquals(new[]
        {
            $"{defaults.Http.Port}/tcp", $"{defaults.Silo.Port}/tcp", $"{defaults.Silo.GatewayPort}/tcp",
            $"{defaults.Swim.Port}/tcp", $"{defaults.Swim.Port}/udp",
        }), string.Join(" ", exposed));
    }

    [Fact]
    public void Image_environment_needs_an_API_token_then_binds_to_Heck_options_and_stores_data_in_the_volume()
    {
        var environment = dockerfile.Final.Environment.ToDictionary();
        // On 0.0.0.0 the API needs a token and SWIM a key: the image alone refuses to start, naming the keys to set.
        var refused = Assert.Throws<HeckConfigurationException>(() => DeploymentFiles.Bind(environment));
        Assert.Contains(refused.Errors, e => e.StartsWith("Heck:Api:Tokens:", StringComparison.Ordinal) && e.Contains("Heck:Api:AllowAnonymous", StringComparison.Ordinal));
        Assert.Contains(refused.Errors, e => e.StartsWith("Heck:Swim:Keys", StringComparison.Ordinal) && e.Contains("Heck:Swim:AllowUnauthenticated", StringComparison.Ordinal));
        environment["Heck__Api__Tokens__0__Name"] = "admin";
        environment["Heck__Api__Tokens__0__Scopes__0"] = "admin";
        environment["Heck__Api__Tokens__0__File"] = "/run/secrets/heck_api_token";
        environment["Heck__Swim__Keys__0"] = Convert.ToBase64String(new byte[32]);
        var options = DeploymentFiles.Bind(environment);

        Assert.Equal("0.0.0.0", options.Http.ListenAddress);
        Assert.Equal("0.0.0.0", options.Swim.BindAddress);
        var volume = Assert.Single(dockerfile.Final.All("VOLUME"));
        Assert.Equal(volume, options.Storage.Path);
        Assert.Contains(dockerfile.Final.All("RUN"), r => r.Contains($"chown \"$APP_UID:$APP_UID\" {volume}", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_stage_copies_every_project_the_silo_needs_and_runs_its_assembly()
    {
        var copies = dockerfile.Stages[0].All("COPY").ToList();
        var restore = dockerfile.Stages[0].Instructions.FindIndex(i => i.Keyword == "RUN" && i.Arguments.StartsWith("dotnet restore", StringComparison.Ordinal));
        var beforeRestore = dockerfile.Stages[0].Instructions.Take(restore).Where(i => i.Keyword == "COPY").Select(i => i.Arguments).ToList();
        Assert.True(restore > 0, "the build stage restores before it copies the sources");
        Assert.Contains(beforeRestore, c => c.Contains("Directory.Build.props", StringComparison.Ordinal) && c.Contains("Directory.Packages.props", StringComparison.Ordinal));

        foreach (var project in ProjectClosure(Path.Combine(DeploymentFiles.RepositoryRoot, "Silo", "Silo.csproj")))
        {
            var relative = Path.GetRelativePath(DeploymentFiles.RepositoryRoot, project).Replace('\\', '/');
            var folder = relative[..relative.LastIndexOf('/')];
            Assert.Contains($"{relative} {folder}/", beforeRestore);
            Assert.Contains($"{folder}/ {folder}/", copies);
        }

        var silo = XDocument.Load(Path.Combine(DeploymentFiles.RepositoryRoot, "Silo", "Silo.csproj"));
        var assembly = silo.Descendants("AssemblyName").Select(e => e.Value).SingleOrDefault() ?? "Silo";
        Assert.Equal($"[\"dotnet\", \"{assembly}.dll\"]", Assert.Single(dockerfile.Final.All("ENTRYPOINT")));
    }

    [Fact]
    public void Dockerfile_ignore_file_keeps_local_build_output_out_of_the_context()
    {
        var patterns = File.ReadAllLines(Path.Combine(DeploymentFiles.DockerDirectory, "Dockerfile.dockerignore"))
            .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToHashSet();
        Assert.Superset(new HashSet<string> { "**/bin", "**/obj", "**/data" }, patterns);
    }

    [Fact]
    public void Parser_reads_continued_lines_stages_and_both_env_forms()
    {
        var parsed = DockerfileModel.Parse("""
            # syntax=docker/dockerfile:1
            ARG V=1
            FROM --platform=linux/amd64 base:1 AS one
            RUN a \
                b
            FROM two
            ENV A= \
                B="x y" C=3
            ENV D four five
            USER app
            """);
        Assert.Equal(new[] { "base:1", "two" }, parsed.Stages.Select(s => s.Image));
        Assert.Equal("one", parsed.Stages[0].Name);
        Assert.Equal("a  b", Assert.Single(parsed.Stages[0].All("RUN")));
        Assert.Equal(
            new KeyValuePair<string, string>[] { new("A", ""), new("B", "x y"), new("C", "3"), new("D", "four five") },
            parsed.Final.Environment.ToArray());
    }

    // Silo.csproj and every project it references, directly or not.
    private static HashSet<string> ProjectClosure(string project)
    {
        var seen = new HashSet<string>();
        var pending = new Stack<string>([Path.GetFullPath(project)]);
        while (pending.TryPop(out var next))
        {
            if (!seen.Add(next)) continue;
            foreach (var reference in XDocument.Load(next).Descendants("ProjectReference"))
                pending.Push(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(next)!, reference.Attribute("Include")!.Value.Replace('\\', '/'))));
        }
        return seen;
    }
}
