using Contact.Api.Jobs;
using Contact.Core.Infrastructure;
using Contact.Core.Sla;
using Hangfire;

namespace Contact.Api.Sla;

/// <summary>Service standards: policies and calendars, the escalation ladder, this host's SLA clock and the admin API.</summary>
internal static class SlaSetup
{
    public static void AddServiceStandards(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<SlaStore>();
        services.AddSingleton<SlaAdmin>();
        services.AddSingleton<SlaEscalator>();
        services.AddSingleton<SlaClock>();
        services.AddSingleton<ISlaScheduler>(sp => sp.GetRequiredService<SlaClock>());
        services.AddHostedService(sp => sp.GetRequiredService<SlaClock>());
        services.AddTransient<SlaJobs>();
        services.AddSingleton<DemoSla>();
        services.AddSingleton(new StartupStep("the demo service standards", async (sp, log, ct) =>
        {
            if (await sp.GetRequiredService<DemoSla>().EnsureAsync(ct) > 0)
            {
                log.LogInformation("Added the demo service standards");
                sp.GetRequiredService<SlaStore>().Invalidate();
            }
        }, DemoOnly: true));
    }

    public static void MapServiceStandards(this WebApplication app)
    {
        app.MapSlaAdminApi();
        // The safety net for SLA timers a host missed (down, or its clock changed): every case whose next step is due.
        app.Services.GetRequiredService<IRecurringJobManager>()
            .AddOrUpdate<SlaJobs>("sla-sweep", jobs => jobs.SweepAsync(CancellationToken.None), Cron.Minutely());
    }
}
