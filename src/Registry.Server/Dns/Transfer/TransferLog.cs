using Microsoft.Extensions.Logging;

namespace Registry.Server.Dns.Transfer;

/// <summary>The log events of zone transfers, TSIG and NOTIFY (event ids 4530–4549). Secrets never appear.</summary>
internal static partial class TransferLog
{
    [LoggerMessage(4530, LogLevel.Information, "{Kind} of {Zone} serial {Serial} served to {Peer}: {Records} records in {Messages} messages")]
    public static partial void Served(ILogger logger, string kind, string zone, uint serial, string peer, int records, int messages);

    [LoggerMessage(4531, LogLevel.Warning, "{Kind} of {Zone} refused to {Peer}: {Reason}")]
    public static partial void Refused(ILogger logger, string kind, string zone, string peer, string reason);

    [LoggerMessage(4532, LogLevel.Warning, "TSIG of a query from {Peer} rejected: {Error} (key {Key})")]
    public static partial void TsigRejected(ILogger logger, string peer, string error, string key);

    [LoggerMessage(4533, LogLevel.Debug, "IXFR of {Zone} from {Peer}: client serial {ClientSerial} is current (serial {Serial}), answered with the SOA")]
    public static partial void IxfrCurrent(ILogger logger, string zone, string peer, uint clientSerial, uint serial);

    [LoggerMessage(4534, LogLevel.Warning, "transfer of {Zone} to {Peer} failed: {Reason}")]
    public static partial void Failed(ILogger logger, string zone, string peer, string reason);

    [LoggerMessage(4535, LogLevel.Debug, "signed query from {Peer} answered (key {Key})")]
    public static partial void SignedAnswered(ILogger logger, string peer, string key);

    [LoggerMessage(4540, LogLevel.Debug, "NOTIFY for {Zone} serial {Serial} sent to {Target} (try {Try})")]
    public static partial void NotifySent(ILogger logger, string zone, uint serial, string target, int @try);

    [LoggerMessage(4541, LogLevel.Information, "NOTIFY for {Zone} serial {Serial} acknowledged by {Target} after {Tries} tries")]
    public static partial void NotifyAcknowledged(ILogger logger, string zone, uint serial, string target, int tries);

    [LoggerMessage(4542, LogLevel.Warning, "NOTIFY for {Zone} serial {Serial} to {Target} given up after {Tries} tries without an answer")]
    public static partial void NotifyGaveUp(ILogger logger, string zone, uint serial, string target, int tries);

    [LoggerMessage(4543, LogLevel.Warning, "NOTIFY for {Zone} to {Target} could not be sent: {Reason}")]
    public static partial void NotifyFailed(ILogger logger, string zone, string target, string reason);

    [LoggerMessage(4545, LogLevel.Information, "SOA serials restored from {Path}: {Serials}")]
    public static partial void SerialsRestored(ILogger logger, string path, string serials);

    [LoggerMessage(4546, LogLevel.Warning, "could not read the SOA serials {Path}: {Reason}; serials start from the zone files")]
    public static partial void SerialsRestoreFailed(ILogger logger, string path, string reason);

    [LoggerMessage(4547, LogLevel.Warning, "could not save the SOA serials to {Path}: {Reason}")]
    public static partial void SerialsSaveFailed(ILogger logger, string path, string reason);
}
