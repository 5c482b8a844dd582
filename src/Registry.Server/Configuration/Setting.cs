namespace Registry.Server.Configuration;

/// <summary>
/// One server setting and every way to give it. The table in <see cref="Settings"/> is the single source of
/// <c>--help</c>, the environment variables, the <c>appsettings.json</c> keys and the defaults, so they cannot drift apart.
/// </summary>
/// <param name="Key">The key in the <c>Registry</c> section of <c>appsettings.json</c> (e.g. <c>ZooKeeper</c>).</param>
/// <param name="Option">The command-line option (e.g. <c>--zookeeper</c>).</param>
/// <param name="Description">What it does, for <c>--help</c> and the README.</param>
/// <param name="Default">The value when nothing sets it, as text; null when there is no fixed default (the description says what happens).</param>
/// <param name="Alias">A short option (e.g. <c>-z</c>), if any.</param>
internal sealed record Setting(string Key, string Option, string Description, string? Default, string? Alias = null)
{
    /// <summary>The configuration section every setting lives in.</summary>
    public const string Section = "Registry";

    /// <summary>The environment variable: <c>REGISTRY_</c> and the option in upper snake case (<c>--base-path</c> → <c>REGISTRY_BASE_PATH</c>).</summary>
    public string EnvironmentVariable => "REGISTRY_" + Option.TrimStart('-').Replace('-', '_').ToUpperInvariant();

    /// <summary>The full configuration key, <c>Registry:Key</c>.</summary>
    public string ConfigurationKey => $"{Section}:{Key}";

    /// <summary>How the three sources name this setting, for error messages.</summary>
    public string Names => $"{Option} / {EnvironmentVariable} / {ConfigurationKey}";
}
