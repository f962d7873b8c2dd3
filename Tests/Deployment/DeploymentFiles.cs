using Heck.Silo.Configuration;
using Microsoft.Extensions.Configuration;

namespace Heck.Tests.Deployment;

/// <summary>The repository's docker/ files, and how a silo container turns its environment into Heck's options.</summary>
internal static class DeploymentFiles
{
    /// <summary>Stand-ins for the variables a user must set (in the shell or docker/.env) before <c>docker compose up</c>.</summary>
    public static IReadOnlyDictionary<string, string> TestVariables { get; } = new Dictionary<string, string>
    {
        // 32 bytes, base64: the form `openssl rand -base64 32` prints.
        ["HECK_SWIM_KEY"] = Convert.ToBase64String([.. Enumerable.Range(1, 32).Select(i => (byte)i)]),
    };

    /// <summary>Environment variable names a silo may carry besides <c>Heck__…</c>: .NET's and ASP.NET Core's own.</summary>
    private static readonly string[] OtherPrefixes = ["ASPNETCORE_", "DOTNET_", "Logging__"];

    public static string RepositoryRoot { get; } = FindRoot();

    public static string DockerDirectory => Path.Combine(RepositoryRoot, "docker");

    public static string ComposePath => Path.Combine(DockerDirectory, "compose.yaml");

    public static string DockerfilePath => Path.Combine(DockerDirectory, "Dockerfile");

    public static ComposeFile LoadCompose() => ComposeFile.Load(ComposePath, TestVariables);

    public static DockerfileModel LoadDockerfile() => DockerfileModel.Load(DockerfilePath);

    /// <summary>Services that run the image built from docker/Dockerfile (by their build, or by naming that image).</summary>
    public static IReadOnlyList<ComposeService> SiloImageServices(ComposeFile compose)
    {
        var built = compose.Services.Values.Where(s => s.BuildContext is not null &&
            Path.GetFullPath(Path.Combine(compose.Directory, s.BuildContext, s.BuildDockerfile!)) == Path.GetFullPath(DockerfilePath)).ToList();
        var images = built.Select(s => s.Image).OfType<string>().ToHashSet();
        return [.. compose.Services.Values.Where(s => built.Contains(s) || (s.Image is { } image && images.Contains(image)))];
    }

    /// <summary>Silo-image services that run the silo itself (not a subcommand such as apply-schema).</summary>
    public static IReadOnlyList<ComposeService> Silos(ComposeFile compose) =>
        [.. SiloImageServices(compose).Where(s => s.Command.Count == 0)];

    /// <summary>What the process in the container sees: the image's ENV, overridden by the service's environment.</summary>
    public static Dictionary<string, string> ContainerEnvironment(ComposeService service, DockerfileModel image)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in image.Final.Environment) environment[key] = value;
        foreach (var (key, value) in service.Environment) environment[key] = value;
        return environment;
    }

    /// <summary>
    /// Binds a container's environment the way the silo does (Silo/appsettings.json, then environment variables,
    /// <c>__</c> meaning <c>:</c>) and validates it with <see cref="HeckOptionsLoader"/>. Throws
    /// <see cref="HeckConfigurationException"/> naming the bad keys; a variable that is neither Heck's nor .NET's
    /// (a typo such as <c>Hek__Http__Port</c>, which the silo would silently ignore) is reported the same way.
    /// </summary>
    public static HeckOptions Bind(IReadOnlyDictionary<string, string> environment)
    {
        var foreign = environment.Keys
            .Where(k => !k.StartsWith(HeckOptions.SectionName + "__", StringComparison.OrdinalIgnoreCase) &&
                        !OtherPrefixes.Any(p => k.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
            .Select(k => $"{k} is not a Heck setting (Heck__Section__Key) nor a .NET one ({string.Join(", ", OtherPrefixes)}…)")
            .ToList();
        if (foreign.Count > 0) throw new HeckConfigurationException(foreign);
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(RepositoryRoot, "Silo", "appsettings.json"), optional: false)
            .AddInMemoryCollection(environment.Select(e => new KeyValuePair<string, string?>(e.Key.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal), e.Value)))
            .Build();
        var options = HeckOptionsLoader.Load(configuration);
        var errors = HeckOptionsLoader.Validate(options);
        return errors.Count == 0 ? options : throw new HeckConfigurationException(errors);
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "HeckOrleans.sln"))) return directory.FullName;
        }
        throw new DirectoryNotFoundException($"no HeckOrleans.sln above {AppContext.BaseDirectory}");
    }
}
