using System.Reflection;
using Heck.Client.Sdk;

namespace Heck.Tests.Client;

/// <summary>
/// The client (CLI and SDK) references Membership for SWIM gateway discovery; the ADO.NET clustering and its
/// database driver live in Membership.AdoNet so that the client does not ship them.
/// </summary>
public sealed class ClientDependencyTests
{
    private static readonly string[] Forbidden = ["Npgsql", "Orleans.Clustering.AdoNet", "Membership.AdoNet"];

    [Fact]
    public void The_client_references_no_database_driver_even_indirectly()
    {
        var reached = References(typeof(HeckClient).Assembly);
        Assert.Contains("Membership", reached); // the walk does see through to the client's own references
        Assert.Empty(reached.Intersect(Forbidden, StringComparer.OrdinalIgnoreCase));
    }

    /// <summary>Names of the assemblies <paramref name="root"/> references, transitively (framework assemblies not walked).</summary>
    private static HashSet<string> References(Assembly root)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var pending = new Stack<Assembly>([root]);
        while (pending.TryPop(out var assembly))
        {
            foreach (var name in assembly.GetReferencedAssemblies())
            {
                if (name.Name is not { } n || !seen.Add(n) || IsFramework(n)) continue;
                try
                {
                    pending.Push(Assembly.Load(name));
                }
                catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
                {
                    // Referenced but not deployed here: the name alone is what the test checks.
                }
            }
        }
        return seen;
    }

    private static bool IsFramework(string name) =>
        name.StartsWith("System", StringComparison.Ordinal) || name.StartsWith("Microsoft.", StringComparison.Ordinal)
        || name is "mscorlib" or "netstandard";
}
