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
}
