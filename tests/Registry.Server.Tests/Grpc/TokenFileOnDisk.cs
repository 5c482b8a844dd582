namespace Registry.Server.Tests.Grpc;

/// <summary>A token file (<c>--auth-tokens</c>) in a directory of its own, rewritten as git would: a new file renamed over the old.</summary>
internal sealed class TokenFileOnDisk : IDisposable
{
    private readonly string _directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "registry-server-tests", Guid.NewGuid().ToString("N"));

    /// <summary>Writes the file with one line per token: the token's hash and the services it may write.</summary>
    public TokenFileOnDisk(params (string Token, string Services)[] tokens)
    {
        Directory.CreateDirectory(_directory);
        Write(tokens);
    }

    public string Path => System.IO.Path.Combine(_directory, "tokens");

    public void Write(params (string Token, string Services)[] tokens) =>
        WriteRaw(string.Concat(tokens.Select(t => $"{TokenFileTests.Line(t.Token)}  {t.Services}\n")));

    public void WriteRaw(string text)
    {
        var temp = System.IO.Path.Combine(_directory, $"tokens.{Guid.NewGuid():N}.tmp");
        File.WriteAllText(temp, text);
        File.Move(temp, Path, overwrite: true);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
