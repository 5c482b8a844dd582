using System.Text;

namespace Registry.Core.Zones;

/// <summary>One logical line of a master file: its tokens as written (quotes and escapes kept) and where it starts.</summary>
/// <param name="Line">The 1-based line of the first token.</param>
/// <param name="InheritsOwner">The line starts with a blank, so its owner is the previous record's (RFC 1035 §5.1).</param>
/// <param name="Tokens">The tokens, at least one.</param>
internal sealed record MasterFileEntry(int Line, bool InheritsOwner, IReadOnlyList<string> Tokens);

/// <summary>
/// Splits RFC 1035 §5.1 master-file text into logical lines, tracking physical line numbers. ARSoft's own reader
/// joins parenthesised lines without counting them, so provenance and error lines have to come from here; the
/// tokens are then handed back to ARSoft one record at a time.
/// </summary>
internal static class MasterFileScanner
{
    /// <summary>Scans <paramref name="text"/>; syntax problems go to <paramref name="error"/> (line, message) and scanning goes on.</summary>
    public static List<MasterFileEntry> Scan(string text, Action<int, string> error)
    {
        var entries = new List<MasterFileEntry>();
        var tokens = new List<string>();
        var token = new StringBuilder();
        var line = 1;
        var entryLine = 0;
        var parenDepth = 0;
        var parenLine = 0;
        var inQuote = false;
        var atLineStart = true;
        var inheritsOwner = false;

        void EndToken()
        {
            if (token.Length > 0)
            {
                if (tokens.Count == 0)
                {
                    entryLine = line;
                }

                tokens.Add(token.ToString());
                token.Clear();
            }
        }

        void EndEntry()
        {
            EndToken();
            if (tokens.Count > 0)
            {
                entries.Add(new MasterFileEntry(entryLine, inheritsOwner, tokens.ToArray()));
                tokens.Clear();
            }

            atLineStart = true;
            inheritsOwner = false;
        }

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (atLineStart)
            {
                // Only the first physical line of an entry decides owner inheritance; continuation lines inside
                // parentheses are indented by convention and mean nothing.
                inheritsOwner = c is ' ' or '\t';
                atLineStart = false;
            }

            if (inQuote)
            {
                if (c == '\n')
                {
                    error(line, "quoted string is not closed before the end of the line");
                    inQuote = false;
                    token.Append('"');
                    parenDepth = 0;
                    EndEntry();
                    line++;
                    continue;
                }

                token.Append(c);
                if (c == '\\' && i + 1 < text.Length && text[i + 1] != '\n')
                {
                    token.Append(text[++i]);
                }
                else if (c == '"')
                {
                    inQuote = false;
                }

                continue;
            }

            switch (c)
            {
                case '\\':
                    token.Append(c);
                    if (i + 1 < text.Length && text[i + 1] != '\n')
                    {
                        token.Append(text[++i]);
                    }

                    break;
                case '"':
                    inQuote = true;
                    token.Append(c);
                    break;
                case ';':
                    while (i + 1 < text.Length && text[i + 1] != '\n')
                    {
                        i++;
                    }

                    break;
                case '(':
                    EndToken();
                    if (parenDepth++ == 0)
                    {
                        parenLine = line;
                    }

                    break;
                case ')':
                    EndToken();
                    if (parenDepth == 0)
                    {
                        error(line, "')' without a matching '('");
                    }
                    else
                    {
                        parenDepth--;
                    }

                    break;
                case '\n':
                    if (parenDepth == 0)
                    {
                        EndEntry();
                    }
                    else
                    {
                        EndToken();
                    }

                    line++;
                    break;
                case ' ' or '\t' or '\r':
                    EndToken();
                    break;
                default:
                    token.Append(c);
                    break;
            }
        }

        if (inQuote)
        {
            error(line, "quoted string is not closed before the end of the file");
        }
        else if (parenDepth > 0)
        {
            error(parenLine, "'(' is not closed before the end of the file");
        }
        else
        {
            EndEntry();
        }

        return entries;
    }
}
