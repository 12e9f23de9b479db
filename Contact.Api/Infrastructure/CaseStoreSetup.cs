using Contact.Core.Cases;
using Contact.Core.Catalog;
using Contact.Core.Infrastructure;
using Contact.Core.Open311;
using Contact.Core.Staff;
using Npgsql;

namespace Contact.Api.Infrastructure;

internal static class CaseStoreSetup
{
    /// <summary>The case store, its catalog and the intake, over one data source.</summary>
    public static void AddCaseStore(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var contentRoot = builder.Environment.ContentRootPath;
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => new CasesDatabase(
            new CasesDatabaseOptions
            {
                ConnectionString = configuration.GetConnectionString("Cases"),
                DataDirectory = ResolveDataDirectory(configuration["Database:DataDirectory"] ?? ".data/postgres", contentRoot),
                StatementTimeout = TimeSpan.FromSeconds(configuration.GetValue("Database:StatementTimeoutSeconds", 10.0)),
                MigrationsConnectionString = configuration.GetConnectionString("Migrations"),
                MaxPoolSize = configuration.GetValue("Database:MaxPoolSize", 40),
                JobsMaxPoolSize = configuration.GetValue("Database:JobsMaxPoolSize", 20),
                ConnectionWait = TimeSpan.FromSeconds(configuration.GetValue("Database:ConnectionWaitSeconds", 10.0)),
                // The job scheduler's tables are the owner's too: the runtime role creates and alters nothing.
                PrepareOwnedSchema = (owner, _) =>
                {
                    Hangfire.PostgreSql.PostgreSqlObjectsInstaller.Install(owner, Jobs.JobsSetup.Schema);
                    return Task.CompletedTask;
                },
            },
            sp.GetRequiredService<ILoggerFactory>()));
        builder.Services.AddSingleton<NpgsqlDataSource>(sp => sp.GetRequiredService<CasesDatabase>().DataSource);
        builder.Services.AddSingleton(sp => sp.GetRequiredService<CasesDatabase>().Turns);
        builder.Services.AddSingleton<ChangeFeed>();
        builder.Services.AddHostedService<ChangeFeedSender>();
        builder.Services.AddSingleton<CatalogStore>();
        builder.Services.AddSingleton<Contact.Core.Sla.SlaStore>();
        builder.Services.AddSingleton<Contact.Core.Sla.DemoSla>();
        builder.Services.AddSingleton<Contact.Core.Sla.SlaAdmin>();
        builder.Services.AddSingleton<CatalogImporter>();
        builder.Services.AddSingleton<Contact.Core.Directory.HsdsImporter>();
        builder.Services.AddSingleton<Contact.Core.Directory.HsdsExporter>();
        builder.Services.AddSingleton<Contact.Core.Directory.DemoDirectory>();
        builder.Services.AddSingleton(sp => new Contact.Core.Directory.DirectorySearch(
            sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<TimeProvider>(), configuration["Directory:TimeZone"]));
        builder.Services.AddSingleton<DemoCatalog>();
        builder.Services.AddSingleton<CaseCommands>();
        builder.Services.AddSingleton<CaseQueries>();
        builder.Services.AddSingleton<CaseIntake>();
        builder.Services.AddSingleton<Contact.Core.Residents.OneTimeCodes>();
        // A bad Retention setting stops the host at start, naming the setting.
        builder.Services.AddOptions<Contact.Core.Residents.RetentionOptions>().BindConfiguration(Contact.Core.Residents.RetentionOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(sp => new Contact.Core.Residents.Retention(sp.GetRequiredService<NpgsqlDataSource>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<Contact.Core.Residents.RetentionOptions>>().Value));
        builder.Services.AddSingleton<ApiKeys>();
    }

    /// <summary>Connects (or starts the embedded cluster), migrates, and loads the demo data where asked.</summary>
    public static async Task StartCaseStoreAsync(this WebApplication app)
    {
        await app.Services.GetRequiredService<CasesDatabase>().StartAsync(app.Lifetime.ApplicationStopping);
        // A wrong Directory:TimeZone stops the host now rather than failing the first directory search.
        app.Services.GetRequiredService<Contact.Core.Directory.DirectorySearch>();
        if (app.Configuration.GetValue<bool>("Seed:DemoData"))
        {
            if (await app.Services.GetRequiredService<DemoCatalog>().EnsureAsync(app.Lifetime.ApplicationStopping))
            {
                app.Logger.LogInformation("Loaded the demo catalog");
                app.Services.GetRequiredService<CatalogStore>().Invalidate();
            }
            if (await app.Services.GetRequiredService<Contact.Core.Directory.DemoDirectory>().EnsureAsync(app.Lifetime.ApplicationStopping))
            {
                app.Logger.LogInformation("Loaded the demo resource directory");
            }
            if (await app.Services.GetRequiredService<Contact.Core.Sla.DemoSla>().EnsureAsync(app.Lifetime.ApplicationStopping) > 0)
            {
                app.Logger.LogInformation("Added the demo service standards");
                app.Services.GetRequiredService<Contact.Core.Sla.SlaStore>().Invalidate();
            }
            // Demo accounts exist only in Development, never on a real centre's system.
            if (app.Environment.IsDevelopment())
            {
                var password = app.Configuration["Seed:DemoPassword"] is { Length: > 0 } p ? p : "demo";
                await app.Services.GetRequiredService<StaffDirectory>().EnsureDemoUsersAsync(password, app.Lifetime.ApplicationStopping);
                app.Logger.LogWarning("Demo users agent, agent.fr, supervisor, admin and provider can sign in at /agent with the password {DemoPassword} (Seed:DemoPassword)", password);
                // The demo Open311 key: idempotent, and the configured value always works.
                var key = app.Configuration["Seed:Open311ApiKey"] is { Length: > 0 } k ? k : "demo-key";
                await app.Services.GetRequiredService<ApiKeys>().EnsureAsync("demo", key, app.Lifetime.ApplicationStopping);
                app.Logger.LogWarning("Open311 apps can file requests with the demo API key {Open311ApiKey} (Seed:Open311ApiKey)", key);
            }
        }
    }

    /// <summary>
    /// A relative data directory is taken from the solution's root when the host runs from a checkout
    /// (so `dotnet run` from anywhere finds the same cluster), else from the content root.
    /// </summary>
    internal static string ResolveDataDirectory(string configured, string contentRoot)
    {
        if (Path.IsPathRooted(configured))
        {
            return configured;
        }
        for (var dir = new DirectoryInfo(contentRoot); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Contact.sln")))
            {
                return Path.Combine(dir.FullName, configured);
            }
        }
        return Path.Combine(contentRoot, configured);
    }
}

/// <summary>Runs this host's <see cref="ChangeFeed"/> loop.</summary>
internal sealed class ChangeFeedSender(ChangeFeed feed) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await feed.RunAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
