namespace Registry.Core.Names;

/// <summary>
/// DNS name rules (RFC 1035 §2.3.1 LDH, RFC 1123 §2.1 leading digits): labels of letters, digits and inner
/// hyphens, 1..63 octets; whole names at most 255 octets on the wire. Service names and instance ids must be
/// labels because they become parts of DNS names (<c>_web._tcp.zone</c>, <c>i1.web.zone</c>).
/// </summary>
public static class DnsLabel
{
    /// <summary>The longest label, in octets.</summary>
    public const int MaxLabelLength = 63;

    /// <summary>The longest presentation-form name (without the trailing dot) that fits in 255 wire octets.</summary>
    public const int MaxNameLength = 253;

    /// <summary>Null when <paramref name="label"/> is a valid LDH label; otherwise why it is not.</summary>
    public static string? Check(string? label)
    {
        if (string.IsNullOrEmpty(label))
        {
            return "it is empty";
        }

        if (label.Length > MaxLabelLength)
        {
            return $"it is {label.Length} characters long; a DNS label holds at most {MaxLabelLength}";
        }

        for (var i = 0; i < label.Length; i++)
        {
            var c = label[i];
            var ok = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') || (c == '-' && i > 0 && i < label.Length - 1);
            if (!ok)
            {
                return c == '-'
                    ? "it starts or ends with '-'"
                    : $"character '{(char.IsControl(c) ? $"U+{(int)c:X4}" : c.ToString())}' at position {i} is not a letter, digit or inner '-'";
            }
        }

        return null;
    }

    /// <summary>True when <paramref name="label"/> is a valid LDH label.</summary>
    public static bool IsValid(string? label) => Check(label) is null;
}
