using System.Diagnostics;

namespace Registry.Server.Tests;

/// <summary><c>registryctl register</c> as a real process: a service instance that lives as long as the process.</summary>
internal static class RegistrantProcess
{
    public static Process Start(string connectString, string service, string id, string address, int port, string sessionTimeout)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "registryctl.dll"), "register", service, "--id", id, "--address", address,
            "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--session-timeout", sessionTimeout, "-z", connectString,
        })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
