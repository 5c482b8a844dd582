namespace Registry.Core.Instances;

/// <summary>What a registration says about taking traffic (DESIGN §5: drained instances leave answers, stay visible).</summary>
public enum InstanceStatus
{
    /// <summary>Serving.</summary>
    Up,
    /// <summary>Finishing its work; takes no new traffic (payload <c>status: DRAINING</c>).</summary>
    Draining,
    /// <summary>Out of service (Spring Cloud <c>instance_status: OUT_OF_SERVICE</c>, or Curator <c>enabled: false</c>).</summary>
    OutOfService,
}
