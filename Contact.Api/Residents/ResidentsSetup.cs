using Contact.Api.Jobs;
using Contact.Core.Residents;
using Hangfire;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Contact.Api.Residents;

/// <summary>What Contact keeps about residents: one-time codes, and retention (personal data removed when its time is up).</summary>
internal static class ResidentsSetup
{
    public static void AddResidents(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<OneTimeCodes>();
        // A bad Retention setting stops the host at start, naming the setting.
        services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => new Retention(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<RetentionOptions>>().Value));
        services.AddTransient<RetentionJobs>();
    }

    public static void MapResidents(this WebApplication app) =>
        // Nightly at 03:15 in the city's time zone, when the centre is quietest.
        app.Services.GetRequiredService<IRecurringJobManager>().AddOrUpdate<RetentionJobs>("retention", jobs => jobs.RunAsync(CancellationToken.None),
            Cron.Daily(3, 15), new RecurringJobOptions { TimeZone = app.Services.GetRequiredService<TimeZoneInfo>() });
}
