namespace Heck.Silo.Security;

/// <summary>Scope names as configured and the claims and policies they become.</summary>
public static class ApiScopes
{
    /// <summary>The claim a principal carries once for each scope it holds, implied ones included.</summary>
    public const string ClaimType = "heck:scope";

    public static string Name(ApiScope scope) => scope.ToString().ToLowerInvariant();

    public static string PolicyName(ApiScope scope) => "heck-scope-" + Name(scope);

    public static bool TryParse(string? value, out ApiScope scope)
    {
        foreach (var s in Enum.GetValues<ApiScope>())
        {
            if (string.Equals(value?.Trim(), Name(s), StringComparison.OrdinalIgnoreCase))
            {
                scope = s;
                return true;
            }
        }
        scope = default;
        return false;
    }

    /// <summary><paramref name="granted"/> and every scope below it.</summary>
    public static IEnumerable<ApiScope> Implied(ApiScope granted) => Enum.GetValues<ApiScope>().Where(s => s <= granted);
}
