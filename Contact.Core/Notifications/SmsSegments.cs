namespace Contact.Core.Notifications;

/// <summary>
/// How many SMS segments a text takes: GSM-7 (160 characters, 153 a segment when split; extension characters count
/// twice) when every character is in the GSM 03.38 alphabet, else UCS-2 (70, or 67 a segment when split).
/// </summary>
public static class SmsSegments
{
    /// <summary>The most segments a reply may take.</summary>
    public const int Budget = 3;

    private const string Basic =
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
        "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

    private const string Extension = "\f^{}\\[~]|€";

    /// <summary>True when every character of <paramref name="text"/> is in GSM-7 (basic or extension).</summary>
    public static bool IsGsm7(string text) => text.All(c => Basic.Contains(c, StringComparison.Ordinal) || Extension.Contains(c, StringComparison.Ordinal));

    /// <summary>The length of <paramref name="text"/> in its encoding's units: GSM-7 septets, or UTF-16 code units.</summary>
    public static int Units(string text) =>
        IsGsm7(text) ? text.Sum(c => Extension.Contains(c, StringComparison.Ordinal) ? 2 : 1) : text.Length;

    /// <summary>The number of segments <paramref name="text"/> is sent in (0 for an empty text).</summary>
    public static int Count(string text)
    {
        if (text.Length == 0)
        {
            return 0;
        }
        var gsm = IsGsm7(text);
        var units = Units(text);
        var single = gsm ? 160 : 70;
        var part = gsm ? 153 : 67;
        return units <= single ? 1 : (units + part - 1) / part;
    }

    /// <summary>True when <paramref name="text"/> fits the reply budget of <see cref="Budget"/> segments.</summary>
    public static bool Fits(string text) => Count(text) <= Budget;
}
