using System.Globalization;

namespace Contact.Core.Infrastructure;

/// <summary>
/// A language Contact speaks: English or French. Anything else a resident or a setting gives is English, so a
/// <see cref="Language"/> is always one of the two; <c>default</c> is English too.
/// </summary>
public readonly record struct Language
{
    private readonly bool _french;

    private Language(bool french) => _french = french;

    /// <summary>English.</summary>
    public static Language English { get; } = new(false);

    /// <summary>French.</summary>
    public static Language French { get; } = new(true);

    /// <summary>The ISO 639-1 code: "en" or "fr".</summary>
    public string Code => _french ? "fr" : "en";

    /// <summary>The culture its words are looked up and formatted in ("en" or "fr").</summary>
    public CultureInfo Culture => CultureInfo.GetCultureInfo(Code);

    /// <summary>The Canadian culture for dates and numbers a resident reads or hears ("en-CA" or "fr-CA").</summary>
    public CultureInfo Canadian => CultureInfo.GetCultureInfo(_french ? "fr-CA" : "en-CA");

    /// <summary>Both, English first.</summary>
    public static IReadOnlyList<Language> All { get; } = [English, French];

    /// <summary>Whether <paramref name="code"/> is exactly this language's code.</summary>
    public bool Is(string? code) => code == Code;

    /// <summary>Whether <paramref name="code"/> is exactly "en" or "fr": what a setting, a form or a file may give.</summary>
    public static bool IsCode(string? code) => code is "en" or "fr";

    /// <summary>French for "fr" (any case), English for anything else, null included.</summary>
    public static Language Of(string? code) => string.Equals(code?.Trim(), "fr", StringComparison.OrdinalIgnoreCase) ? French : English;

    /// <summary>The language of <paramref name="culture"/> ("fr", "fr-CA": French), English for any other or none.</summary>
    public static Language Of(CultureInfo? culture) => Of(culture?.TwoLetterISOLanguageName);

    /// <summary>The code.</summary>
    public override string ToString() => Code;
}

/// <summary>A line residents call or text: 311 (the City's services) or 211 (community, health and social services).</summary>
public readonly record struct Line
{
    private readonly bool _community;

    private Line(bool community) => _community = community;

    /// <summary>311, the City's services.</summary>
    public static Line City { get; } = new(false);

    /// <summary>211, community, health and social services.</summary>
    public static Line Community { get; } = new(true);

    /// <summary>"311" or "211", as stored on cases and calls.</summary>
    public string Code => _community ? "211" : "311";

    /// <summary>Both, 311 first.</summary>
    public static IReadOnlyList<Line> All { get; } = [City, Community];

    /// <summary>Whether <paramref name="code"/> is this line's code.</summary>
    public bool Is(string? code) => code == Code;

    /// <summary>Whether <paramref name="code"/> is exactly "311" or "211".</summary>
    public static bool IsCode(string? code) => code is "311" or "211";

    /// <summary>211 for "211", else 311.</summary>
    public static Line Of(string? code) => code?.Trim() == "211" ? Community : City;

    /// <summary>The code.</summary>
    public override string ToString() => Code;
}
