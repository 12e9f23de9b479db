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
        string[] KeywordsEn, string[] KeywordsFr, bool IsPublic, bool LocationRequired, string? TaxonomyCode, string DefaultPriority, string[] ProviderCodes);

    private sealed record QuestionRow(
        int CategoryId, string Code, string Datatype, bool Required, string PromptEn, string PromptFr, string HelpEn, string HelpFr, string Choices);

    private sealed record ClusterRow(string Code, string Kind, string NameEn, string NameFr, string DescriptionEn, string DescriptionFr, string[] CategoryCodes);

    private sealed record ProviderRow(string Code, string Level, string NameEn, string NameFr, string? Phone, string? Email, string? Website);

    private sealed record ChoiceJson(string Key, string En, string Fr);

    private async Task<CatalogSnapshot> LoadAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        using var grid = await connection.QueryMultipleAsync(new CommandDefinition("""
            select code, line, name_en, name_fr from category_groups order by line, sort, code;

            select c.id, c.code, c.line, g.code as group_code, c.name_en, c.name_fr, c.description_en, c.description_fr,
                   c.keywords_en, c.keywords_fr, c.is_public, c.location_required, c.taxonomy_code, c.default_priority,
                   array(select p.code from provider_categories pc join providers p on p.id = pc.provider_id
                         where pc.category_id = c.id and p.active order by p.code) as provider_codes
            from categories c join category_groups g on g.id = c.group_id
            where c.active
            order by c.line, g.sort, c.sort, c.code;

            select q.category_id, q.code, q.datatype, q.required, q.prompt_en, q.prompt_fr, q.help_en, q.help_fr, q.choices::text as choices
            from category_questions q join categories c on c.id = q.category_id
            where c.active
            order by q.category_id, q.sort, q.code;

            select k.code, k.kind, k.name_en, k.name_fr, k.description_en, k.description_fr,
                   array(select c.code from cluster_categories cc join categories c on c.id = cc.category_id
                         where cc.cluster_id = k.id and c.active order by c.sort, c.code) as category_codes
            from clusters k
            order by k.sort, k.code;

            select code, level, name_en, name_fr, phone, email, website from providers where active order by level, code;
            """, cancellationToken: ct));

        var groups = (await grid.ReadAsync<GroupRow>()).Select(g => new CategoryGroup(g.Code, g.Line, new(g.NameEn, g.NameFr))).ToList();
        var categoryRows = (await grid.ReadAsync<CategoryRow>()).ToList();
        var questions = (await grid.ReadAsync<QuestionRow>()).ToLookup(q => q.CategoryId, q => new CategoryQuestion(
            q.Code, q.Datatype, q.Required, new(q.PromptEn, q.PromptFr), new(q.HelpEn, q.HelpFr),
            [.. (JsonSerializer.Deserialize<ChoiceJson[]>(q.Choices, JsonOptions) ?? []).Select(c => new Choice(c.Key, new(c.En, c.Fr)))]));
        var clusters = (await grid.ReadAsync<ClusterRow>())
            .Select(k => new Cluster(k.Code, k.Kind, new(k.NameEn, k.NameFr), new(k.DescriptionEn, k.DescriptionFr), k.CategoryCodes))
            .Where(k => k.CategoryCodes.Count > 0)
            .ToList();
        var providers = (await grid.ReadAsync<ProviderRow>())
            .Select(p => new Provider(p.Code, p.Level, new(p.NameEn, p.NameFr), p.Phone, p.Email, p.Website)).ToList();

        var categories = categoryRows.Select(r => new Category(
            r.Id, r.Code, r.Line, r.GroupCode, new(r.NameEn, r.NameFr), new(r.DescriptionEn, r.DescriptionFr),
            r.KeywordsEn, r.KeywordsFr, r.IsPublic, r.LocationRequired, r.TaxonomyCode, r.DefaultPriority,
            [.. questions[r.Id]], r.ProviderCodes)).ToList();
        var used = categories.Select(c => c.GroupCode).ToHashSet(StringComparer.Ordinal);
        return new CatalogSnapshot([.. groups.Where(g => used.Contains(g.Code))], categories, clusters, providers);
    }

    internal static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
}
