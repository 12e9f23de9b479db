using Contact.Core.Infrastructure;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Localization;

namespace Contact.Api.Infrastructure;

/// <summary>What every page and endpoint stands on: errors, languages, rate limits, OpenAPI, health.</summary>
internal static class WebPlatform
{
    /// <summary>The rate-limit policy of every anonymous page and API call: reads and writes per client address.</summary>
    public const string Public = "public";
    public const string LanguageCookie = "contact-lang";
    public static readonly CultureInfo[] Cultures = [.. Language.All.Select(l => l.Culture)];

    public static void AddWebPlatform(this WebApplicationBuilder builder)
    {
        // In every environment, not only Development: a feature whose collaborator was never registered stops the
        // host at start, naming what is missing, instead of failing the first request that needs it.
        builder.Host.UseDefaultServiceProvider(options =>
        {
            options.ValidateOnBuild = true;
            options.ValidateScopes = true;
        });
        builder.AddHostSecurity();
        var services = builder.Services;
        services.AddProblemDetails();
        services.AddExceptionHandler<OutageHandler>();
        services.AddLocalization();
        services.Configure<RequestLocalizationOptions>(options =>
        {
            options.DefaultRequestCulture = new RequestCulture(Language.English.Culture);
            options.SupportedCultures = Cultures;
            options.SupportedUICultures = Cultures;
            options.RequestCultureProviders =
            [
                new QueryStringRequestCultureProvider { QueryStringKey = "lang", UIQueryStringKey = "lang" },
                new CookieRequestCultureProvider { CookieName = LanguageCookie },
                new AcceptLanguageHeaderRequestCultureProvider(),
            ];
        });

        var configuration = builder.Configuration;
        services.AddRateLimiter(options =>
        {
            var writesPerMinute = configuration.GetValue("RateLimits:PublicWritesPerMinute", 30);
            var readsPerMinute = configuration.GetValue("RateLimits:PublicReadsPerMinute", 120);
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            // Reads (a form, a status page, a case's status) and writes count separately, per client address.
            options.AddPolicy(Public, http => HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method)
                ? RateLimitPartition.GetFixedWindowLimiter("read:" + ClientAddress.PartitionKey(http.Connection.RemoteIpAddress),
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = readsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 })
                : RateLimitPartition.GetFixedWindowLimiter("write:" + ClientAddress.PartitionKey(http.Connection.RemoteIpAddress),
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = writesPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            options.OnRejected = async (context, ct) =>
            {
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry))
                {
                    context.HttpContext.Response.Headers.RetryAfter = ((int)retry.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                }
                await context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context.HttpContext,
                    ProblemDetails = { Status = 429, Title = "Too many requests", Detail = "Too many requests from this address. Please wait a minute and try again." },
                });
            };
        });

        services.AddSharedDataProtection(configuration, builder.Environment);
        services.AddOpenApi();
        services.AddContactHealth();
    }

    public static void UseWebPlatform(this WebApplication app)
    {
        app.UseHostSecurity();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // Pages answer errors with a page in the resident's language; the JSON API keeps problem details.
        app.UseWhen(IsPage, pages =>
        {
            pages.UseExceptionHandler("/error/500");
            pages.UseStatusCodePagesWithReExecute("/error/{0}");
        });
        app.UseRequestLogging();
        app.UseRequestLocalization();
        app.UseStaticFiles();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseAntiforgery();
        app.MapOpenApi();
    }

    /// <summary>True for the resident and staff pages (HTML); false for the APIs, webhooks, health and hubs.</summary>
    public static bool IsPage(HttpContext http) =>
        !http.Request.Path.StartsWithSegments("/api") && !http.Request.Path.StartsWithSegments("/openapi")
        && !http.Request.Path.StartsWithSegments("/health") && !http.Request.Path.StartsWithSegments("/hubs")
        && !http.Request.Path.StartsWithSegments("/twilio") && !http.Request.Path.StartsWithSegments("/open311");
}
