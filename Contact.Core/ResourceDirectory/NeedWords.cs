using System.Globalization;
using System.Text;
using Contact.Core.Infrastructure;

namespace Contact.Core.ResourceDirectory;

/// <summary>One need a person can name by a word or pick on the keypad, and the taxonomy terms it searches.</summary>
/// <param name="Code">A stable key ("food", "mental_health"), kept in conversation and call state.</param>
/// <param name="Word">The word to show for it in English (upper case, as a person would text it).</param>
/// <param name="WordFr">The word to show for it in French.</param>
/// <param name="Terms">The taxonomy codes searched; each finds its children.</param>
public sealed record Need(string Code, string Word, string WordFr, IReadOnlyList<string> Terms)
{
    /// <summary>The word to show in <paramref name="language"/>.</summary>
    public string WordIn(Language language) => language == Language.French ? WordFr : Word;
}

/// <summary>What a self-serve text says: the needs named (in order), the postal code, and the words' language.</summary>
/// <param name="Needs">The needs named, first named first, without repeats.</param>
/// <param name="PostalCode">The postal code as "K1P 1J1" or the area alone as "K1P", upper case; null when none.</param>
/// <param name="MalformedPostalCode">Something shaped like a postal code that is not a valid one ("D1P 1J1"), as typed.</param>
/// <param name="Language">The language of the need words named, when they were all of one; null when none tells.</param>
public sealed record SelfServeText(IReadOnlyList<Need> Needs, string? PostalCode, string? MalformedPostalCode, Language? Language)
{
    /// <summary>The taxonomy codes of every need named, without repeats.</summary>
    public IReadOnlyList<string> Terms => [.. Needs.SelectMany(n => n.Terms).Distinct(StringComparer.Ordinal)];

    /// <summary>The forward sortation area (first three characters) of the postal code.</summary>
    public string? Fsa => PostalCode?[..3];
}

/// <summary>
/// The words people text or say for what they need (English and French, accents and case folded, singular or
/// plural), the needs offered on the phone keypad, and the parser for a self-serve text such as "FOOD K1P 1J1" or
/// "nourriture h2x1y4": need words and a Canadian postal code, in any order.
/// </summary>
public static class NeedWords
{
    /// <summary>Every need, in the order they are listed to a person.</summary>
    public static readonly IReadOnlyList<Need> All =
    [
        new("food", "FOOD", "NOURRITURE", ["BD-1800", "BD-5000"]),
        new("shelter", "SHELTER", "HÉBERGEMENT", ["BH-1800"]),
        new("rent", "RENT", "LOYER", ["BH-3800"]),
        new("mental_health", "MENTAL HEALTH", "SANTÉ MENTALE", ["RP-1400", "RP-1500"]),
        new("income", "MONEY", "ARGENT", ["NL-1000"]),
        new("job", "JOB", "EMPLOI", ["ND-6500"]),
        new("legal", "LEGAL", "JURIDIQUE", ["FT-3000"]),
        new("newcomer", "NEWCOMER", "NOUVEL ARRIVANT", ["TJ-3000"]),
        new("senior", "SENIOR", "AÎNÉ", ["LH-0350"]),
    ];

    /// <summary>The most-asked needs offered on the phone's keypad: key 1 is the first.</summary>
    public static readonly IReadOnlyList<Need> Keypad =
        [.. new[] { "food", "shelter", "mental_health", "income", "legal", "newcomer", "senior" }.Select(c => Find(c)!)];

    private static readonly Language English = Language.English;
    private static readonly Language French = Language.French;

    /// <summary>Folded phrases (one or more words) → need code and the language the phrase belongs to (null: both).</summary>
    private static readonly (string[] Words, string Code, Language? Language)[] Phrases =
    [
        (["food"], "food", English),
        (["nourriture"], "food", French),
        (["shelter"], "shelter", English),
        (["hebergement"], "shelter", French),
        (["refuge"], "shelter", null),
        (["housing"], "shelter", English),
        (["logement"], "shelter", French),
        (["rent"], "rent", English),
        (["loyer"], "rent", French),
        (["mental", "health"], "mental_health", English),
        (["counselling"], "mental_health", English),
        (["counseling"], "mental_health", null),
        (["sante", "mentale"], "mental_health", French),
        (["income"], "income", English),
        (["money"], "income", English),
        (["revenu"], "income", French),
        (["argent"], "income", French),
        (["job"], "job", English),
        (["work"], "job", English),
        (["emploi"], "job", French),
        (["travail"], "job", French),
        (["legal"], "legal", English),
        (["law"], "legal", English),
        (["juridique"], "legal", French),
        (["newcomer"], "newcomer", English),
        (["nouvel", "arrivant"], "newcomer", French),
        (["nouvelle", "arrivante"], "newcomer", French),
        (["nouveaux", "arrivant"], "newcomer", French),
        (["nouvelles", "arrivante"], "newcomer", French),
        (["arrivant"], "newcomer", French),
        (["immigrant"], "newcomer", null),
        (["senior"], "senior", English),
        (["aine"], "senior", French),
        (["ainee"], "senior", French),
    ];

    /// <summary>Small words allowed around the need words and the postal code ("food near K1P", "aide alimentaire… à H2X").</summary>
    private static readonly HashSet<string> Fillers = new(StringComparer.Ordinal)
    {
        "near", "in", "at", "around", "for", "and", "my", "postal", "code", "i", "need", "please", "pls", "the", "me", "help", "with",
        "pres", "de", "du", "a", "au", "dans", "pour", "et", "mon", "ma", "j", "ai", "besoin", "svp", "stp", "le", "la", "aide", "d",
    };

    /// <summary>The need with this code, or null.</summary>
    public static Need? Find(string? code) => All.FirstOrDefault(n => n.Code == code);

    /// <summary>The need words in <paramref name="language"/>, for a message listing them: "FOOD, SHELTER, …".</summary>
    public static string List(Language language) => string.Join(", ", All.Select(n => n.WordIn(language)));

    /// <summary>Lower case, accents removed, apostrophes and punctuation as spaces.</summary>
    public static string Fold(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var decomposed = text.ToLowerInvariant().Normalize(NormalizationForm.FormD);
        var folded = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            var category = CharUnicodeInfo.GetUnicodeCategory(c);
            if (category == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }
            folded.Append(char.IsLetterOrDigit(c) ? c : ' ');
        }
        return folded.ToString().Normalize(NormalizationForm.FormC);
    }

    /// <summary>A word's singular: "seniors" → "senior", "emplois" → "emploi", "nouveaux" is kept (listed as is).</summary>
    private static string Singular(string word) =>
        word.Length > 3 && word[^1] is 's' or 'x' && word != "nouveaux" ? word[..^1] : word;

    /// <summary>
    /// Reads a self-serve text: need words and a postal code in any order, among a few small words. Null when the
    /// text says anything else (a problem to report, a question), so other conversations are left alone.
    /// </summary>
    public static SelfServeText? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = Fold(text).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var needs = new List<Need>();
        var languages = new HashSet<Language>();
        string? postal = null;
        string? malformed = null;
        for (var i = 0; i < tokens.Length;)
        {
            if (MatchPhrase(tokens, i) is { } phrase)
            {
                var need = Find(phrase.Code)!;
                if (!needs.Contains(need))
                {
                    needs.Add(need);
                }
                if (phrase.Language is { } language)
                {
                    languages.Add(language);
                }
                i += phrase.Length;
                continue;
            }
            if (postal is null && malformed is null && MatchPostalCode(tokens, i) is { } code)
            {
                if (code.Valid)
                {
                    postal = code.Value;
                }
                else
                {
                    malformed = code.Value;
                }
                i += code.Length;
                continue;
            }
            if (!Fillers.Contains(tokens[i]))
            {
                return null;
            }
            i++;
        }
        if (needs.Count == 0 && postal is null && malformed is null)
        {
            return null;
        }
        return new SelfServeText(needs, postal, malformed, languages.Count == 1 ? languages.First() : null);
    }

    private static (string Code, Language? Language, int Length)? MatchPhrase(string[] tokens, int at)
    {
        foreach (var (words, code, language) in Phrases.OrderByDescending(p => p.Words.Length))
        {
            if (at + words.Length > tokens.Length)
            {
                continue;
            }
            var all = true;
            for (var k = 0; k < words.Length && all; k++)
            {
                var token = tokens[at + k];
                all = token == words[k] || Singular(token) == words[k];
            }
            if (all)
            {
                return (code, language, words.Length);
            }
        }
        return null;
    }

    /// <summary>A postal code at <paramref name="at"/>: "k1p1j1", "k1p 1j1" (two tokens) or "k1p" alone.</summary>
    private static (string Value, bool Valid, int Length)? MatchPostalCode(string[] tokens, int at)
    {
        var first = tokens[at];
        if (first.Length == 6 && Shaped(first))
        {
            var value = (first[..3] + " " + first[3..]).ToUpperInvariant();
            return (value, NormalisePostalCode(value) is not null, 1);
        }
        if (first.Length == 3 && Shaped(first))
        {
            if (at + 1 < tokens.Length && tokens[at + 1].Length == 3 && Shaped(first + tokens[at + 1]))
            {
                var value = (first + " " + tokens[at + 1]).ToUpperInvariant();
                return (value, NormalisePostalCode(value) is not null, 2);
            }
            var fsa = first.ToUpperInvariant();
            return (fsa, NormalisePostalCode(fsa) is not null, 1);
        }
        return null;
    }

    /// <summary>Letter, digit, letter, … in turn: looks like a postal code, valid or not.</summary>
    private static bool Shaped(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (i % 2 == 0 ? !char.IsAsciiLetter(s[i]) : !char.IsAsciiDigit(s[i]))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// A Canadian postal code as "K1P 1J1", or an area alone as "K1P"; null when it is not one. Letters are never
    /// D, F, I, O, Q or U, and the first is never W or Z.
    /// </summary>
    public static string? NormalisePostalCode(string? text)
    {
        if (text is null)
        {
            return null;
        }
        var compact = new string([.. text.Where(c => !char.IsWhiteSpace(c) && c != '-')]).ToUpperInvariant();
        if (compact.Length is not (3 or 6))
        {
            return null;
        }
        for (var i = 0; i < compact.Length; i++)
        {
            var c = compact[i];
            var ok = i % 2 == 0
                ? c is >= 'A' and <= 'Z' && !"DFIOQU".Contains(c, StringComparison.Ordinal) && !(i == 0 && c is 'W' or 'Z')
                : char.IsAsciiDigit(c);
            if (!ok)
            {
                return null;
            }
        }
        return compact.Length == 3 ? compact : compact[..3] + " " + compact[3..];
    }

    /// <summary>The letters and digit a key carries on a phone keypad, for a postal code keyed in.</summary>
    private static readonly string[] KeyLetters = ["", "", "ABC", "DEF", "GHI", "JKL", "MNO", "PQRS", "TUV", "WXYZ"];

    /// <summary>
    /// Every valid forward sortation area the first three keys of a keyed postal code could mean: letter keys 2–9,
    /// then the digit itself, then a letter key ("517" → J1P, J1R, J1S, K1P, …, L1S). Empty when the keys cannot be one.
    /// </summary>
    public static IReadOnlyList<string> FsasForKeys(string? digits)
    {
        if (digits is null || digits.Length < 3 || !digits[..3].All(char.IsAsciiDigit))
        {
            return [];
        }
        var firsts = KeyLetters[digits[0] - '0'];
        var thirds = KeyLetters[digits[2] - '0'];
        var found = new List<string>();
        foreach (var a in firsts)
        {
            foreach (var c in thirds)
            {
                if (NormalisePostalCode(string.Concat(a, digits[1], c)) is { } fsa)
                {
                    found.Add(fsa);
                }
            }
        }
        return found;
    }

    /// <summary>Number and letter names as speech recognition may write them ("kay one pee"), in English and French.</summary>
    private static readonly Dictionary<string, string> Spoken = new(StringComparer.Ordinal)
    {
        ["zero"] = "0", ["oh"] = "0", ["one"] = "1", ["two"] = "2", ["to"] = "2", ["too"] = "2", ["three"] = "3", ["four"] = "4",
        ["for"] = "4", ["five"] = "5", ["six"] = "6", ["seven"] = "7", ["eight"] = "8", ["nine"] = "9",
        ["un"] = "1", ["une"] = "1", ["deux"] = "2", ["trois"] = "3", ["quatre"] = "4", ["cinq"] = "5", ["sept"] = "7",
        ["huit"] = "8", ["neuf"] = "9",
        ["bee"] = "b", ["be"] = "b", ["see"] = "c", ["cee"] = "c", ["gee"] = "g", ["jay"] = "j", ["kay"] = "k", ["el"] = "l",
        ["em"] = "m", ["en"] = "n", ["pee"] = "p", ["are"] = "r", ["ar"] = "r", ["es"] = "s", ["tee"] = "t", ["vee"] = "v",
        ["ex"] = "x", ["why"] = "y", ["wy"] = "y",
    };

    /// <summary>
    /// A postal code (or its area) from what speech recognition heard: "K1P 1J1", "k 1 p 1 j 1", "kay one pee", "K1P1J1.";
    /// null when no valid one can be read from it.
    /// </summary>
    public static string? PostalCodeFromSpeech(string? heard)
    {
        if (string.IsNullOrWhiteSpace(heard))
        {
            return null;
        }
        var joined = new StringBuilder();
        foreach (var token in Fold(heard).Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            joined.Append(Spoken.TryGetValue(token, out var spelled) ? spelled : token);
        }
        // Words around the code ("my postal code is …") carry no digits, so the first letter-digit-letter run is it.
        var compact = joined.ToString();
        for (var i = 0; i + 3 <= compact.Length; i++)
        {
            if (i + 6 <= compact.Length && NormalisePostalCode(compact.Substring(i, 6)) is { } full)
            {
                return full;
            }
            if (NormalisePostalCode(compact.Substring(i, 3)) is { } fsa)
            {
                return fsa;
            }
        }
        return null;
    }
}
