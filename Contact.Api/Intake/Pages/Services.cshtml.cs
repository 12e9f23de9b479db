using Contact.Core.Catalog;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Contact.Api.Intake.Pages;

[Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(Contact.Api.Infrastructure.WebPlatform.Public)]
public sealed class ServicesModel(CatalogStore catalog, IntakeLocalizer text) : PageModel
{
    public string? Query { get; private set; }

    public string Heading { get; private set; } = "";

    public string? Intro { get; private set; }

    public IReadOnlyList<Category> Results { get; private set; } = [];

    public async Task OnGetAsync(string? q, string? group, string? cluster, CancellationToken ct)
    {
        var c = await catalog.GetAsync(ct);
        Query = q;
        var lang = text.Language;
        if (c.Clusters.FirstOrDefault(k => k.Code == cluster) is { } k)
        {
            Heading = k.Name.In(lang);
            Intro = k.Description.In(lang);
            Results = [.. c.InCluster(k)];
        }
        else if (c.Groups.FirstOrDefault(g => g.Code == group) is { } g)
        {
            Heading = g.Name.In(lang);
            Results = [.. c.InGroup(g.Code)];
        }
        else if (!string.IsNullOrWhiteSpace(q))
        {
            Heading = text["services.results_for", q];
            Results = c.Search(q);
        }
        else
        {
            Heading = text["services.all"];
            Results = c.Categories;
        }
    }
}
