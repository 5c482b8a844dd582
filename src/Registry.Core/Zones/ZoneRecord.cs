using ARSoft.Tools.Net.Dns;

namespace Registry.Core.Zones;

/// <summary>One record of a zone file with its provenance (DESIGN §5): what the DNS facade serves and where it came from.</summary>
/// <param name="Record">The record as ARSoft parsed it; its owner name is absolute.</param>
/// <param name="Source">The file and line where the record starts.</param>
public sealed record ZoneRecord(DnsRecordBase Record, RecordSource Source);
