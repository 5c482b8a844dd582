namespace Registry.Core.Merge;

/// <summary>How a service is answered (DESIGN §5).</summary>
public enum ServiceMode
{
    /// <summary>Declared in a zone file, never registered: served exactly as the zone file says.</summary>
    Static,
    /// <summary>Declared and registering: the declared targets that are live, plus live undeclared instances.</summary>
    Hybrid,
    /// <summary>Only registered: the live instances.</summary>
    Dynamic,
}
