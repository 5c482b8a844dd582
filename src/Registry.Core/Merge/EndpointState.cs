namespace Registry.Core.Merge;

/// <summary>What is known of one endpoint of a service.</summary>
public enum EndpointState
{
    /// <summary>Declared by a static service; liveness is not tracked.</summary>
    Declared,
    /// <summary>Registered and up (declared or accepted undeclared).</summary>
    Live,
    /// <summary>Registered but draining or out of service: out of answers, still visible.</summary>
    Drained,
    /// <summary>Declared by a hybrid service but not running.</summary>
    Missing,
    /// <summary>Running but not declared; in answers only when the undeclared policy accepts it.</summary>
    Undeclared,
}
