namespace Registry.ZooKeeper.Protocol;

/// <summary>
/// Transaction ids the protocol reserves for frames that are not replies to ordinary requests.
/// Ordinary requests use positive xids; the counter wraps from <see cref="int.MaxValue"/> to 1.
/// </summary>
internal static class Xids
{
    public const int Notification = -1;
    public const int Ping = -2;
    public const int Auth = -4;
    public const int SetWatches = -8;

    public static int Next(int current) => current >= int.MaxValue || current < 1 ? 1 : current + 1;
}
