namespace Contact.Ivr.Twilio;

/// <summary>Twilio settings (section "Twilio").</summary>
public sealed class TwilioOptions
{
    public const string Section = "Twilio";

    /// <summary>The account, for the REST client.</summary>
    public string? AccountSid { get; set; }

    /// <summary>Signs every webhook; required outside Development.</summary>
    public string? AuthToken { get; set; }

    /// <summary>The address Twilio calls (e.g. https://contact.example.org) when the host sits behind a proxy.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Which number is which line: "+16135550311" → "311".</summary>
    public Dictionary<string, string> Lines { get; set; } = [];

    /// <summary>
    /// Where calls go while the case store is down (E.164, e.g. "+16135550100"): callers hear an apology and are put
    /// through; texts are told to call it. Empty: callers are asked to call back later.
    /// </summary>
    public string? OverflowNumber { get; set; }

    /// <summary>The first number configured for <paramref name="line"/> ("311" or "211"), or null.</summary>
    /// <param name="line">311 or 211.</param>
    public string? NumberOf(string line) => Lines.Where(l => l.Value == line).Select(l => l.Key).Order(StringComparer.Ordinal).FirstOrDefault();

    /// <summary>True when <paramref name="number"/> is empty or an E.164 number ("+" and 2 to 15 digits, no leading 0).</summary>
    /// <param name="number">The configured overflow number.</param>
    public static bool IsE164OrEmpty(string? number) =>
        string.IsNullOrEmpty(number) || (number.Length is >= 3 and <= 16 && number[0] == '+' && number[1] is >= '1' and <= '9' && number[1..].All(char.IsAsciiDigit));
}
