using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Dapper;
using Npgsql;
using Contact.Core.Infrastructure;

namespace Contact.Core.Catalog;

/// <summary>A catalog file: providers, groups, categories (with questions) and clusters. Documented in the README.</summary>
public sealed record CatalogDocument(
    IReadOnlyList<CatalogDocument.ProviderEntry>? Providers = null,
    IReadOnlyList<CatalogDocument.GroupEntry>? Groups = null,
    IReadOnlyList<CatalogDocument.CategoryEntry>? Categories = null,
    IReadOnlyList<CatalogDocument.ClusterEntry>? Clusters = null)
{
    /// <summary>A provider.</summary>
    public sealed record ProviderEntry(
        string Code, string Level, LocalText Name, string? Phone = null, string? Email = null, string? Website = null,
        IReadOnlyList<ServiceArea>? ServiceAreas = null, LocalText? Government = null);

    /// <summary>Where a provider serves: a polygon of [longitude, latitude] corners. A provider with none serves everywhere.</summary>
    public sealed record ServiceArea(string Name, IReadOnlyList<double[]> Polygon);

    /// <summary>A group.</summary>
    public sealed record GroupEntry(string Code, string Line, LocalText Name);

    /// <summary>Keywords in each language.</summary>
    public sealed record Keywords(IReadOnlyList<string>? En = null, IReadOnlyList<string>? Fr = null);

    /// <summary>A choice of a list question.</summary>
    public sealed record ChoiceEntry(string Key, LocalText Name);

    /// <summary>A question.</summary>
    public sealed record QuestionEntry(string Code, string Datatype, LocalText Prompt, bool Required = false, LocalText? Help = null, IReadOnlyList<ChoiceEntry>? Choices = null);

    /// <summary>A category.</summary>
    public sealed record CategoryEntry(
        string Code, string Line, string Group, LocalText Name, bool Public, LocalText? Description = null, Keywords? Keywords = null,
        bool? LocationRequired = null, string? TaxonomyCode = null, string? Priority = null,
        IReadOnlyList<string>? Providers = null, IReadOnlyList<QuestionEntry>? Questions = null);

    /// <summary>
    /// A cluster (<paramref name="Categories"/>) or a life event (<paramref name="Questions"/> asked once and the
    /// <paramref name="Services"/> they reach; its <paramref name="Line"/> and text <paramref name="Keywords"/>).
    /// </summary>
    public sealed record ClusterEntry(
        string Code, string Kind, LocalText Name, IReadOnlyList<string>? Categories = null, LocalText? Description = null,
        string? Line = null, Keywords? Keywords = null, IReadOnlyList<QuestionEntry>? Questions = null, IReadOnlyList<ServiceEntry>? Services = null);

    /// <summary>
    /// A service of a life event: its category, the shared answers it receives (question codes of the life event, and
    /// "name", "phone", "email"), whether an agent reviews its referral first, and answers given for it.
    /// </summary>
    /// <param name="Category">The service's category.</param>
    /// <param name="Receives">The shared answers it receives.</param>
    /// <param name="Review">Whether an agent reviews its referral first.</param>
    /// <param name="Answers">Answers the life event gives the category's own questions (not asked): a move is an address change.</param>
    /// <param name="Label">A short name for lists that must fit a text or be spoken ("Health card"); the category's name when absent.</param>
    public sealed record ServiceEntry(string Category, IReadOnlyList<string>? Receives = null, bool Review = false,
        IReadOnlyDictionary<string, IReadOnlyList<string>>? Answers = null, LocalText? Label = null);
}

/// <summary>Raised when a catalog file is refused; nothing was imported.</summary>
public sealed class CatalogImportException(IReadOnlyList<string> errors)
    : Exception("The catalog was not imported:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  " + e)))
{
    /// <summary>Every problem found, each naming where it is.</summary>
    public IReadOnlyList<string> Errors { get; } = errors;
}

/// <summary>What an import changed.</summary>
/// <param name="Providers">Providers added or updated.</param>
/// <param name="Groups">Groups added or updated.</param>
/// <param name="Categories">Categories added or updated.</param>
/// <param name="Clusters">Clusters added or updated.</param>
public sealed record CatalogImportResult(int Providers, int Groups, int Categories, int Clusters);

/// <summary>
/// Loads a catalog file into the database: everything is checked first, then added or updated by
/// code in one transaction, so a bad file changes nothing.
/// </summary>
public sealed partial class CatalogImporter(NpgsqlDataSource dataSource)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    /// <summary>The demo catalog shipped with Contact (a Canadian city).</summary>
    public static CatalogDocument DemoCatalog()
    {
        using var stream = typeof(CatalogImporter).Assembly.GetManifestResourceStream("seed/demo-catalog.json")!;
        return Parse(stream);
    }

    /// <summary>Reads a catalog file; malformed JSON is reported with its line.</summary>
    public static CatalogDocument Parse(Stream json)
    {
        try
        {
            return JsonSerializer.Deserialize<CatalogDocument>(json, Json)
                ?? throw new CatalogImportException(["The file is empty (null)."]);
        }
        catch (JsonException e)
        {
            throw new CatalogImportException([$"The file is not a valid catalog: {e.Message}"]);
        }
    }

    /// <summary>Checks and imports <paramref name="document"/>.</summary>
    public async Task<CatalogImportResult> ImportAsync(CatalogDocument document, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);

        // Serialise imports so two at once can't interleave their upserts.
        await connection.ExecuteAsync(new CommandDefinition("lock table categories in share row exclusive mode", transaction: tx, cancellationToken: cancellationToken));
        var existingGroups = (await connection.QueryAsync<string>(new CommandDefinition("select code from category_groups", transaction: tx, cancellationToken: cancellationToken))).ToHashSet(StringComparer.Ordinal);
        var existingProviders = (await connection.QueryAsync<string>(new CommandDefinition("select code from providers", transaction: tx, cancellationToken: cancellationToken))).ToHashSet(StringComparer.Ordinal);
        var existingCategories = (await connection.QueryAsync<string>(new CommandDefinition("select code from categories", transaction: tx, cancellationToken: cancellationToken))).ToHashSet(StringComparer.Ordinal);

        var errors = Validate(document, existingGroups, existingProviders, existingCategories);
        if (errors.Count > 0)
        {
            throw new CatalogImportException(errors);
        }

        var providers = document.Providers ?? [];
        foreach (var p in providers)
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                insert into providers (code, level, name_en, name_fr, phone, email, website, government_en, government_fr)
                values (@Code, @Level, @NameEn, @NameFr, @Phone, @Email, @Website, @GovernmentEn, @GovernmentFr)
                on conflict (code) do update set level = excluded.level, name_en = excluded.name_en, name_fr = excluded.name_fr,
                    phone = excluded.phone, email = excluded.email, website = excluded.website, active = true,
                    government_en = excluded.government_en, government_fr = excluded.government_fr
                """, new
            {
                p.Code, p.Level, NameEn = p.Name.En, NameFr = p.Name.Fr, p.Phone, p.Email, p.Website,
                GovernmentEn = p.Government?.En ?? "", GovernmentFr = p.Government?.Fr ?? "",
            }, tx, cancellationToken: cancellationToken));
            if (p.ServiceAreas is { } areas)
            {
                await connection.ExecuteAsync(new CommandDefinition("""
                    delete from provider_service_areas where provider_id = (select id from providers where code = @Code)
                    """, new { p.Code }, tx, cancellationToken: cancellationToken));
                foreach (var area in areas)
                {
                    var polygon = "(" + string.Join(",", area.Polygon.Select(c => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"({c[0]},{c[1]})"))) + ")";
                    await connection.ExecuteAsync(new CommandDefinition("""
                        insert into provider_service_areas (provider_id, name, area)
                        select id, @Name, @polygon::polygon from providers where code = @Code
                        """, new { p.Code, area.Name, polygon }, tx, cancellationToken: cancellationToken));
                }
            }
        }

        var groups = document.Groups ?? [];
        for (var i = 0; i < groups.Count; i++)
        {
            var g = groups[i];
            await connection.ExecuteAsync(new CommandDefinition("""
                insert into category_groups (code, line, name_en, name_fr, sort) values (@Code, @Line, @NameEn, @NameFr, @Sort)
                on conflict (code) do update set line = excluded.line, name_en = excluded.name_en, name_fr = excluded.name_fr, sort = excluded.sort
                """, new { g.Code, g.Line, NameEn = g.Name.En, NameFr = g.Name.Fr, Sort = i }, tx, cancellationToken: cancellationToken));
        }

        var categories = document.Categories ?? [];
        for (var i = 0; i < categories.Count; i++)
        {
            var c = categories[i];
            var id = await connection.ExecuteScalarAsync<int>(new CommandDefinition("""
                insert into categories (code, line, group_id, name_en, name_fr, description_en, description_fr, keywords_en, keywords_fr,
                                        is_public, location_required, taxonomy_code, default_priority, active, sort)
                values (@Code, @Line, (select id from category_groups where code = @Group), @NameEn, @NameFr, @DescriptionEn, @DescriptionFr,
                        @KeywordsEn, @KeywordsFr, @Public, @LocationRequired, @TaxonomyCode, @Priority, true, @Sort)
                on conflict (code) do update set line = excluded.line, group_id = excluded.group_id, name_en = excluded.name_en,
                    name_fr = excluded.name_fr, description_en = excluded.description_en, description_fr = excluded.description_fr,
                    keywords_en = excluded.keywords_en, keywords_fr = excluded.keywords_fr, is_public = excluded.is_public,
                    location_required = excluded.location_required, taxonomy_code = excluded.taxonomy_code,
                    default_priority = excluded.default_priority, active = true, sort = excluded.sort
                returning id
                """, new
            {
                c.Code, c.Line, c.Group, NameEn = c.Name.En, NameFr = c.Name.Fr,
                DescriptionEn = c.Description?.En ?? "", DescriptionFr = c.Description?.Fr ?? "",
                KeywordsEn = (c.Keywords?.En ?? []).ToArray(), KeywordsFr = (c.Keywords?.Fr ?? []).ToArray(),
                c.Public, LocationRequired = c.LocationRequired ?? Line.City.Is(c.Line), c.TaxonomyCode,
                Priority = c.Priority ?? "normal", Sort = i,
            }, tx, cancellationToken: cancellationToken));

            await connection.ExecuteAsync(new CommandDefinition(
                "delete from category_questions where category_id = @id; delete from provider_categories where category_id = @id",
                new { id }, tx, cancellationToken: cancellationToken));
            await InsertQuestionsAsync(connection, tx, "category_questions", "category_id", id, c.Questions ?? [], cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition("""
                insert into provider_categories (provider_id, category_id)
                select p.id, @id from providers p where p.code = any(@Providers)
                """, new { id, Providers = (c.Providers ?? []).ToArray() }, tx, cancellationToken: cancellationToken));
        }

        var clusters = document.Clusters ?? [];
        for (var i = 0; i < clusters.Count; i++)
        {
            var k = clusters[i];
            var caseCategory = k.Kind == LifeEventKind ? await UpsertLifeEventCategoryAsync(connection, tx, k, i, cancellationToken) : (int?)null;
            var id = await connection.ExecuteScalarAsync<int>(new CommandDefinition("""
                insert into clusters (code, kind, name_en, name_fr, description_en, description_fr, sort, line, keywords_en, keywords_fr, category_id)
                values (@Code, @Kind, @NameEn, @NameFr, @DescriptionEn, @DescriptionFr, @Sort, @Line, @KeywordsEn, @KeywordsFr, @caseCategory)
                on conflict (code) do update set kind = excluded.kind, name_en = excluded.name_en, name_fr = excluded.name_fr,
                    description_en = excluded.description_en, description_fr = excluded.description_fr, sort = excluded.sort,
                    line = excluded.line, keywords_en = excluded.keywords_en, keywords_fr = excluded.keywords_fr, category_id = excluded.category_id
                returning id
                """, new
            {
                k.Code, k.Kind, NameEn = k.Name.En, NameFr = k.Name.Fr,
                DescriptionEn = k.Description?.En ?? "", DescriptionFr = k.Description?.Fr ?? "", Sort = i, Line = k.Line ?? Line.City.Code,
                KeywordsEn = (k.Keywords?.En ?? []).ToArray(), KeywordsFr = (k.Keywords?.Fr ?? []).ToArray(), caseCategory,
            }, tx, cancellationToken: cancellationToken));
            var services = k.Services ?? [];
            await InsertMembersAsync(connection, tx, id, k, cancellationToken);
            await InsertQuestionsAsync(connection, tx, "life_event_questions", "cluster_id", id, k.Questions ?? [], cancellationToken);
        }
        await CheckLifeEventProvidersAsync(connection, tx, cancellationToken);

        // When the catalog last changed: Open311's discovery document tells apps to refresh their cached services by it.
        await connection.ExecuteAsync(new CommandDefinition("""
            insert into seed_state (name, checksum) values ('catalog-import', @checksum)
            on conflict (name) do update set checksum = excluded.checksum, applied_at = now()
            """, new { checksum = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(document))) },
            tx, cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);
        return new CatalogImportResult(providers.Count, groups.Count, categories.Count, clusters.Count);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$")]
    private static partial Regex CodePattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,63}$")]
    private static partial Regex QuestionCodePattern();

    private static List<string> Validate(CatalogDocument d, HashSet<string> groupsInDb, HashSet<string> providersInDb, HashSet<string> categoriesInDb)
    {
        var errors = new List<string>();
        var groupLines = new Dictionary<string, string>(StringComparer.Ordinal);

        void Text(string where, LocalText? text, bool required = true) => CheckText(where, text, errors, required);

        void Codes<T>(string list, IReadOnlyList<T> items, Func<T, string?> code)
        {
            for (var i = 0; i < items.Count; i++)
            {
                var c = code(items[i]);
                if (c is null || !CodePattern().IsMatch(c))
                {
                    errors.Add($"{list}[{i}].code: \"{c}\" is not a code (lower-case letters, digits, '.', '_' or '-', at most 64)");
                }
            }
            foreach (var dup in items.Select(code).GroupBy(c => c).Where(g => g.Count() > 1))
            {
                errors.Add($"{list}: the code \"{dup.Key}\" appears {dup.Count()} times");
            }
        }

        var providers = d.Providers ?? [];
        Codes("providers", providers, p => p.Code);
        for (var i = 0; i < providers.Count; i++)
        {
            var p = providers[i];
            if (p.Level is not ("municipal" or "provincial" or "federal" or "community"))
            {
                errors.Add($"providers[{i}].level: \"{p.Level}\" is not municipal, provincial, federal or community");
            }
            Text($"providers[{i}].name", p.Name);
            Text($"providers[{i}].government", p.Government, required: p.Government is not null);
            var areas = p.ServiceAreas ?? [];
            for (var a = 0; a < areas.Count; a++)
            {
                var corners = areas[a].Polygon ?? [];
                if (string.IsNullOrWhiteSpace(areas[a].Name))
                {
                    errors.Add($"providers[{i}].serviceAreas[{a}].name: missing");
                }
                if (corners.Count < 3 || corners.Any(c => c is null || c.Length != 2 || c[0] is < -180 or > 180 || c[1] is < -90 or > 90))
                {
                    errors.Add($"providers[{i}].serviceAreas[{a}].polygon: give at least 3 corners, each [longitude, latitude]");
                }
            }
        }

        var groups = d.Groups ?? [];
        Codes("groups", groups, g => g.Code);
        for (var i = 0; i < groups.Count; i++)
        {
            var g = groups[i];
            if (!Line.IsCode(g.Line))
            {
                errors.Add($"groups[{i}].line: \"{g.Line}\" is not 311 or 211");
            }
            Text($"groups[{i}].name", g.Name);
            groupLines.TryAdd(g.Code ?? "", g.Line ?? "");
        }

        var fileProviders = providers.Select(p => p.Code).ToHashSet(StringComparer.Ordinal);
        var categories = d.Categories ?? [];
        Codes("categories", categories, c => c.Code);
        for (var i = 0; i < categories.Count; i++)
        {
            var c = categories[i];
            var at = $"categories[{i}]";
            if (c.Code?.StartsWith(LifeEventCategoryPrefix, StringComparison.Ordinal) == true)
            {
                errors.Add($"{at}.code: codes starting \"{LifeEventCategoryPrefix}\" are kept for life events' own cases");
            }
            if (!Line.IsCode(c.Line))
            {
                errors.Add($"{at}.line: \"{c.Line}\" is not 311 or 211");
            }
            if (c.Group is null || !(groupLines.ContainsKey(c.Group) || groupsInDb.Contains(c.Group)))
            {
                errors.Add($"{at}.group: no group \"{c.Group}\" in this file or the catalog");
            }
            else if (groupLines.TryGetValue(c.Group, out var gl) && gl != c.Line)
            {
                errors.Add($"{at}.group: group \"{c.Group}\" is a {gl} group but the category is {c.Line}");
            }
            if (Line.Community.Is(c.Line) && c.Public)
            {
                errors.Add($"{at}.public: 211 categories are about people and are never public");
            }
            if (c.Priority is not (null or "low" or "normal" or "high" or "urgent"))
            {
                errors.Add($"{at}.priority: \"{c.Priority}\" is not low, normal, high or urgent");
            }
            Text($"{at}.name", c.Name);
            Text($"{at}.description", c.Description, required: false);
            foreach (var p in c.Providers ?? [])
            {
                if (!fileProviders.Contains(p) && !providersInDb.Contains(p))
                {
                    errors.Add($"{at}.providers: no provider \"{p}\" in this file or the catalog");
                }
            }
            CheckQuestions($"{at}.questions", c.Questions ?? [], errors);
        }

        var fileCategories = categories.Select(c => c.Code).ToHashSet(StringComparer.Ordinal);
        var fileCategoryEntries = categories.Where(c => c.Code is not null).GroupBy(c => c.Code, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var clusters = d.Clusters ?? [];
        Codes("clusters", clusters, k => k.Code);
        for (var i = 0; i < clusters.Count; i++)
        {
            var k = clusters[i];
            Text($"clusters[{i}].name", k.Name);
            bool Known(string c) => (fileCategories.Contains(c) || categoriesInDb.Contains(c)) && !c.StartsWith(LifeEventCategoryPrefix, StringComparison.Ordinal);
            switch (k.Kind)
            {
                case "cluster":
                    CheckCluster(k, $"clusters[{i}]", Known, errors);
                    break;
                case LifeEventKind:
                    CheckLifeEvent(k, $"clusters[{i}]", Known, fileCategoryEntries, errors);
                    break;
                default:
                    errors.Add($"clusters[{i}].kind: \"{k.Kind}\" is not life_event or cluster");
                    foreach (var c in (k.Categories ?? []).Where(c => !Known(c)))
                    {
                        errors.Add($"clusters[{i}].categories: no category \"{c}\" in this file or the catalog");
                    }
                    break;
            }
        }
        return errors;
    }
}
