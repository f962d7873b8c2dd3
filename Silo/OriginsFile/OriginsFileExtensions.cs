namespace Heck.Silo.OriginsFile;

public static class OriginsFileExtensions
{
    /// <summary>
    /// Reads and validates the origins file now (an invalid one stops the silo before it starts)
    /// and applies it once the silo runs. Call after <c>UseOrleans</c>: hosted services start in
    /// order, so the silo is active by then.
    /// </summary>
    public static WebApplicationBuilder AddOriginsFile(this WebApplicationBuilder builder, string? path)
    {
        var specs = path is null ? [] : OriginsFileLoader.Load(path);
        builder.Services.AddHostedService(sp => ActivatorUtilities.CreateInstance<OriginsFileApplier>(sp, specs));
        return builder;
    }
}
