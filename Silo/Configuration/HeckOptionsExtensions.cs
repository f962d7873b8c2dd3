using Microsoft.Extensions.Options;

namespace Heck.Silo.Configuration;

public static class HeckOptionsExtensions
{
    /// <summary>
    /// Loads and checks the <c>Heck</c> section now (a bad or unknown key throws
    /// <see cref="HeckConfigurationException"/> before anything starts) and registers it as
    /// options, so services take <c>IOptions&lt;HeckOptions&gt;</c>.
    /// </summary>
    public static HeckOptions AddHeckOptions(this WebApplicationBuilder builder)
    {
        var options = HeckOptionsLoader.Load(builder.Configuration);
        builder.Services.AddOptions<HeckOptions>().Bind(builder.Configuration.GetSection(HeckOptions.SectionName)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<HeckOptions>, HeckOptionsValidator>();
        return options;
    }
}
