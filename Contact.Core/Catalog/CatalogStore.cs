using System.Text.Json;
using Dapper;
using Npgsql;

namespace Contact.Core.Catalog;

/// <summary>
/// Reads the catalog from the database and keeps a snapshot for a short while: every intake
/// validates against it, and catalog changes are rare, so a few seconds' staleness is fine. While the database is
/// down the last snapshot is kept, so the web form can still be shown (and shown again with what was typed).
/// </summary>
public sealed class CatalogStore(NpgsqlDataSource dataSource, TimeProvider clock)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);
    private readonly SemaphoreSlim _loading = new(1, 1);
    private (CatalogSnapshot Snapshot, DateTimeOffset LoadedAt)? _current;

    /// <summary>The current catalog.</summary>
    public async Task<CatalogSnapshot> GetAsync(CancellationToken cancellationToken = default)
    {
        var current = _current;
        if (current is { } c && clock.GetUtcNow() - c.LoadedAt < Lifetime)
        {
            return c.Snapshot;
        }
        await _loading.WaitAsync(cancellationToken);
        try
        {
            current = _current;
            if (current is { } again && clock.GetUtcNow() - again.LoadedAt < Lifetime)
            {
                return again.Snapshot;
            }
            CatalogSnapshot snapshot;
            try
            {
                snapshot = await LoadAsync(cancellationToken);
            }
            catch (Exception e) when (current is { } stale && Contact.Core.Infrastructure.DatabaseUnavailable.Is(e))
            {
                // While the database is down the last catalog still shows forms and menus; it is read again once it is back.
                return stale.Snapshot;
            }
            _current = (snapshot, clock.GetUtcNow());
            return snapshot;
        }
        finally
        {
            _loading.Release();
        }
    }

    /// <summary>Forgets the snapshot, so the next read sees the database (after an import).</summary>
    public void Invalidate() => _current = null;

    private sealed record GroupRow(string Code, string Line, string NameEn, string NameFr);

    private sealed record CategoryRow(
        int Id, string Code, string Line, string GroupCode, string NameEn, string NameFr, string DescriptionEn, string DescriptionFr,
        string[] KeywordsEn, string[] KeywordsFr, bool IsPublic, bool LocationRequired, string? TaxonomyCode, string DefaultPriority, string[] ProviderCodes,
        string Kind);

    private sealed record QuestionRow(
        int OwnerId, string Code, string Datatype, bool Required, string PromptEn, string PromptFr, string HelpEn, string HelpFr, string Choices);

    private sealed record ClusterRow(
        int Id, string Code, string Kind, string NameEn, string NameFr, string DescriptionEn, string DescriptionFr, string[] CategoryCodes,
        string Line, string[] KeywordsEn, string[] KeywordsFr, int? CategoryId);

    private sealed record MemberRow(int ClusterId, string CategoryCode, string[] Receives, bool Review, string Preset, string LabelEn, string LabelFr);

    private sealed record ProviderRow(
        string Code, string Level, string NameEn, string NameFr, string? Phone, string? Email, string? Website, string GovernmentEn, string GovernmentFr);

    private sealed record ChoiceJson(string Key, string En, string Fr);

    private async Task<CatalogSnapshot> LoadAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        using var grid = await connection.QueryMultipleAsync(new CommandDefinition("""
            select code, line, name_en, name_fr from category_groups order by line, sort, code;

            select c.id, c.code, c.line, g.code as group_code, c.name_en, c.name_fr, c.description_en, c.description_fr,
                   c.keywords_en, c.keywords_fr, c.is_public, c.location_required, c.taxonomy_code, c.default_priority,
                   array(select p.code from provider_categories pc join providers p on p.id = pc.provider_id
                         where pc.category_id = c.id and p.active order by p.code) as provider_codes, c.kind
            from categories c join category_groups g on g.id = c.group_id
            where c.active
            order by c.line, g.sort, c.sort, c.code;

            select q.category_id as owner_id, q.code, q.datatype, q.required, q.prompt_en, q.prompt_fr, q.help_en, q.help_fr, q.choices::text as choices
            from category_questions q join categories c on c.id = q.category_id
            where c.active
            order by q.category_id, q.sort, q.code;

            select k.id, k.code, k.kind, k.name_en, k.name_fr, k.description_en, k.description_fr,
                   array(select c.code from cluster_categories cc join categories c on c.id = cc.category_id
                         where cc.cluster_id = k.id and c.active order by cc.sort, c.sort, c.code) as category_codes,
                   k.line, k.keywords_en, k.keywords_fr, k.category_id
            from clusters k
            order by k.sort, k.code;

            select code, level, name_en, name_fr, phone, email, website, government_en, government_fr from providers where active order by level, code;

            select cc.cluster_id, c.code as category_code, cc.receives, cc.review, cc.preset::text as preset, cc.label_en, cc.label_fr
            from cluster_categories cc join clusters k on k.id = cc.cluster_id join categories c on c.id = cc.category_id
            where k.kind = 'life_event' and c.active
            order by cc.cluster_id, cc.sort;

            select q.cluster_id as owner_id, q.code, q.datatype, q.required, q.prompt_en, q.prompt_fr, q.help_en, q.help_fr, q.choices::text as choices
            from life_event_questions q
            order by q.cluster_id, q.sort, q.code;
            """, cancellationToken: ct));

        var groups = (await grid.ReadAsync<GroupRow>()).Select(g => new CategoryGroup(g.Code, g.Line, new(g.NameEn, g.NameFr))).ToList();
        var categoryRows = (await grid.ReadAsync<CategoryRow>()).ToList();
        var questions = Questions(await grid.ReadAsync<QuestionRow>());
        var clusterRows = (await grid.ReadAsync<ClusterRow>()).ToList();
        var providers = (await grid.ReadAsync<ProviderRow>())
            .Select(p => new Provider(p.Code, p.Level, new(p.NameEn, p.NameFr), p.Phone, p.Email, p.Website, new(p.GovernmentEn, p.GovernmentFr))).ToList();
        var members = (await grid.ReadAsync<MemberRow>()).ToLookup(m => m.ClusterId);
        var shared = Questions(await grid.ReadAsync<QuestionRow>());

        var all = categoryRows.Select(r => (r.Kind, Category: new Category(
            r.Id, r.Code, r.Line, r.GroupCode, new(r.NameEn, r.NameFr), new(r.DescriptionEn, r.DescriptionFr),
            r.KeywordsEn, r.KeywordsFr, r.IsPublic, r.LocationRequired, r.TaxonomyCode, r.DefaultPriority,
            [.. questions[r.Id]], r.ProviderCodes))).ToList();
        var categories = all.Where(c => c.Kind == "service").Select(c => c.Category).ToList();
        var byCode = categories.ToDictionary(c => c.Code, StringComparer.Ordinal);
        var byId = all.ToDictionary(c => c.Category.Id, c => c.Category);
        var providerByCode = providers.ToDictionary(p => p.Code, StringComparer.Ordinal);

        var clusters = clusterRows.Where(k => k.Kind != "life_event")
            .Select(k => new Cluster(k.Code, k.Kind, new(k.NameEn, k.NameFr), new(k.DescriptionEn, k.DescriptionFr), k.CategoryCodes))
            .Where(k => k.CategoryCodes.Count > 0)
            .ToList();
        var lifeEvents = new List<LifeEvent>();
        foreach (var k in clusterRows.Where(k => k.Kind == "life_event" && k.CategoryId is int id && byId.ContainsKey(id)))
        {
            // A service whose category or provider is no longer active drops out of the life event until it is back.
            var services = members[k.Id]
                .Select(m => byCode.TryGetValue(m.CategoryCode, out var c) && c.ProviderCodes.Select(p => providerByCode.GetValueOrDefault(p)).FirstOrDefault(p => p is not null) is { } provider
                    ? new LifeEventService(c, provider, m.Receives, m.Review,
                        JsonSerializer.Deserialize<Dictionary<string, string[]>>(m.Preset, JsonOptions)!.ToDictionary(x => x.Key, x => (IReadOnlyList<string>)x.Value, StringComparer.Ordinal),
                        new LocalText(m.LabelEn.Length > 0 ? m.LabelEn : c.Name.En, m.LabelFr.Length > 0 ? m.LabelFr : c.Name.Fr)) : null)
                .OfType<LifeEventService>().ToList();
            if (services.Count > 0)
            {
                lifeEvents.Add(new LifeEvent(k.Code, k.Line, new(k.NameEn, k.NameFr), new(k.DescriptionEn, k.DescriptionFr), k.KeywordsEn, k.KeywordsFr,
                    [.. shared[k.Id]], services, byId[k.CategoryId!.Value]));
            }
        }
        var used = categories.Select(c => c.GroupCode).ToHashSet(StringComparer.Ordinal);
        return new CatalogSnapshot([.. groups.Where(g => used.Contains(g.Code))], categories, clusters, providers, lifeEvents);
    }

    private static ILookup<int, CategoryQuestion> Questions(IEnumerable<QuestionRow> rows) => rows.ToLookup(q => q.OwnerId, q => new CategoryQuestion(
        q.Code, q.Datatype, q.Required, new(q.PromptEn, q.PromptFr), new(q.HelpEn, q.HelpFr),
        [.. (JsonSerializer.Deserialize<ChoiceJson[]>(q.Choices, JsonOptions) ?? []).Select(c => new Choice(c.Key, new(c.En, c.Fr)))]));

    internal static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
}
