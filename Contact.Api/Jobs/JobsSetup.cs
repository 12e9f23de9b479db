using Contact.Core.Infrastructure;
using Contact.Core.Notifications;
using Contact.Core.Staff;
using Contact.Ivr.Twilio;
using Hangfire;
using Hangfire.Dashboard;
using Hangfire.PostgreSql;
using Microsoft.Extensions.Options;
using Npgsql;
using Twilio.Clients;

namespace Contact.Api.Jobs;

/// <summary>Hangfire on the case store's PostgreSQL: the outbox's deliveries now, the SLA clocks later.</summary>
internal static class JobsSetup
{
    public static void AddJobs(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddHangfire((sp, config) => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UsePostgreSqlStorage(o => o.UseConnectionFactory(new DataSourceConnectionFactory(sp.GetRequiredService<CasesDatabase>())), new PostgreSqlStorageOptions
            {
                SchemaName = "hangfire",
                PrepareSchemaIfNecessary = true,
                // LISTEN/NOTIFY instead of polling every 15 s: a job enqueued is picked up at once.
                EnableLongPolling = true,
                QueuePollInterval = TimeSpan.FromSeconds(30),
                InvisibilityTimeout = TimeSpan.FromMinutes(5),
            }));
        services.AddHangfireServer(options =>
        {
            options.ServerName = $"contact-{Environment.MachineName}-{Environment.ProcessId}";
            options.WorkerCount = Math.Max(4, Environment.ProcessorCount * 2);
            options.SchedulePollingInterval = TimeSpan.FromSeconds(1);
        });
        services.AddSingleton<IOutboxDispatcher, HangfireOutboxDispatcher>();
        services.AddSingleton<OutboxDelivery>();
        services.AddTransient<OutboxJobs>();
        var development = builder.Environment.IsDevelopment();
        services.AddSingleton<ISmsSender>(sp =>
        {
            var twilio = sp.GetRequiredService<IOptions<TwilioOptions>>().Value;
            if (sp.GetService<ITwilioRestClient>() is { } client)
            {
                return new TwilioSmsSender(client, sp.GetRequiredService<IOptions<TwilioOptions>>());
            }
            if (!string.IsNullOrEmpty(twilio.AccountSid) && !string.IsNullOrEmpty(twilio.AuthToken))
            {
                return new TwilioSmsSender(new TwilioRestClient(twilio.AccountSid, twilio.AuthToken), sp.GetRequiredService<IOptions<TwilioOptions>>());
            }
            return development
                ? ActivatorUtilities.CreateInstance<LoggingSmsSender>(sp)
                : ActivatorUtilities.CreateInstance<UnconfiguredSmsSender>(sp);
        });
    }

    public static void MapJobs(this WebApplication app)
    {
        app.UseHangfireDashboard("/jobs", new DashboardOptions
        {
            Authorization = [new SupervisorsOnly()],
            DashboardTitle = "Contact jobs",
            DisplayStorageConnectionString = false,
        });
        // The safety net: deliveries a host never arranged (it died between commit and enqueue) or left half done.
        RecurringJob.AddOrUpdate<OutboxJobs>("outbox-sweep", jobs => jobs.SweepAsync(CancellationToken.None), Cron.Minutely());
    }

    /// <summary>The dashboard is for supervisors and admins.</summary>
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

/// <summary>Enqueues a delivery job once the change and its outbox row have committed.</summary>
internal sealed class HangfireOutboxDispatcher(IBackgroundJobClient jobs) : IOutboxDispatcher
{
    public void Dispatch(long outboxId) => jobs.Enqueue<OutboxJobs>(j => j.DeliverAsync(outboxId, CancellationToken.None));
}

/// <summary>The outbox's Hangfire jobs. They take ids, and are safe to run twice.</summary>
public sealed class OutboxJobs(OutboxDelivery delivery, IBackgroundJobClient jobs)
{
    /// <summary>Delivers one text; a retry is scheduled with backoff.</summary>
    [AutomaticRetry(Attempts = 3)]
    public async Task DeliverAsync(long outboxId, CancellationToken cancellationToken)
    {
        if (await delivery.DeliverAsync(outboxId, cancellationToken) is { } wait)
        {
            jobs.Schedule<OutboxJobs>(j => j.DeliverAsync(outboxId, CancellationToken.None), wait);
        }
    }

    /// <summary>Arranges every due delivery nobody arranged.</summary>
    [DisableConcurrentExecution(60)]
    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        foreach (var id in await delivery.DueAsync(TimeSpan.FromSeconds(30), cancellationToken))
        {
            jobs.Enqueue<OutboxJobs>(j => j.DeliverAsync(id, CancellationToken.None));
        }
    }
}
