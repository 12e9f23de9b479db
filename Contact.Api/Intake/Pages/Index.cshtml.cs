using Contact.Core.Catalog;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Contact.Core.Infrastructure;

namespace Contact.Api.Intake.Pages;

[Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(Contact.Api.Infrastructure.WebPlatform.Public)]
public sealed class IndexModel(CatalogStore catalog) : PageModel
{
    public IReadOnlyList<LifeEvent> LifeEvents { get; private set; } = [];

    public IReadOnlyList<Cluster> Clusters { get; private set; } = [];

    public IReadOnlyList<CategoryGroup> Groups311 { get; private set; } = [];

    public IReadOnlyList<CategoryGroup> Groups211 { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        var c = await catalog.GetAsync(ct);
        LifeEvents = c.LifeEvents;
        Clusters = [.. c.Clusters.Where(k => k.Kind == "cluster")];
        Groups311 = [.. c.Groups.Where(g => Line.City.Is(g.Line))];
        Groups211 = [.. c.Groups.Where(g => Line.Community.Is(g.Line))];
    }
}
