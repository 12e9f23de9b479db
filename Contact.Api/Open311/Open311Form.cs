using System.Text.RegularExpressions;

namespace Contact.Api.Open311;

/// <summary>
/// Reads the attribute fields of a POST requests form: <c>attribute[code]=value</c> for one value and
/// <c>attribute[code][]=value</c>, repeated, for a multi-value list.
/// </summary>
internal static partial class Open311Form
{
    [GeneratedRegex(@"^attribute\[([^\[\]]{1,64})\](\[\])?$")]
    private static partial Regex AttributeField();

    /// <summary>The answers by attribute code, and the field names that look like attributes but are malformed.</summary>
    public static (Dictionary<string, IReadOnlyList<string>> Answers, List<string> Malformed) Attributes(IFormCollection form)
    {
        var answers = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var malformed = new List<string>();
        foreach (var (name, values) in form)
        {
            if (!name.StartsWith("attribute", StringComparison.Ordinal))
            {
                continue;
            }
            var match = AttributeField().Match(name);
            if (!match.Success)
            {
                malformed.Add(name);
                continue;
            }
            var code = match.Groups[1].Value;
            if (!answers.TryGetValue(code, out var list))
            {
                answers[code] = list = [];
            }
            list.AddRange(values.OfType<string>());
        }
        return (answers.ToDictionary(a => a.Key, a => (IReadOnlyList<string>)a.Value, StringComparer.Ordinal), malformed);
    }

    [GeneratedRegex(@"<\s*/?\s*[A-Za-z!?][^>]*>|&(#\d+|#x[0-9A-Fa-f]+|[A-Za-z]+);")]
    private static partial Regex Html();

    /// <summary>True when <paramref name="text"/> holds an HTML tag, comment or character reference ("x &lt; 5" is not HTML).</summary>
    public static bool ContainsHtml(string? text) => text is not null && Html().IsMatch(text);

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex W3CDateTime();

    /// <summary>A W3C date-time that carries its time zone (Z or ±hh:mm), or null.</summary>
    public static DateTimeOffset? ParseDate(string? text) =>
        text is not null && W3CDateTime().IsMatch(text)
        && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var at)
            ? at : null;
}
