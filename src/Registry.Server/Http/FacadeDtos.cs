namespace Registry.Server.Http;

/// <summary><c>GET /v1/resolve/{name}</c>: one endpoint picked as an RFC 2782 client would (lowest priority, by weight).</summary>
internal sealed record ResolveResponse(ViewHeader View, string SrvName, int Candidates, EndpointDetail Endpoint);

/// <summary><c>GET /v1/hosts/{host}</c>: every service with an endpoint on that host (by target name or address).</summary>
internal sealed record HostResponse(ViewHeader View, string Host, IReadOnlyList<HostService> Services);

/// <summary>One service a host runs, with the endpoints it runs there.</summary>
internal sealed record HostService(string Name, string Protocol, string Zone, string SrvName, string Mode, IReadOnlyList<EndpointDetail> Endpoints);
