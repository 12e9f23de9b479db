using Contact.Core.Cases;
using Contact.Core.Infrastructure;
using Npgsql;

namespace Contact.Api.Infrastructure;

internal static class CaseStoreSetup
{
    /// <summary>The case store over one data source: the database, its change feed, and the commands and reads on cases.</summary>
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
        builder.Services.AddSingleton<CaseCommands>();
        builder.Services.AddSingleton<CaseQueries>();
        builder.Services.AddSingleton<CaseIntake>();
        // Every channel's work on a case (claims, notes, resolution, the SLA's due times) goes through CaseWork.
        builder.Services.AddSingleton<CaseWork>();
    }

    /// <summary>
    /// Connects (or starts the embedded cluster), migrates, and runs every feature's <see cref="StartupStep"/> in the
    /// order the features were registered: checks always, demo data with <c>Seed:DemoData</c>, demo accounts and keys
    /// only in Development.
    /// </summary>
    public static async Task StartCaseStoreAsync(this WebApplication app)
    {
        await app.Services.GetRequiredService<CasesDatabase>().StartAsync(app.Lifetime.ApplicationStopping);
        var demo = app.Configuration.GetValue<bool>("Seed:DemoData");
        foreach (var step in app.Services.GetServices<StartupStep>())
        {
            if ((step.DemoOnly && !demo) || (step.DevelopmentOnly && !app.Environment.IsDevelopment()))
            {
                continue;
            }
            await step.RunAsync(app.Services, app.Logger, app.Lifetime.ApplicationStopping);
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
