namespace Registry.Core.Names;

/// <summary>
/// A service's name: a DNS label (see <see cref="DnsLabel"/>). It keeps the spelling it was registered with (the
/// ZooKeeper path uses it) and compares case-insensitively, as DNS does.
/// </summary>
public readonly record struct ServiceName : IComparable<ServiceName>
{
    private ServiceName(string value) => Value = value;

    /// <summary>The name as registered.</summary>
    public string Value { get; }

    /// <summary>Parses a name.</summary>
    /// <exception cref="FormatException">The name is not a valid DNS label; the message says why.</exception>
    public static ServiceName Parse(string name) =>
        TryParse(name, out var result, out var error) ? result : throw new FormatException($"invalid service name '{name}': {error}");

    /// <summary>Parses a name; on failure <paramref name="error"/> says why.</summary>
    public static bool TryParse(string? name, out ServiceName result, out string? error)
    {
        error = DnsLabel.Check(name);
        result = error is null ? new ServiceName(name!) : default;
        return error is null;
    }

    /// <summary>Case-insensitive, as DNS names compare.</summary>
    public bool Equals(ServiceName other) => StringComparer.OrdinalIgnoreCase.Equals(Value, other.Value);

    /// <inheritdoc/>
    public override int GetHashCode() => StringComparer.OrdinalIgnoreCase.GetHashCode(Value ?? string.Empty);

    /// <summary>Case-insensitive ordinal order.</summary>
    public int CompareTo(ServiceName other) => StringComparer.OrdinalIgnoreCase.Compare(Value, other.Value);

    /// <inheritdoc/>
    public override string ToString() => Value;

    /// <summary>Case-insensitive order.</summary>
    public static bool operator <(ServiceName left, ServiceName right) => left.CompareTo(right) < 0;

    /// <summary>Case-insensitive order.</summary>
    public static bool operator <=(ServiceName left, ServiceName right) => left.CompareTo(right) <= 0;

    /// <summary>Case-insensitive order.</summary>
    public static bool operator >(ServiceName left, ServiceName right) => left.CompareTo(right) > 0;

    /// <summary>Case-insensitive order.</summary>
    public static bool operator >=(ServiceName left, ServiceName right) => left.CompareTo(right) >= 0;
}
