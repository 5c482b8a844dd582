using Registry.Core.Merge;
using Registry.Core.Names;
using Registry.Core.View;

namespace Registry.Server.Grpc;

/// <summary>
/// Finds services by what clients call them: a service name (<c>web</c>: every zone and protocol it is published
/// under) or an SRV owner name (<c>_web._tcp.svc.example.</c>). Shared by gRPC and the HTTP facade so both accept
/// the same names and reject the same ones with the same reason.
/// </summary>
internal static class ServiceLookup
{
    /// <summary>The services named <paramref name="name"/>, in view order; null with <paramref name="error"/> when the name is malformed.</summary>
    public static IReadOnlyList<MergedService>? Find(ViewSnapshot view, string? name, out string? error)
    {
        if (string.IsNullOrEmpty(name))
        {
            error = "a service name is required (like web, or _web._tcp.svc.example.)";
            return null;
        }

        if (name.StartsWith('_'))
        {
            error = null;
            return view.FindBySrvName(name) is { } service ? [service] : [];
        }

        if (!ServiceName.TryParse(name, out var parsed, out error))
        {
            error = $"{ClientText.Quote(name)} is not a service name: {error}";
            return null;
        }

        return [.. view.Services.Where(s => s.Service == parsed)];
    }

    /// <summary>A predicate for Watch filters: true for services matching any of <paramref name="names"/>; null (all) when empty.</summary>
    public static Func<string, ServiceName, bool>? Filter(IReadOnlyCollection<string> names, out string? error)
    {
        error = null;
        if (names.Count == 0)
        {
            return null;
        }

        var srvNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var services = new HashSet<ServiceName>();
        foreach (var name in names)
        {
            if (name.StartsWith('_'))
            {
                srvNames.Add(name.EndsWith('.') ? name : name + ".");
            }
            else if (ServiceName.TryParse(name, out var parsed, out var why))
            {
                services.Add(parsed);
            }
            else
            {
                error = $"{ClientText.Quote(name)} is not a service name: {why}";
                return null;
            }
        }

        return (srvName, service) => services.Contains(service) || srvNames.Contains(srvName);
    }
}
