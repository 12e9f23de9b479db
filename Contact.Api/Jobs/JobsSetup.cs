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
        services.AddSingleton<IOutboxDispatcher, HangfireOutboxDispatcher>();
        services.AddSingleton<SlaClock>();
        services.AddSingleton<Contact.Core.Sla.ISlaScheduler>(sp => sp.GetRequiredService<SlaClock>());
        services.AddHostedService(sp => sp.GetRequiredService<SlaClock>());
        services.AddSingleton<Contact.Core.Sla.SlaEscalator>();
        services.AddTransient<SlaJobs>();
        services.AddOptions<NotificationOptions>().BindConfiguration(NotificationOptions.Section)
            .Validate(o => o.GiveUpAfter > TimeSpan.Zero, "Notifications:GiveUpAfter is a positive time span (e.g. 1.00:00:00 for a day).")
            .ValidateOnStart();
        services.AddSingleton<OutboxDelivery>();
        services.AddTransient<OutboxJobs>();
        services.AddSingleton<Contact.Core.Referral.IFollowUpScheduler, HangfireFollowUpScheduler>();
        services.AddTransient<FollowUpJobs>();
        services.AddTransient<RetentionJobs>();
        var development = builder.Environment.IsDevelopment();
        var configuration = builder.Configuration;
        services.AddSingleton<ISmsSender>(sp =>
        {
            var twilio = sp.GetRequiredService<IOptions<TwilioOptions>>().Value;
            // Notifications:Sms = log writes texts to the log instead of sending them (staging, benchmarks).
            if (string.Equals(configuration["Notifications:Sms"], "log", StringComparison.OrdinalIgnoreCase))
            {
                return ActivatorUtilities.CreateInstance<LoggingSmsSender>(sp);
            }
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
            // Supervisors watch; only admins retry, delete or trigger jobs.
            IsReadOnlyFunc = context => !context.GetHttpContext().User.IsInRole(Roles.Admin),
            DashboardTitle = "Contact jobs",
            DisplayStorageConnectionString = false,
        }, app.Services.GetRequiredService<JobStorage>());
        var recurring = app.Services.GetRequiredService<IRecurringJobManager>();
        // The safety net: deliveries a host never arranged (it died between commit and enqueue) or left half done.
        recurring.AddOrUpdate<OutboxJobs>("outbox-sweep", jobs => jobs.SweepAsync(CancellationToken.None), Cron.Minutely());
        // And for SLA timers a host missed (down, or its clock changed): every case whose next step is due.
        recurring.AddOrUpdate<SlaJobs>("sla-sweep", jobs => jobs.SweepAsync(CancellationToken.None), Cron.Minutely());
        // And for 211 follow-ups whose scheduled job was lost (its storage restored, say): every one due and not fired.
        recurring.AddOrUpdate<FollowUpJobs>("follow-up-sweep", jobs => jobs.SweepAsync(CancellationToken.None), Cron.Minutely());
        // Data retention: nightly at 03:15 in the city's time zone, when the centre is quietest.
        recurring.AddOrUpdate<RetentionJobs>("retention", jobs => jobs.RunAsync(CancellationToken.None), Cron.Daily(3, 15),
            new RecurringJobOptions { TimeZone = app.Services.GetRequiredService<TimeZoneInfo>() });
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

/// <summary>
/// Arranges delivery once a change and its outbox row have committed: a burst of messages becomes one
/// Hangfire job that drains every due row, enqueued within a tenth of a second, rather than a job each.
/// </summary>
internal sealed class HangfireOutboxDispatcher(IBackgroundJobClient jobs, ILogger<HangfireOutboxDispatcher> logger) : IOutboxDispatcher
{
    private int _scheduled;

    public void Dispatch(long outboxId)
    {
        if (Interlocked.Exchange(ref _scheduled, 1) == 1)
        {
            return;
        }
        _ = Task.Run(async () =>
        {
            await Task.Delay(100);
            // Reset first: a message committed from now on arranges another drain.
            Interlocked.Exchange(ref _scheduled, 0);
            try
            {
                jobs.Enqueue<OutboxJobs>(j => j.DrainAsync(CancellationToken.None));
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                // The minute sweep picks the rows up.
                logger.LogWarning(e, "Could not enqueue an outbox drain; the sweep will deliver");
            }
        });
    }
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

    /// <summary>Delivers every due row, a few at a time, until none is due; then waits for the next retry.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        TimeSpan? soonest = null;
        // Bounded, so a row that can never be claimed cannot hold a worker for ever.
        for (var round = 0; round < 1000; round++)
        {
            var due = await delivery.DueAsync(TimeSpan.Zero, cancellationToken);
            if (due.Count == 0)
            {
                break;
            }
            var waits = new List<TimeSpan?>();
            await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (id, ct) =>
            {
                var wait = await delivery.DeliverAsync(id, ct);
                lock (waits)
                {
                    waits.Add(wait);
                }
            });
            soonest = waits.Where(w => w is not null).Select(w => w!.Value).Append(soonest ?? TimeSpan.MaxValue).Min();
        }
        if (soonest is { } wait && wait != TimeSpan.MaxValue)
        {
            jobs.Schedule<OutboxJobs>(j => j.DrainAsync(CancellationToken.None), wait);
        }
    }

    /// <summary>The safety net: a drain every minute, for deliveries a host never arranged or left half done.</summary>
    [DisableConcurrentExecution(60)]
    public Task SweepAsync(CancellationToken cancellationToken) => DrainAsync(cancellationToken);
}

/// <summary>The SLA safety net as a Hangfire job: safe to run twice and on several hosts.</summary>
public sealed class SlaJobs(Contact.Core.Sla.SlaEscalator escalator)
{
    /// <summary>Checks every case whose next step is due and that no host's clock has checked (all hosts down, say).</summary>
    [DisableConcurrentExecution(60)]
    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        foreach (var id in await escalator.DueAsync(cancellationToken: cancellationToken))
        {
            await escalator.CheckAsync(id, cancellationToken);
        }
    }
}

/// <summary>A 211 follow-up's job, scheduled at its due time once the follow-up committed.</summary>
internal sealed class HangfireFollowUpScheduler(IBackgroundJobClient jobs, ILogger<HangfireFollowUpScheduler> logger) : Contact.Core.Referral.IFollowUpScheduler
{
    public void Schedule(long followUpId, DateTimeOffset dueAt)
    {
        try
        {
            jobs.Schedule<FollowUpJobs>(j => j.FireAsync(followUpId, CancellationToken.None), dueAt);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            // The follow-up row is the truth: the minute sweep fires it when it falls due.
            logger.LogWarning(e, "Could not schedule follow-up {FollowUpId}; the sweep will fire it", followUpId);
        }
    }
}

/// <summary>211 follow-ups as Hangfire jobs: they take ids and fire each follow-up once, however often they run.</summary>
public sealed class FollowUpJobs(Contact.Core.Referral.InformationReferral ir)
{
    /// <summary>Fires one follow-up if it is still scheduled and due.</summary>
    public Task FireAsync(long followUpId, CancellationToken cancellationToken) => ir.FireAsync(followUpId, cancellationToken);

    /// <summary>
    /// The safety net: fires every follow-up due and not fired; and sends to the queue the cases whose follow-up
    /// question went unanswered for <see cref="Contact.Core.Referral.InformationReferral.AnswerWindow"/>.
    /// </summary>
    [DisableConcurrentExecution(60)]
    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        foreach (var id in await ir.DueAsync(cancellationToken: cancellationToken))
        {
            await ir.FireAsync(id, cancellationToken);
        }
        foreach (var id in await ir.UnansweredAsync(cancellationToken: cancellationToken))
        {
            await ir.StopWaitingAsync(id, cancellationToken);
        }
    }
}

/// <summary>Data retention as a Hangfire job: safe to run twice, and a second run changes nothing.</summary>
public sealed class RetentionJobs(Contact.Core.Residents.Retention retention, ILogger<RetentionJobs> logger)
{
    /// <summary>Removes the personal data past its time and logs what went.</summary>
    [DisableConcurrentExecution(3600)]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var s = await retention.RunAsync(cancellationToken);
        logger.LogInformation(
            "Retention removed personal data from {Cases} cases, blanked {InboundTexts} inbound texts and {OutboundTexts} outbound texts, deleted {Conversations} text conversations, cleared {Calls} calls, deleted {WebhookReplies} webhook replies and {OneTimeCodes} one-time codes",
            s.Cases, s.InboundTexts, s.OutboundTexts, s.Conversations, s.Calls, s.WebhookReplies, s.OneTimeCodes);
    }
}
