using System.Text.Json;
using System.Text.RegularExpressions;
using Contact.Core.Cases;
using Contact.Core.Infrastructure;
using Contact.Core.Staff;

namespace Contact.Agent.Desktop;

/// <summary>Names the desktop's server-side words: CaseText.resx (English) and CaseText.fr.resx (French).</summary>
public sealed class CaseText;

/// <summary>History entries and refusals in the member's language, given at each call (never the thread's culture).</summary>
public sealed partial class CaseTextLocalizer
{
    private static readonly ResourceTexts Strings = ResourceTexts.Of<CaseText>();

    [GeneratedRegex(@"\{([a-z_]+)\}")]
    private static partial Regex Placeholder();

    /// <summary>A history entry in words: the template for its kind, filled from its data.</summary>
    public string Describe(CaseEvent e, Language language)
    {
        ArgumentNullException.ThrowIfNull(e);
        var template = Strings.Find(language, "event." + e.Kind) ?? Strings.Get(language, "event.other");
        using var data = JsonDocument.Parse(e.Data);
        return Placeholder().Replace(template, m =>
        {
            var name = m.Groups[1].Value;
            var value = data.RootElement.TryGetProperty(name, out var v) ? v.ValueKind switch
            {
                JsonValueKind.Array => string.Join(", ", v.EnumerateArray().Select(x => x.ToString())),
                JsonValueKind.Null => "",
                _ => v.ToString(),
            } : "";
            // A coded value (a reason, a method) reads in words when there are words for it.
            if (value.Length is > 0 and <= 64 && Strings.Find(language, $"value.{name}.{value}") is { } words)
            {
                value = words;
            }
            // An optional note reads as ": text" after the sentence, or nothing.
            return name == "note" ? (value.Length == 0 ? "" : ": " + value) : value;
        });
    }

    /// <summary>A refusal in words.</summary>
    public string Refusal(WorkRefusedException e, Language language)
    {
        ArgumentNullException.ThrowIfNull(e);
        return Strings.Find(language, e.Code) is { } format ? string.Format(language.Culture, format, [.. e.Args]) : e.Message;
    }

    /// <summary>A refusal by code.</summary>
    public string Refusal(Language language, string code, params object[] args) => Strings.Get(language, code, args);
}
