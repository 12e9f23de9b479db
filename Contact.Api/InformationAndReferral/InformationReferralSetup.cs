using Contact.Api.Jobs;
using Contact.Core.InformationAndReferral;
using Hangfire;
using Npgsql;

namespace Contact.Api.InformationAndReferral;

/// <summary>211 information and referral: needs, referrals to services, follow-ups (Hangfire jobs) and the needs report.</summary>
internal static class InformationReferralSetup
{
    public static void AddInformationReferral(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<InformationReferral>();
        builder.Services.AddSingleton<NeedsReport>();
        builder.Services.AddSingleton<IFollowUpScheduler, HangfireFollowUpScheduler>();
        builder.Services.AddTransient<FollowUpJobs>();
    }

    public static void MapInformationReferral(this WebApplication app) =>
        // The safety net for follow-ups whose scheduled job was lost (its storage restored, say): every one due and not fired.
        app.Services.GetRequiredService<IRecurringJobManager>()
            .AddOrUpdate<FollowUpJobs>("follow-up-sweep", jobs => jobs.SweepAsync(CancellationToken.None), Cron.Minutely());
}

/// <summary>A 211 follow-up's job, scheduled at its due time once the follow-up committed.</summary>
internal sealed class HangfireFollowUpScheduler(IBackgroundJobClient jobs, ILogger<HangfireFollowUpScheduler> logger) : IFollowUpScheduler
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
