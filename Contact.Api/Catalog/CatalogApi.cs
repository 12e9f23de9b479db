using Contact.Core.Catalog;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Contact.Api.Catalog;

/// <summary>The catalog as JSON clients see it, in both languages.</summary>
public sealed record CatalogView(
    IReadOnlyList<CatalogView.GroupView> Groups,
    IReadOnlyList<CatalogView.CategoryView> Categories,
    IReadOnlyList<CatalogView.ClusterView> Clusters,
    IReadOnlyList<CatalogView.ProviderView> Providers)
{
    public sealed record GroupView(string Code, string Line, LocalText Name);

    public sealed record QuestionView(string Code, string Datatype, bool Required, LocalText Prompt, LocalText Help, IReadOnlyList<Choice> Choices);

    public sealed record CategoryView(
        string Code, string Line, string Group, LocalText Name, LocalText Description, bool Public, bool LocationRequired,
        string? TaxonomyCode, IReadOnlyList<string> KeywordsEn, IReadOnlyList<string> KeywordsFr,
        IReadOnlyList<QuestionView> Questions, IReadOnlyList<string> Providers);

    public sealed record ClusterView(string Code, string Kind, LocalText Name, LocalText Description, IReadOnlyList<string> Categories);

    public sealed record ProviderView(string Code, string Level, LocalText Name, string? Phone, string? Website);
}

internal static class CatalogApi
{
    public static RouteGroupBuilder MapCatalogApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/catalog").WithTags("Catalog");
        group.MapGet("/", Get)
            .RequireRateLimiting(Contact.Api.Infrastructure.WebPlatform.Public)
            .WithSummary("The services residents can ask for")
            .WithDescription("Groups, categories with their questions (Open311 data types), service clusters and life events, and providers; every name in English and French.");
        return group;
    }

    internal static async Task<Ok<CatalogView>> Get(CatalogStore catalog, CancellationToken ct)
    {
        var c = await catalog.GetAsync(ct);
        return TypedResults.Ok(new CatalogView(
            [.. c.Groups.Select(g => new CatalogView.GroupView(g.Code, g.Line, g.Name))],
            [.. c.Categories.Select(k => new CatalogView.CategoryView(
                k.Code, k.Line, k.GroupCode, k.Name, k.Description, k.IsPublic, k.LocationRequired, k.TaxonomyCode, k.KeywordsEn, k.KeywordsFr,
                [.. k.Questions.Select(q => new CatalogView.QuestionView(q.Code, q.Datatype, q.Required, q.Prompt, q.Help, q.Choices))],
                k.ProviderCodes))],
            // Life events are clusters too: their services are their categories (GET /api/life-events has the rest).
            [.. c.LifeEvents.Select(e => new CatalogView.ClusterView(e.Code, CatalogImporter.LifeEventKind, e.Name, e.Description, [.. e.Services.Select(s => s.Category.Code)])),
             .. c.Clusters.Select(k => new CatalogView.ClusterView(k.Code, k.Kind, k.Name, k.Description, k.CategoryCodes))],
            [.. c.Providers.Select(p => new CatalogView.ProviderView(p.Code, p.Level, p.Name, p.Phone, p.Website))]));
    }
}
