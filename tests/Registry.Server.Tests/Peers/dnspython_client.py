#!/usr/bin/python3
"""dnspython (Debian's python3-dnspython) as a real client of the Registry DNS facade, for DnspythonTests.

usage: dnspython_client.py PORT udp|tcp INSTANCE_NAME
Asks 127.0.0.1:PORT, with a resolver configured only by these arguments, for the SRV set of _web._tcp.svc.example.,
the A record of INSTANCE_NAME and a missing name, and prints what it got as one JSON object for the C# test to check.
"""
import json
import sys

import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import dns.resolver

port, transport, instance = int(sys.argv[1]), sys.argv[2], sys.argv[3]
tcp = transport == "tcp"

resolver = dns.resolver.Resolver(configure=False)
resolver.nameservers = ["127.0.0.1"]
resolver.port = port
resolver.lifetime = 10.0
resolver.timeout = 3.0

out = {"dnspython": dns.version.version}

srv = resolver.resolve("_web._tcp.svc.example.", "SRV", tcp=tcp)
out["srv"] = sorted(f"{r.priority} {r.weight} {r.port} {r.target}" for r in srv)
out["srv_aa"] = bool(srv.response.flags & dns.flags.AA)
out["srv_ra"] = bool(srv.response.flags & dns.flags.RA)
out["srv_ttl"] = srv.rrset.ttl
out["srv_additional"] = sorted(
    f"{rrset.name} {dns.rdatatype.to_text(rrset.rdtype)} {rdata}" for rrset in srv.response.additional for rdata in rrset)

address = resolver.resolve(instance, "A", tcp=tcp)
out["a"] = sorted(r.address for r in address)

try:
    resolver.resolve("missing.svc.example.", "A", tcp=tcp)
    out["missing"] = "answered"
except dns.resolver.NXDOMAIN:
    out["missing"] = "NXDOMAIN"

# The same missing name with a bare message, to see the SOA the resolver API hides (RFC 2308 §3).
query = dns.message.make_query("missing.svc.example.", "A")
ask = dns.query.tcp if tcp else dns.query.udp
response = ask(query, "127.0.0.1", port=port, timeout=5)
out["missing_rcode"] = dns.rcode.to_text(response.rcode())
out["missing_aa"] = bool(response.flags & dns.flags.AA)
out["missing_authority"] = [f"{rrset.name} {dns.rdatatype.to_text(rrset.rdtype)}" for rrset in response.authority]

print(json.dumps(out))
