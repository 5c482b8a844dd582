using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Registry.Core.View;

namespace Registry.Server.Dns;

/// <summary>The answer rules: what a query gets, in RFC 1034 §4.3.2's order.</summary>
internal sealed partial class DnsResponder
{
    /// <summary>How many CNAMEs a chain may have before it is cut (BIND follows a few; a longer chain is a mistake).</summary>
    private const int MaxChain = 8;

    private static void Answer(DnsMessage query, Func<DnsZoneIndex> indexOf, DnsMessage response)
    {
        if (query.EDnsOptions is { } opt)
        {
            // RFC 6891 §6.1.1: more than one OPT is malformed. §6.1.3: a higher version than ours is BADVERS, first of
            // all, so that the client can retry with the version we speak.
            if (CountOpt(query) > 1)
            {
                response.ReturnCode = ReturnCode.FormatError;
                return;
            }

            if (opt.Version != 0)
            {
                response.ReturnCode = ReturnCode.BadVersion;
                return;
            }
        }

        if (query.OperationCode != OperationCode.Query)
        {
            response.ReturnCode = ReturnCode.NotImplemented;
            return;
        }

        if (!query.IsQuery || query.Questions.Count != 1)
        {
            // A message with QR set is a response, not a question; the transport should drop those unanswered
            // (answering a response invites loops), and FORMERR is what is left when it does not.
            response.ReturnCode = ReturnCode.FormatError;
            return;
        }

        var question = query.Questions[0];
        if (Refusal(question) is { } refusal)
        {
            response.ReturnCode = refusal;
            return;
        }

        var index = indexOf();
        if (index.FindZone(question.Name) is null)
        {
            // Authoritative only: no recursion, no referral to the root (RFC 1034 §4.3.1; DESIGN §7).
            response.ReturnCode = ReturnCode.Refused;
            return;
        }

        response.IsAuthoritiveAnswer = true;
        Resolve(index, question, response);
    }

    /// <summary>The return code for a question this engine does not answer, or null when it answers it.</summary>
    private static ReturnCode? Refusal(DnsQuestion question) => question switch
    {
        // Only class IN is served; QCLASS * (RFC 1035 §3.2.5) matches it.
        { RecordClass: not (RecordClass.INet or RecordClass.Any) } => ReturnCode.Refused,

        // Meta types that are no question (RFC 6895 §3.1): OPT, TKEY and TSIG only ever go in additional sections.
        { RecordType: RecordType.Opt or RecordType.TKey or RecordType.TSig } => ReturnCode.FormatError,

        // Zone transfers are for allowed peers only, and a transfer handler answers them before this engine is asked.
        { RecordType: RecordType.Axfr or RecordType.Ixfr } => ReturnCode.Refused,

        // Obsolete mailbox meta queries (MAILB 253, MAILA 254; RFC 883), as BIND: not implemented.
        { RecordType: (RecordType)253 or (RecordType)254 } => ReturnCode.NotImplemented,
        _ => null,
    };

    /// <summary>
    /// RFC 1034 §4.3.2 from step 3, with CNAMEs followed through every served zone (loop-safe, at most
    /// <see cref="MaxChain"/> links): the last name of the chain decides the return code and the negative SOA, as in
    /// RFC 6604. A chain that leaves the served zones ends with the CNAME; the client's resolver follows it.
    /// </summary>
    private static void Resolve(DnsZoneIndex index, DnsQuestion question, DnsMessage response)
    {
        var type = question.RecordType;
        var name = question.Name;
        HashSet<DomainName>? visited = null;
        for (var link = 0; ; link++)
        {
            if (index.FindZone(name) is not { } zone)
            {
                return; // the chain left the served zones
            }

            if (index.FindCut(name, zone) is { } cut && !(type == RecordType.Ds && cut.Name.Equals(name)))
            {
                // Below a zone cut the child's servers answer (a DS query at the cut is the parent's own data).
                if (link == 0)
                {
                    Refer(index, cut, response);
                }

                return;
            }

            var node = index.Find(name);
            var synthesized = false;
            if (node is null)
            {
                node = index.FindWildcard(name, zone);
                if (node is null)
                {
                    response.ReturnCode = ReturnCode.NxDomain;
                    response.AuthorityRecords.Add(zone.NegativeSoa);
                    return;
                }

                synthesized = true;
            }

            if (node.CName is { } alias && type != RecordType.CName && type != RecordType.Any)
            {
                AddAnswer(response, alias, synthesized ? name : null);
                var target = ((CNameRecord)alias[0]).CanonicalName;
                visited ??= [question.Name];
                if (link + 1 >= MaxChain || !visited.Add(target))
                {
                    return; // a loop or an overlong chain: what was found so far is the answer
                }

                name = target;
                continue;
            }

            // RFC 8482 §4.2: ANY gets one RRset, not all; the first one of the name, which is the zone file's first (the
            // SOA at an apex, the SRV set at a service's name).
            var set = type == RecordType.Any ? node.First : node.Get(type);
            if (set is null)
            {
                // NODATA (RFC 2308 §2.2): the name exists (an empty non-terminal too), the type does not.
                response.AuthorityRecords.Add(zone.NegativeSoa);
                return;
            }

            AddAnswer(response, set, synthesized ? name : null);
            AddAdditional(index, response, set);
            return;
        }
    }

    /// <summary>A referral (RFC 1034 §4.3.2 step 3b): not authoritative, the cut's NS set, and glue for its servers.</summary>
    private static void Refer(DnsZoneIndex index, DnsNode cut, DnsMessage response)
    {
        response.IsAuthoritiveAnswer = false;
        var nameServers = cut.Get(RecordType.Ns)!;
        response.AuthorityRecords.AddRange(nameServers);
        AddAdditional(index, response, nameServers);
    }

    /// <summary>Adds <paramref name="set"/> to the answer; a wildcard's records take <paramref name="owner"/>'s name (RFC 4592 §3.4.1).</summary>
    private static void AddAnswer(DnsMessage response, DnsRecordBase[] set, DomainName? owner)
    {
        if (owner is null)
        {
            response.AnswerRecords.AddRange(set);
            return;
        }

        foreach (var record in set)
        {
            response.AnswerRecords.Add(RecordOwner.Rename(record, owner));
        }
    }

    /// <summary>
    /// Additional-section processing (RFC 1035 §3.3, RFC 2782, RFC 3403 §4.2): the A and AAAA records the index holds
    /// for the names an SRV, MX or NS set points at, each once; for a NAPTR set, what its replacements lead to, as BIND
    /// adds it: the SRV set (flag S) with its targets' addresses, or the addresses (flag A). (The answer never holds
    /// them: it is that set, after CNAMEs.)
    /// </summary>
    private static void AddAdditional(DnsZoneIndex index, DnsMessage response, DnsRecordBase[] set)
    {
        HashSet<DomainName>? added = null;
        HashSet<DomainName>? replacements = null;
        foreach (var record in set)
        {
            switch (record)
            {
                case SrvRecord srv:
                    AddAddresses(index, response, srv.Target, ref added);
                    break;
                case MxRecord mx:
                    AddAddresses(index, response, mx.ExchangeDomainName, ref added);
                    break;
                case NsRecord ns:
                    AddAddresses(index, response, ns.NameServer, ref added);
                    break;
                case NaptrRecord naptr when naptr.Flags.Contains('s', StringComparison.OrdinalIgnoreCase):
                    if (index.Find(naptr.Replacement)?.Get(RecordType.Srv) is { } services && (replacements ??= []).Add(naptr.Replacement))
                    {
                        response.AdditionalRecords.AddRange(services);
                        foreach (var service in services)
                        {
                            AddAddresses(index, response, ((SrvRecord)service).Target, ref added);
                        }
                    }

                    break;
                case NaptrRecord naptr when naptr.Flags.Contains('a', StringComparison.OrdinalIgnoreCase):
                    AddAddresses(index, response, naptr.Replacement, ref added);
                    break;
            }
        }
    }

    /// <summary>Adds the A and AAAA records of <paramref name="target"/> unless they are in already.</summary>
    private static void AddAddresses(DnsZoneIndex index, DnsMessage response, DomainName target, ref HashSet<DomainName>? added)
    {
        if (index.Find(target) is not { } node || !(added ??= []).Add(target))
        {
            return;
        }

        foreach (var addresses in (ReadOnlySpan<DnsRecordBase[]?>)[node.Get(RecordType.A), node.Get(RecordType.Aaaa)])
        {
            if (addresses is not null)
            {
                response.AdditionalRecords.AddRange(addresses);
            }
        }
    }

    private static int CountOpt(DnsMessage query)
    {
        var count = 0;
        foreach (var record in query.AdditionalRecords)
        {
            count += record is OptRecord ? 1 : 0;
        }

        return count;
    }
}
