using Contact.Core.Infrastructure;
using Contact.Core.Staff;
using Hangfire;
using Hangfire.Dashboard;
using Hangfire.PostgreSql;
using Npgsql;

namespace Contact.Api.Jobs;

/// <summary>
/// Hangfire on the case store's PostgreSQL: its storage, this host's server and the dashboard. Each feature
/// registers its own jobs (the outbox's deliveries, the SLA and follow-up sweeps, retention) with its services.
/// </summary>
internal static class JobsSetup
{
    /// <summary>The job scheduler's schema.</summary>
    public const string Schema = "hangfire";

    public static void AddJobs(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        // This host's own storage, from its own database: Hangfire's static JobStorage.Current is process-wide,
        // and several hosts share a process in the tests.
        services.AddSingleton<JobStorage>(sp => new PostgreSqlStorage(new DataSourceConnectionFactory(sp.GetRequiredService<CasesDatabase>()), new PostgreSqlStorageOptions
        {
            SchemaName = Schema,
            // The owner installs and upgrades it with the migrations (CasesDatabaseOptions.PrepareOwnedSchema).
            PrepareSchemaIfNecessary = false,
            // LISTEN/NOTIFY instead of polling every 15 s: a job enqueued is picked up at once.
            EnableLongPolling = true,
            QueuePollInterval = TimeSpan.FromSeconds(30),
            InvisibilityTimeout = TimeSpan.FromMinutes(5),
        }));
        AddOwnJobActivator(services);
        services.AddHangfire(config => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());
        services.AddHangfireServer(options =>
        {
            options.ServerName = $"contact-{Environment.MachineName}-{Environment.ProcessId}";
            options.WorkerCount = Math.Max(4, Environment.ProcessorCount * 2);
            // Delayed jobs are the outbox's retries (5 s and up) and 211 follow-ups (days ahead); the SLA timers run on
            // SlaClock. Polling every 5 s keeps an idle host's database load low.
            options.SchedulePollingInterval = TimeSpan.FromSeconds(5);
        });
    }

    /// <summary>
    /// This host's own job activator: Hangfire's default is the process-wide JobActivator.Current, which each host that
    /// configures Hangfire replaces, so a host's workers could build their jobs from another host's services (disposed
    /// ones, once that host stopped) and fail until a retry. Registered before AddHangfire, which then keeps it.
    /// </summary>
    internal static void AddOwnJobActivator(IServiceCollection services) =>
        services.AddSingleton<JobActivator>(sp => new Hangfire.AspNetCore.AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));

    public static void MapJobs(this WebApplication app)
    {
        app.UseHangfireDashboard("/jobs", new DashboardOptions
        {
            Authorization = [new SupervisorsOnly()],
            // Supervisors watch; only admins retry, delete or trigger jobs.
            IsReadOnlyFunc = context => !context.GetHttpContext().User.IsInRole(Roles.Admin),
            DashboardTitle = "Contact jobs",
            DisplayStorageConnectionString = false,
        }, app.Services.GetRequiredService<JobStorage>());
    }

    /// <summary>The dashboard is for supervisors (read-only) and admins.</summary>
    private sealed class SupervisorsOnly : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context)
        {
            var user = context.GetHttpContext().User;
            return user.IsInRole(Roles.Supervisor) || user.IsInRole(Roles.Admin);
        }
    }

    /// <summary>Hangfire's connections from the case store's job pool.</summary>
    private sealed class DataSourceConnectionFactory(CasesDatabase database) : IConnectionFactory
    {
        public NpgsqlConnection GetOrCreateConnection() => database.JobsDataSource.CreateConnection();
    }
}
