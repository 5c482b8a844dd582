using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Registry.Client;

/// <summary>Registration for apps built on the Generic Host (ASP.NET Core included).</summary>
public static class RegistryRegistrationExtensions
{
    /// <summary>
    /// Registers the configured instances in ZooKeeper once the application has started (so no traffic arrives
    /// before it can be served), keeps them registered across connection loss and session expiry, and deregisters
    /// them at once when the application stops.
    /// </summary>
    public static IServiceCollection AddRegistryRegistration(this IServiceCollection services, Action<RegistryRegistrationOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new RegistryRegistrationOptions();
        configure(options);
        services.AddSingleton(options);
        services.AddSingleton<RegistrationHostedService>();
        services.AddHostedService(sp => sp.GetRequiredService<RegistrationHostedService>());
        return services;
    }
}
