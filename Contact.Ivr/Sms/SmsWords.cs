using Contact.Core.Catalog;
using Contact.Core.Infrastructure;
using Contact.Core.Notifications;

namespace Contact.Ivr.Sms;

/// <summary>One text being answered: what came in, the conversation's state, and the reply's language as it goes.</summary>
internal sealed class SmsTurn(SmsInput input, SmsState state, SmsReplyLanguage language)
{
    public SmsInput Input { get; } = input;
    public SmsState State { get; set; } = state;

    /// <summary>The reply's language, kept in the caller's <see cref="SmsReplyLanguage"/> so an apology can use it.</summary>
    public Language Language { get => language.Value; set => language.Value = value; }
    public long? CaseId { get; set; }
    public bool Started { get; set; }
}

/// <summary>The words texting works with: keywords, and the replies in the language given.</summary>
internal static class SmsWords
{
    internal const int MaxListed = 9;

    internal static readonly HashSet<string> StopWords = new(StringComparer.Ordinal) { "stop", "arret", "unsubscribe", "cancel", "end", "quit", "stopall", "optout", "revoke" };
    internal static readonly HashSet<string> StartWords = new(StringComparer.Ordinal) { "start", "unstop" };
    internal static readonly HashSet<string> HelpWords = new(StringComparer.Ordinal) { "help", "aide", "info" };
    internal static readonly HashSet<string> YesWords = new(StringComparer.Ordinal) { "yes", "y", "oui", "o", "ok", "yep", "yeah", "1" };
    internal static readonly HashSet<string> NoWords = new(StringComparer.Ordinal) { "no", "n", "non", "nope", "2" };
    internal static readonly HashSet<string> SkipWords = new(StringComparer.Ordinal) { "skip", "passer", "passe", "none", "aucune", "non", "no" };

    internal static readonly HashSet<string> FrenchWords = new(StringComparer.Ordinal)
    {
        "le", "la", "les", "de", "des", "du", "au", "aux", "un", "une", "et", "est", "sur", "dans", "pour", "avec", "pas", "je", "j", "il",
        "elle", "mon", "ma", "mes", "rue", "nid", "poule", "bonjour", "allo", "merci", "oui", "non", "chez", "devant", "pres", "coin",
        "ya", "qui", "que", "ne", "plus", "tres", "trou", "encore", "depuis", "svp", "voisin", "ete", "chemin", "cest",
    };

    internal static readonly HashSet<string> EnglishWords = new(StringComparer.Ordinal)
    {
        "the", "at", "on", "in", "is", "my", "an", "of", "there", "street", "st", "road", "rd", "hi", "hello", "thanks", "thank",
        "yes", "no", "please", "near", "and", "with", "for", "not", "this", "it", "has", "been", "outside", "corner", "big", "huge",
    };

    internal static readonly ResourceTexts Texts = ResourceTexts.Of<SmsText>();

    /// <summary>A reply's words in the conversation's language, given explicitly (never the thread's culture).</summary>
    internal static string T(Language language, string key, params object[] args) => Texts.Get(language, key, args);

    /// <summary>The whole text as a keyword: lower case, no accents, no surrounding punctuation.</summary>
    internal static string Word(string body) => CatalogSnapshot.Fold(body).Trim().Trim('.', '!', '?', ',', ';', ':', '"', '\'').Trim();

    /// <summary>
    /// The numbers of a list a text picks ("1,3", "2 and 5", "4 et 7"), each from 1 to <paramref name="max"/>; null when
    /// anything else is in it.
    /// </summary>
    internal static List<int>? Numbers(string body, int max)
    {
        var numbers = new List<int>();
        foreach (var pick in body.Split([',', ' ', ';', '/', '+', '&'], StringSplitOptions.RemoveEmptyEntries)
                     .Where(t => !(t.Equals("and", StringComparison.OrdinalIgnoreCase) || t.Equals("et", StringComparison.OrdinalIgnoreCase))))
        {
            if (!int.TryParse(pick.Trim('.'), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) || n < 1 || n > max)
            {
                return null;
            }
            numbers.Add(n);
        }
        return numbers;
    }

    /// <summary>A lead sentence before the prompt, dropped when both would not fit the budget.</summary>
    internal static string Lead(string? lead, string prompt)
    {
        if (lead is null)
        {
            return prompt;
        }
        var both = lead + (prompt.Contains('\n', StringComparison.Ordinal) ? "\n" : " ") + prompt;
        return SmsSegments.Fits(both) ? both : prompt;
    }
}
