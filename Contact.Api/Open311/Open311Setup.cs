using System.ComponentModel.DataAnnotations;
using System.Threading.RateLimiting;
using Contact.Core.Infrastructure;
using Contact.Core.Open311;
using Microsoft.Extensions.Options;

namespace Contact.Api.Open311;

/// <summary>Names Open311's strings: Open311Text.resx (English) and Open311Text.fr.resx (French).</summary>
public sealed class Open311Text;

/// <summary>Open311 settings (section <c>Open311</c>).</summary>
public sealed class Open311Options
{
    public const string Section = "Open311";

    /// <summary>The jurisdiction this endpoint serves; a request naming another is refused.</summary>
    [Required, RegularExpression(@"^[A-Za-z0-9][A-Za-z0-9.\-]{0,99}$")]
    public string JurisdictionId { get; set; } = "ottawa.ca";

    /// <summary>The IANA time zone dates are written in (with its offset).</summary>
    [Required]
    public string TimeZone { get; set; } = "America/Toronto";

    /// <summary>Who runs the API, for the discovery document.</summary>
    [Required]
    public string Contact { get; set; } = "Call 311";

    /// <summary>Where developers ask for an API key, for the discovery document.</summary>
    [Required]
    public string KeyService { get; set; } = "Ask the 311 administrators for a key";
}

/// <summary>
/// The built-in rate limiter (System.Threading.RateLimiting), partitioned per API key for a call that presents a
/// valid key (a POST's form, a GET's query) and per client address for every other call. It is applied inside the
/// Open311 group because a POST's key is in its form body, which the rate-limiting middleware cannot read without blocking.
/// </summary>
internal sealed class Open311Limiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public Open311Limiter(IConfiguration configuration)
    {
        var perMinute = configuration.GetValue("RateLimits:Open311PerMinute", 60);
        _limiter = PartitionedRateLimiter.Create<string, string>(partition => RateLimitPartition.GetFixedWindowLimiter(partition,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
    }

    public RateLimitLease Acquire(string partition) => _limiter.AttemptAcquire(partition);

    public void Dispose() => _limiter.Dispose();
}

internal static class Open311Setup
{
    public static void AddOpen311(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<Open311Options>().BindConfiguration(Open311Options.Section).ValidateDataAnnotations()
            .Validate(o => TimeZoneInfo.TryFindSystemTimeZoneById(o.TimeZone, out _), "Open311:TimeZone is not a known time zone.")
            .ValidateOnStart();
        builder.Services.AddSingleton(sp => TimeZoneInfo.FindSystemTimeZoneById(sp.GetRequiredService<IOptions<Open311Options>>().Value.TimeZone));
        builder.Services.AddSingleton<Open311Limiter>();
        builder.Services.AddSingleton<Open311Queries>();
        builder.Services.AddSingleton<ApiKeys>();
        // The demo Open311 key: idempotent, and the configured value always works.
        builder.Services.AddSingleton(new StartupStep("the demo Open311 key", async (services, log, ct) =>
        {
            var key = services.GetRequiredService<IConfiguration>()["Seed:Open311ApiKey"] is { Length: > 0 } k ? k : "demo-key";
            await services.GetRequiredService<ApiKeys>().EnsureAsync("demo", key, ct);
            log.LogWarning("Open311 apps can file requests with the demo API key {Open311ApiKey} (Seed:Open311ApiKey)", key);
        }, DemoOnly: true, DevelopmentOnly: true));
    }
}
