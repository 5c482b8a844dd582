using ARSoft.Tools.Net;

namespace Registry.Server.Dns;

/// <summary>
/// Domain names from the view's strings. <see cref="DomainName.Parse"/> costs microseconds (it handles escapes and
/// IDN), which at 100,000 registrations is most of an index build; registered names are LDH labels (DESIGN §4), so
/// those are split directly and anything else goes through ARSoft's parser.
/// </summary>
internal static class DnsNames
{
    private const int MaxLabel = 63;
    private const int MaxName = 255;

    /// <summary>The absolute name <paramref name="text"/> (trailing dot optional), or null when it is not one.</summary>
    public static DomainName? TryCreate(string text)
    {
        if (text == ".")
        {
            return DomainName.Root;
        }

        if (!IsPlain(text))
        {
            return DomainName.TryParse(text, out var parsed) ? parsed : null;
        }

        // RFC 1035 §2.3.4: labels of 1..63 octets, and 255 octets on the wire, which is the text without its final
        // dot plus the first label's length octet and the root's.
        var relative = text.EndsWith('.') ? text[..^1] : text;
        var labels = relative.Split('.');
        return relative.Length + 2 > MaxName || Array.Exists(labels, l => l.Length is 0 or > MaxLabel)
            ? null
            : new DomainName(labels);
    }

    /// <summary>True when the text has nothing ARSoft's parser would interpret: letters, digits, <c>-_*</c> and dots.</summary>
    public static bool IsPlain(string text)
    {
        if (text.Length == 0)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '*' or '.'))
            {
                return false;
            }
        }

        return true;
    }
}
