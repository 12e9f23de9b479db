using Contact.Api.Jobs;
using Contact.Core.Notifications;
using Contact.Ivr.Twilio;
using Hangfire;
using Microsoft.Extensions.Options;
using Npgsql;
using Twilio.Clients;

namespace Contact.Api.Notifications;

/// <summary>Messages to residents: the outbox, its delivery by Hangfire jobs with retries, and the text sender.</summary>
internal static class NotificationsSetup
{
    public static void AddNotifications(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<IOutboxDispatcher, HangfireOutboxDispatcher>();
        services.AddOptions<NotificationOptions>().BindConfiguration(NotificationOptions.Section)
            .Validate(o => o.GiveUpAfter > TimeSpan.Zero, "Notifications:GiveUpAfter is a positive time span (e.g. 1.00:00:00 for a day).")
            .ValidateOnStart();
        services.AddSingleton<OutboxDelivery>();
        services.AddSingleton<OutboxMessages>();
        services.AddTransient<OutboxJobs>();
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

    public static void MapNotifications(this WebApplication app) =>
        // The safety net: deliveries a host never arranged (it died between commit and enqueue) or left half done.
        app.Services.GetRequiredService<IRecurringJobManager>()
            .AddOrUpdate<OutboxJobs>("outbox-sweep", jobs => jobs.SweepAsync(CancellationToken.None), Cron.Minutely());
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
