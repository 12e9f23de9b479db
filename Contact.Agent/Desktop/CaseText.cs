using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Contact.Core.Cases;
using Contact.Core.Staff;
using Microsoft.Extensions.Localization;

namespace Contact.Agent.Desktop;

/// <summary>Names the desktop's server-side words: CaseText.resx (English) and CaseText.fr.resx (French).</summary>
public sealed class CaseText;

/// <summary>History entries and refusals in the member's language.</summary>
public sealed partial class CaseTextLocalizer(IStringLocalizer<CaseText> strings)
{
    [GeneratedRegex(@"\{([a-z_]+)\}")]
    private static partial Regex Placeholder();

    /// <summary>A history entry in words: the template for its kind, filled from its data.</summary>
    public string Describe(CaseEvent e)
    {
        var template = strings["event." + e.Kind];
        if (template.ResourceNotFound)
        {
            template = strings["event.other"];
        }
        using var data = JsonDocument.Parse(e.Data);
        return Placeholder().Replace(template.Value, m =>
        {
            var name = m.Groups[1].Value;
            var value = data.RootElement.TryGetProperty(name, out var v) ? v.ValueKind switch
            {
                JsonValueKind.Array => string.Join(", ", v.EnumerateArray().Select(x => x.ToString())),
                JsonValueKind.Null => "",
                _ => v.ToString(),
            } : "";
            // A coded value (a reason, a method) reads in words when there are words for it.
            if (value.Length is > 0 and <= 64 && strings[$"value.{name}.{value}"] is { ResourceNotFound: false } words)
            {
                value = words.Value;
            }
            // An optional note reads as ": text" after the sentence, or nothing.
            return name == "note" ? (value.Length == 0 ? "" : ": " + value) : value;
        });
    }

    /// <summary>A refusal in words.</summary>
    public string Refusal(WorkRefusedException e)
    {
        var text = strings[e.Code, [.. e.Args]];
        return text.ResourceNotFound ? e.Message : text.Value;
    }

    /// <summary>A refusal by code.</summary>
    public string Refusal(string code, params object[] args) => strings[code, args];

    /// <summary>The culture desktops use for a language code.</summary>
    public static CultureInfo Culture(string? language) => CultureInfo.GetCultureInfo(language == "fr" ? "fr" : "en");
}
