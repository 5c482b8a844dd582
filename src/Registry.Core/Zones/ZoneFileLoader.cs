using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Registry.Core.Names;

namespace Registry.Core.Zones;

/// <summary>Loads one zone file and what it includes; problems go to the shared error list.</summary>
internal sealed class ZoneFileLoader(string root, List<ZoneLoadError> errors)
{
    private readonly List<ZoneRecord> _records = [];
    private readonly List<string> _includeStack = [];
    private string _topFile = string.Empty;
    private DomainName? _zoneOrigin;
    private DomainName? _origin;
    private DomainName? _lastOwner;
    private int? _defaultTtl;
    private int? _lastTtl;
    private bool _failed;

    public ZoneIntent? Load(string fullPath)
    {
        _topFile = Relative(fullPath);
        LoadFile(fullPath, _topFile);
        if (_failed)
        {
            return null;
        }

        if (_zoneOrigin is null)
        {
            Error(_topFile, 1, "the zone has no records (it needs at least an SOA record)");
            return null;
        }

        var origin = Text(_zoneOrigin);
        var soas = _records.Where(r => r.Record is SoaRecord).ToList();
        if (soas.Count == 0)
        {
            Error(_topFile, 1, $"zone {origin} has no SOA record");
            return null;
        }

        foreach (var extra in soas.Skip(1))
        {
            Error(extra.Source, $"zone {origin} has a second SOA record; the first is at {soas[0].Source}");
        }

        if (!soas[0].Record.Name.Equals(_zoneOrigin, true))
        {
            Error(soas[0].Source, $"the SOA record's owner {Text(soas[0].Record.Name)} is not the zone's origin {origin}");
        }

        return _failed ? null : new ZoneIntent(origin, _topFile, ((SoaRecord)soas[0].Record).SerialNumber, _records.ToArray(), FindServices(origin));
    }

    private void LoadFile(string fullPath, string relative)
    {
        string text;
        try
        {
            text = File.ReadAllText(fullPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Error(relative, 1, $"cannot read the file: {ex.Message}");
            return;
        }

        _includeStack.Add(fullPath);
        var entries = MasterFileScanner.Scan(text, (line, message) => Error(relative, line, message));
        foreach (var entry in entries)
        {
            var source = new RecordSource(relative, entry.Line);
            var first = entry.Tokens[0];
            if (!entry.InheritsOwner && first.StartsWith('$'))
            {
                Directive(entry, source, fullPath);
            }
            else if (EnsureZoneOrigin(source))
            {
                Record(entry, source);
            }
        }

        _includeStack.RemoveAt(_includeStack.Count - 1);
    }

    private void Directive(MasterFileEntry entry, RecordSource source, string fullPath)
    {
        var args = entry.Tokens.Count - 1;
        switch (entry.Tokens[0].ToUpperInvariant())
        {
            case "$TTL":
                if (args != 1 || !ZoneLoader.TryParseTtl(entry.Tokens[1], out var ttl))
                {
                    Error(source, "$TTL needs one TTL (seconds, or units like 1h30m) within 0..2147483647");
                    return;
                }

                _defaultTtl = ttl;
                return;
            case "$ORIGIN":
                if (args != 1)
                {
                    Error(source, "$ORIGIN needs one domain name");
                    return;
                }

                // The first $ORIGIN before any record names the zone; a relative one is taken against the file name.
                var relativeTo = _origin ?? (_zoneOrigin is null ? FileNameOrigin(null) : null) ?? DomainName.Root;
                if (TryResolve(entry.Tokens[1], relativeTo, source, out var origin))
                {
                    _zoneOrigin ??= origin;
                    _origin = origin;
                }

                return;
            case "$INCLUDE":
                if (args is < 1 or > 2)
                {
                    Error(source, "$INCLUDE needs a file name and optionally an origin");
                    return;
                }

                if (EnsureZoneOrigin(source))
                {
                    Include(entry, source, fullPath);
                }

                return;
            default:
                Error(source, $"unknown directive {entry.Tokens[0]} (supported: $ORIGIN, $TTL, $INCLUDE)");
                return;
        }
    }

    private void Include(MasterFileEntry entry, RecordSource source, string fullPath)
    {
        var name = entry.Tokens[1].Trim('"');
        var target = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(fullPath)!, name));
        if (!IsInsideRoot(target) || (ResolvedLink(target) is { } link && !IsInsideRoot(link)))
        {
            Error(source, $"$INCLUDE {name} is outside the zones directory");
            return;
        }

        if (_includeStack.Contains(target, StringComparer.Ordinal))
        {
            var chain = _includeStack.SkipWhile(f => !string.Equals(f, target, StringComparison.Ordinal)).Append(target).Select(Relative);
            Error(source, $"$INCLUDE cycle: {string.Join(" -> ", chain)}");
            return;
        }

        if (_includeStack.Count > ZoneLoader.MaxIncludeDepth)
        {
            Error(source, $"$INCLUDE nests deeper than {ZoneLoader.MaxIncludeDepth} files");
            return;
        }

        if (!File.Exists(target))
        {
            Error(source, $"$INCLUDE {name}: the file does not exist");
            return;
        }

        var includeOrigin = _origin!;
        if (entry.Tokens.Count == 3 && !TryResolve(entry.Tokens[2], _origin!, source, out includeOrigin))
        {
            return;
        }

        // RFC 1035 §5.1: an include does not change the includer's origin or current owner.
        var (savedOrigin, savedOwner) = (_origin, _lastOwner);
        _origin = includeOrigin;
        LoadFile(target, Relative(target));
        (_origin, _lastOwner) = (savedOrigin, savedOwner);
    }

    private void Record(MasterFileEntry entry, RecordSource source)
    {
        var tokens = entry.Tokens;
        var index = 0;
        DomainName? owner;
        if (entry.InheritsOwner)
        {
            owner = _lastOwner;
            if (owner is null)
            {
                Error(source, "the line starts with a blank, so it takes the previous record's owner, but there is no previous record");
                return;
            }
        }
        else if (!TryResolve(tokens[index++], _origin!, source, out owner))
        {
            return;
        }

        int? ttl = null;
        string? recordClass = null;
        while (index < tokens.Count)
        {
            if (ttl is null && ZoneLoader.TryParseTtl(tokens[index], out var t))
            {
                ttl = t;
            }
            else if (recordClass is null && IsClass(tokens[index]))
            {
                recordClass = tokens[index];
            }
            else
            {
                break;
            }

            index++;
        }

        if (index >= tokens.Count || !IsRecordType(tokens[index], out var type))
        {
            Error(source, index >= tokens.Count
                ? "the record has no type"
                : $"'{tokens[index]}' is not a record type (or a TTL out of 0..2147483647)");
            return;
        }

        if (recordClass is not null && !recordClass.Equals("IN", StringComparison.OrdinalIgnoreCase))
        {
            Error(source, $"class {recordClass} is not served; records are class IN");
            return;
        }

        ttl ??= _defaultTtl ?? _lastTtl;
        if (ttl is null)
        {
            Error(source, "the record has no TTL and there is no $TTL or previous record to take it from");
            return;
        }

        var typeToken = tokens[index++];
        var rdata = tokens.Skip(index).ToArray();
        if (CheckRdata(type, rdata) is { } problem)
        {
            Error(source, problem);
            return;
        }

        if (!owner.IsEqualOrSubDomainOf(_zoneOrigin!))
        {
            Error(source, $"owner {Text(owner)} is outside the zone {Text(_zoneOrigin!)}");
            return;
        }

        var record = ParseWithArSoft(owner, ttl.Value, typeToken, rdata, source);
        if (record is null)
        {
            return;
        }

        // ARSoft treats TTL 0 as "none" and replaces an SOA's with its minimum; 0 is a legal, deliberate TTL.
        if (record is SoaRecord soa && ttl.Value == 0 && soa.TimeToLive != 0)
        {
            record = new SoaRecord(soa.Name, 0, soa.MasterName, soa.ResponsibleName, soa.SerialNumber, soa.RefreshInterval, soa.RetryInterval, soa.ExpireInterval, soa.NegativeCachingTTL);
        }

        _records.Add(new ZoneRecord(record, source));
        _lastOwner = owner;
        _lastTtl = ttl;
    }

    private DnsRecordBase? ParseWithArSoft(DomainName owner, int ttl, string type, string[] rdata, RecordSource source)
    {
        // One record per parse: ARSoft's master-file reader is the record parser (project rule), but it neither
        // counts lines nor names what it disliked, so each record gets its own one-line master file with an
        // absolute owner and explicit TTL and class, leaving ARSoft no field guessing to do.
        var text = string.Create(CultureInfo.InvariantCulture, $"$ORIGIN {_origin}\n{owner} {ttl} IN {type} {string.Join(' ', rdata)}\n");
        try
        {
            var parsed = Zone.ParseMasterFile(DomainName.Root, new MemoryStream(Encoding.UTF8.GetBytes(text))).ToList();
            if (parsed.Count == 1)
            {
                return parsed[0];
            }

            Error(source, $"{type.ToUpperInvariant()} record did not parse to exactly one record");
            return null;
        }
#pragma warning disable CA1031 // ARSoft throws whatever its field parsers throw on hostile input; each is this record's error.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Error(source, $"cannot parse the {type.ToUpperInvariant()} record '{string.Join(' ', rdata)}': {ex.Message}");
            return null;
        }
    }

    private static string? CheckRdata(RecordType type, string[] rdata)
    {
        switch (type)
        {
            case RecordType.Srv:
                if (rdata.Length != 4)
                {
                    return $"SRV record has {rdata.Length} fields, needs priority weight port target";
                }

                string[] fields = ["priority", "weight", "port"];
                for (var i = 0; i < fields.Length; i++)
                {
                    if (!ushort.TryParse(rdata[i], NumberStyles.None, CultureInfo.InvariantCulture, out _))
                    {
                        return $"SRV {fields[i]} '{rdata[i]}' is not a number in 0..65535";
                    }
                }

                return null;
            case RecordType.A:
                // IPAddress.Parse (and so ARSoft) reads "10.1" as 10.0.0.1; a zone file means four octets.
                return rdata.Length == 1 && rdata[0].Count(c => c == '.') == 3 && IPAddress.TryParse(rdata[0], out var v4) && v4.AddressFamily == AddressFamily.InterNetwork
                    ? null
                    : $"A record needs one IPv4 address in dotted-quad form, not '{string.Join(' ', rdata)}'";
            case RecordType.Aaaa:
                return rdata.Length == 1 && rdata[0].Contains(':', StringComparison.Ordinal) && IPAddress.TryParse(rdata[0], out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6
                    ? null
                    : $"AAAA record needs one IPv6 address, not '{string.Join(' ', rdata)}'";
            default:
                return null;
        }
    }

    private DeclaredService[] FindServices(string origin)
    {
        var addresses = new Dictionary<string, List<IPAddress>>(StringComparer.OrdinalIgnoreCase);
        foreach (var record in _records)
        {
            if (record.Record is ARecord or AaaaRecord)
            {
                var address = record.Record is ARecord a ? a.Address : ((AaaaRecord)record.Record).Address;
                var name = Text(record.Record.Name);
                if (!addresses.TryGetValue(name, out var list))
                {
                    addresses[name] = list = [];
                }

                list.Add(address);
            }
        }

        var services = new List<(ServiceName Service, string Protocol, List<DeclaredTarget> Targets)>();
        foreach (var record in _records)
        {
            if (record.Record is not SrvRecord srv || ServiceOf(srv.Name) is not { } key)
            {
                continue;
            }

            var index = services.FindIndex(s => s.Service == key.Service && s.Protocol == key.Protocol);
            if (index < 0)
            {
                services.Add((key.Service, key.Protocol, []));
                index = services.Count - 1;
            }

            // RFC 2782: target "." means "decidedly not available here"; it declares the service with no server.
            if (srv.Target.LabelCount == 0)
            {
                continue;
            }

            var target = Text(srv.Target);
            IReadOnlyList<IPAddress> targetAddresses = addresses.TryGetValue(target, out var found) ? found.ToArray() : [];
            services[index].Targets.Add(new DeclaredTarget(target, srv.Port, srv.Priority, srv.Weight, srv.TimeToLive, targetAddresses, record.Source));
        }

        return services.Select(s => new DeclaredService(s.Service, s.Protocol, origin, s.Targets.ToArray())).ToArray();
    }

    private (ServiceName Service, string Protocol)? ServiceOf(DomainName owner)
    {
        // Exactly _service._proto.<origin>: a deeper owner (_http._tcp.web.<origin>) is a named port, not a service.
        if (owner.LabelCount != _zoneOrigin!.LabelCount + 2 || !owner.IsSubDomainOf(_zoneOrigin))
        {
            return null;
        }

        var (serviceLabel, protocolLabel) = (owner.Labels[0], owner.Labels[1].ToLowerInvariant());
        if (protocolLabel is not ("_tcp" or "_udp") || serviceLabel.Length < 2 || serviceLabel[0] != '_'
            || !ServiceName.TryParse(serviceLabel[1..].ToLowerInvariant(), out var service, out _))
        {
            return null;
        }

        return (service, protocolLabel[1..]);
    }

    private bool EnsureZoneOrigin(RecordSource source)
    {
        if (_zoneOrigin is null)
        {
            _zoneOrigin = FileNameOrigin(source);
            _origin = _zoneOrigin;
        }

        return _zoneOrigin is not null;
    }

    private DomainName? FileNameOrigin(RecordSource? source)
    {
        var name = Path.GetFileName(_topFile);
        name = name[..^ZoneLoader.Extension.Length];
        if (DomainName.TryParse(name.Length == 0 ? "." : name, out var origin) && name.Length > 0)
        {
            return origin;
        }

        if (source is not null)
        {
            Error(source, $"the file has no $ORIGIN before its first record and its name does not give one ('{name}' is not a domain name)");
        }

        return null;
    }

    private bool TryResolve(string token, DomainName origin, RecordSource source, out DomainName name)
    {
        string text;
        if (token == "@")
        {
            name = origin;
            return true;
        }
        else if (IsAbsolute(token))
        {
            text = token;
        }
        else
        {
            text = origin.LabelCount == 0 ? token + "." : $"{token}.{origin}";
        }

        if (text.Contains("..", StringComparison.Ordinal) || !DomainName.TryParse(text, out name!))
        {
            name = DomainName.Root;
            Error(source, $"'{token}' is not a valid domain name");
            return false;
        }

        return true;
    }

    private static bool IsAbsolute(string token)
    {
        if (!token.EndsWith('.'))
        {
            return false;
        }

        // "a\." ends with an escaped dot, which is part of the last label, not the root.
        var backslashes = 0;
        for (var i = token.Length - 2; i >= 0 && token[i] == '\\'; i--)
        {
            backslashes++;
        }

        return backslashes % 2 == 0;
    }

    private static bool IsClass(string token) =>
        token.ToUpperInvariant() is "IN" or "CH" or "HS" or "CS";

    private static bool IsRecordType(string token, out RecordType type)
    {
        type = RecordType.Invalid;
        return token.Length > 0 && char.IsAsciiLetter(token[0])
            && Enum.TryParse(token, ignoreCase: true, out type) && type != RecordType.Invalid;
    }

    private bool IsInsideRoot(string fullPath)
    {
        var relative = Path.GetRelativePath(root, fullPath);
        return relative != ".." && !relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal) && !Path.IsPathRooted(relative);
    }

    private static string? ResolvedLink(string fullPath)
    {
        try
        {
            return File.Exists(fullPath) ? new FileInfo(fullPath).ResolveLinkTarget(returnFinalTarget: true)?.FullName : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private string Relative(string fullPath) => Path.GetRelativePath(root, fullPath).Replace(Path.DirectorySeparatorChar, '/');

    private static string Text(DomainName name) => name.ToString().ToLowerInvariant();

    private void Error(string file, int line, string message) => Error(new RecordSource(file, line), message);

    private void Error(RecordSource source, string message)
    {
        _failed = true;
        errors.Add(new ZoneLoadError(source, message));
    }
}
