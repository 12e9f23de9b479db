using Contact.Core.Catalog;
using Contact.Core.Infrastructure;

namespace Contact.Api.Catalog;

/// <summary>The catalog of services (lines, categories, questions, providers): its store, its files and its demo.</summary>
internal static class CatalogSetup
{
    public static void AddCatalog(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<CatalogStore>();
        builder.Services.AddSingleton<CatalogImporter>();
        builder.Services.AddSingleton<DemoCatalog>();
        builder.Services.AddSingleton(new StartupStep("the demo catalog", async (services, log, ct) =>
        {
            if (await services.GetRequiredService<DemoCatalog>().EnsureAsync(ct))
            {
                log.LogInformation("Loaded the demo catalog");
                services.GetRequiredService<CatalogStore>().Invalidate();
            }
        }, DemoOnly: true));
    }
}
