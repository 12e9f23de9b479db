using Contact.Core.ResourceDirectory;
using Contact.Core.Infrastructure;
using Npgsql;

namespace Contact.Api.ResourceDirectory;

/// <summary>The 211 resource directory: search, HSDS import and export, and the demo directory.</summary>
internal static class DirectorySetup
{
    public static void AddResourceDirectory(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var zone = builder.Configuration["Directory:TimeZone"];
        services.AddSingleton(sp => new DirectorySearch(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<TimeProvider>(), zone));
        services.AddSingleton<HsdsImporter>();
        services.AddSingleton<HsdsExporter>();
        services.AddSingleton<DemoDirectory>();
        // A wrong Directory:TimeZone stops the host at start rather than failing the first search.
        services.AddSingleton(new StartupStep("the directory's time zone", (sp, _, _) =>
        {
            sp.GetRequiredService<DirectorySearch>();
            return Task.CompletedTask;
        }));
        services.AddSingleton(new StartupStep("the demo resource directory", async (sp, log, ct) =>
        {
            if (await sp.GetRequiredService<DemoDirectory>().EnsureAsync(ct))
            {
                log.LogInformation("Loaded the demo resource directory");
            }
        }, DemoOnly: true));
    }
}
