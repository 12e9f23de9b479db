using Contact.Core.Infrastructure;
using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;

namespace Contact.Core.Catalog;

/// <summary>The two languages Contact speaks.</summary>
/// <summary>A text in English and French.</summary>
/// <param name="En">The English text.</param>
/// <param name="Fr">The French text.</param>
public sealed record LocalText(
    [property: JsonPropertyName("en")] string En,
    [property: JsonPropertyName("fr")] string Fr)
{
    /// <summary>The text in <paramref name="language"/>.</summary>
    public string In(Language language) => language == Language.French ? Fr : En;

    /// <summary>The text in the language coded <paramref name="language"/> ("fr" is French; anything else English).</summary>
    public string In(string? language) => In(Language.Of(language));
}

/// <summary>One choice of a list question.</summary>
/// <param name="Key">What is stored and sent (Open311's value key).</param>
/// <param name="Name">What a person reads.</param>
public sealed record Choice(string Key, LocalText Name);

/// <summary>A question asked for a category, typed as in Open311 GeoReport v2.</summary>
/// <param name="Code">Its code (Open311's attribute code).</param>
/// <param name="Datatype">string, number, datetime, text, singlevaluelist or multivaluelist.</param>
/// <param name="Required">Whether an answer is needed.</param>
/// <param name="Prompt">The question.</param>
/// <param name="Help">A hint shown under it.</param>
/// <param name="Choices">The choices of a list question.</param>
public sealed record CategoryQuestion(string Code, string Datatype, bool Required, LocalText Prompt, LocalText Help, IReadOnlyList<Choice> Choices)
{
    /// <summary>The data types a question may have.</summary>
    public static readonly IReadOnlySet<string> Datatypes = new HashSet<string>(StringComparer.Ordinal)
    {
        "string", "number", "datetime", "text", "singlevaluelist", "multivaluelist",
    };

    /// <summary>True for the two list types.</summary>
    public bool IsList => Datatype is "singlevaluelist" or "multivaluelist";
}

/// <summary>A service a resident can ask for.</summary>
/// <param name="Id">Database id.</param>
/// <param name="Code">Stable code (Open311's service_code).</param>
/// <param name="Line">311 or 211.</param>
/// <param name="GroupCode">The group it is browsed under.</param>
/// <param name="Name">Its name.</param>
/// <param name="Description">What it is for.</param>
/// <param name="KeywordsEn">Words residents use for it, in English.</param>
/// <param name="KeywordsFr">Words residents use for it, in French.</param>
/// <param name="IsPublic">True when it is about a public place (listed in open data); false when about a person.</param>
/// <param name="LocationRequired">Whether a location must be given.</param>
/// <param name="TaxonomyCode">AIRS/211 taxonomy code, for 211 categories.</param>
/// <param name="DefaultPriority">The priority a new case gets.</param>
/// <param name="Questions">Questions asked, in order.</param>
/// <param name="ProviderCodes">The providers that serve it.</param>
public sealed record Category(
    int Id, string Code, string Line, string GroupCode, LocalText Name, LocalText Description,
    IReadOnlyList<string> KeywordsEn, IReadOnlyList<string> KeywordsFr, bool IsPublic, bool LocationRequired,
    string? TaxonomyCode, string DefaultPriority, IReadOnlyList<CategoryQuestion> Questions, IReadOnlyList<string> ProviderCodes);

/// <summary>A group of categories.</summary>
/// <param name="Code">Stable code.</param>
/// <param name="Line">311 or 211.</param>
/// <param name="Name">Its name.</param>
public sealed record CategoryGroup(string Code, string Line, LocalText Name);

/// <summary>A service cluster or life event: related services across departments and governments.</summary>
/// <param name="Code">Stable code.</param>
/// <param name="Kind">life_event or cluster.</param>
/// <param name="Name">Its name.</param>
/// <param name="Description">What it covers.</param>
/// <param name="CategoryCodes">The categories in it, in order.</param>
public sealed record Cluster(string Code, string Kind, LocalText Name, LocalText Description, IReadOnlyList<string> CategoryCodes);

/// <summary>An organisation responsible for services.</summary>
/// <param name="Code">Stable code.</param>
/// <param name="Level">municipal, provincial, federal or community.</param>
/// <param name="Name">Its name.</param>
/// <param name="Phone">Public phone.</param>
/// <param name="Email">Contact email.</param>
/// <param name="Website">Web site.</param>
/// <param name="Government">The government or body it belongs to ("Province of Ontario"); empty texts when the catalog names none.</param>
public sealed record Provider(string Code, string Level, LocalText Name, string? Phone, string? Email, string? Website, LocalText? Government = null)
{
    /// <summary>Who delivers, for a resident: "Province of Ontario · ServiceOntario", or the level's words and the name.</summary>
    public string DeliveredBy(Language language)
    {
        var government = Government?.In(language) is { Length: > 0 } g ? g : CatalogTexts.Get(language, "level." + Level);
        return CatalogTexts.Get(language, "delivered_by", government, Name.In(language));
    }

    internal static readonly ResourceTexts CatalogTexts = ResourceTexts.Of<CatalogText>();
}

/// <summary>The catalog's own words (levels of government, a life event's case category), in CatalogText.resx.</summary>
public sealed class CatalogText;

/// <summary>
/// A life event told once: its shared questions, asked once, and the services it reaches, each receiving only the
/// shared answers it is entitled to. Its case is filed under its own category (<paramref name="CaseCategory"/>), never
/// offered on its own.
/// </summary>
/// <param name="Code">Stable code (the web address /life-events/{code}).</param>
/// <param name="Line">The line its case is on.</param>
/// <param name="Name">Its name.</param>
/// <param name="Description">What it covers.</param>
/// <param name="KeywordsEn">Words that start it by text, in English.</param>
/// <param name="KeywordsFr">... in French.</param>
/// <param name="Questions">The shared questions, in order.</param>
/// <param name="Services">Its services, in order.</param>
/// <param name="CaseCategory">The category its case is filed under.</param>
public sealed record LifeEvent(
    string Code, string Line, LocalText Name, LocalText Description, IReadOnlyList<string> KeywordsEn, IReadOnlyList<string> KeywordsFr,
    IReadOnlyList<CategoryQuestion> Questions, IReadOnlyList<LifeEventService> Services, Category CaseCategory)
{
    /// <summary>The service for <paramref name="categoryCode"/>, or null when it is not part of this life event.</summary>
    public LifeEventService? Service(string? categoryCode) => Services.FirstOrDefault(s => s.Category.Code == categoryCode);
}

/// <summary>One service of a life event.</summary>
/// <param name="Category">The service, with its own questions.</param>
/// <param name="Provider">Who delivers it (its provider in the catalog).</param>
/// <param name="Receives">The shared answers it receives: shared question codes, and <see cref="ContactFields"/>.</param>
/// <param name="Review">Whether an agent reviews its referral before it goes to the provider.</param>
/// <param name="Preset">Answers the life event gives the category's own questions; those are not asked.</param>
/// <param name="ShortName">Its name in a list that must fit a text or be spoken (the catalog's label, else the category's name).</param>
public sealed record LifeEventService(Category Category, Provider Provider, IReadOnlyList<string> Receives, bool Review,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Preset, LocalText ShortName)
{
    /// <summary>
    /// The category's own questions the resident is asked: not those the life event answers for it, nor those with
    /// the code of a shared question it receives (the shared answer is theirs: the birth registration's "born").
    /// </summary>
    public IReadOnlyList<CategoryQuestion> Questions => [.. Category.Questions.Where(q => !Preset.ContainsKey(q.Code) && !Receives.Contains(q.Code))];

    /// <summary>The resident's contact details a service may receive, named in <see cref="Receives"/> like shared questions.</summary>
    public static readonly IReadOnlyList<string> ContactFields = ["name", "phone", "email"];
}

/// <summary>The whole catalog as read at one moment.</summary>
public sealed class CatalogSnapshot
{
    private readonly Dictionary<string, Category> _byCode;

    /// <summary>Builds a snapshot (groups, categories and clusters in display order).</summary>
    public CatalogSnapshot(IReadOnlyList<CategoryGroup> groups, IReadOnlyList<Category> categories, IReadOnlyList<Cluster> clusters, IReadOnlyList<Provider> providers,
        IReadOnlyList<LifeEvent>? lifeEvents = null)
    {
        Groups = groups;
        Categories = categories;
        Clusters = clusters;
        Providers = providers;
        LifeEvents = lifeEvents ?? [];
        _byCode = categories.ToDictionary(c => c.Code, StringComparer.Ordinal);
    }

    /// <summary>Life events in display order (they are not in <see cref="Clusters"/>).</summary>
    public IReadOnlyList<LifeEvent> LifeEvents { get; }

    /// <summary>The life event with this code, or null.</summary>
    public LifeEvent? FindLifeEvent(string? code) => LifeEvents.FirstOrDefault(e => e.Code == code);

    /// <summary>The life event whose case is filed under <paramref name="categoryCode"/>, or null.</summary>
    public LifeEvent? LifeEventFiledUnder(string? categoryCode) => LifeEvents.FirstOrDefault(e => e.CaseCategory.Code == categoryCode);

    /// <summary>The active provider with this code, or null.</summary>
    public Provider? FindProvider(string? code) => Providers.FirstOrDefault(p => p.Code == code);

    /// <summary>Groups in display order.</summary>
    public IReadOnlyList<CategoryGroup> Groups { get; }

    /// <summary>Active categories in display order (a life event's own case category is not one of them).</summary>
    public IReadOnlyList<Category> Categories { get; }

    /// <summary>Clusters and life events in display order.</summary>
    public IReadOnlyList<Cluster> Clusters { get; }

    /// <summary>Active providers.</summary>
    public IReadOnlyList<Provider> Providers { get; }

    /// <summary>The active category with this code, or null.</summary>
    public Category? Find(string? code) => code is not null && _byCode.TryGetValue(code, out var c) ? c : null;

    /// <summary>Categories in a group.</summary>
    public IEnumerable<Category> InGroup(string groupCode) => Categories.Where(c => c.GroupCode == groupCode);

    /// <summary>Categories in a cluster, in the cluster's order.</summary>
    public IEnumerable<Category> InCluster(Cluster cluster) => cluster.CategoryCodes.Select(Find).OfType<Category>();

    /// <summary>
    /// Categories matching what a resident typed, in either language, ignoring case and accents;
    /// best match first.
    /// </summary>
    public IReadOnlyList<Category> Search(string? text)
    {
        var terms = Fold(text ?? "").Split([' ', ',', '.', '\'', '-', '/'], StringSplitOptions.RemoveEmptyEntries)
            .Where(t => t.Length >= 2).Distinct().ToArray();
        if (terms.Length == 0)
        {
            return [];
        }
        return [.. Categories
            .Select(c => (category: c, score: Score(c, terms)))
            .Where(x => x.score > 0)
            .OrderByDescending(x => x.score)
            .Select(x => x.category)];
    }

    private static int Score(Category c, string[] terms)
    {
        var names = Fold(c.Name.En + " " + c.Name.Fr);
        var keywords = c.KeywordsEn.Concat(c.KeywordsFr).Select(Fold).ToArray();
        var descriptions = Fold(c.Description.En + " " + c.Description.Fr);
        var score = 0;
        foreach (var t in terms)
        {
            if (keywords.Any(k => k == t)) { score += 6; }
            else if (keywords.Any(k => k.Contains(t, StringComparison.Ordinal) || t.Contains(k, StringComparison.Ordinal) && k.Length >= 3)) { score += 4; }
            if (names.Contains(t, StringComparison.Ordinal)) { score += 5; }
            else if (descriptions.Contains(t, StringComparison.Ordinal)) { score += 1; }
        }
        return score;
    }

    /// <summary>Lower case without accents, for matching what people type.</summary>
    public static string Fold(string text)
    {
        var decomposed = text.ToLowerInvariant().Normalize(NormalizationForm.FormD);
        var sb = new StringBuilder(decomposed.Length);
        foreach (var ch in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(ch) != UnicodeCategory.NonSpacingMark)
            {
                sb.Append(ch);
            }
        }
        return sb.ToString().Normalize(NormalizationForm.FormC);
    }
}
