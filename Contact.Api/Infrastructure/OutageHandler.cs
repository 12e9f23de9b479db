using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Contact.Api.Intake;
using Contact.Core.Infrastructure;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Localization;

namespace Contact.Api.Infrastructure;

/// <summary>
/// Any request that fails because the case store is down (<see cref="DatabaseUnavailable"/>) answers 503 with a
/// Retry-After header: problem details for the JSON API and Open311, a plain bilingual page for pages. No exception
/// text reaches the client. The Twilio webhooks answer TwiML of their own (TwilioOutageFilter) and never get here.
/// </summary>
internal sealed class OutageHandler(IProblemDetailsService problems, IStringLocalizer<IntakeText> text, ILogger<OutageHandler> logger) : IExceptionHandler
{
    // French letters stay letters; markup is still escaped.
    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);

    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        if (!DatabaseUnavailable.Is(exception) || http.Response.HasStarted)
        {
            return false;
        }
        logger.LogError(exception, "The case store is unavailable: {Method} {Path} answered 503", http.Request.Method, http.Request.Path);
        http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        http.Response.Headers.RetryAfter = DatabaseUnavailable.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        http.Response.Headers.CacheControl = "no-store";
        if (WebPlatform.IsPage(http))
        {
            http.Response.ContentType = "text/html; charset=utf-8";
            await http.Response.WriteAsync(Page(), cancellationToken);
            return true;
        }
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = text["problem.unavailable.title"],
                Detail = text["problem.unavailable.detail", DatabaseUnavailable.RetryAfterSeconds],
            },
        });
    }

    /// <summary>The page: English then French, standing on nothing that needs the database.</summary>
    private string Page()
    {
        string In(string language, string key)
        {
            var previous = CultureInfo.CurrentUICulture;
            CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(language);
            try
            {
                return Html.Encode(text[key]);
            }
            finally
            {
                CultureInfo.CurrentUICulture = previous;
            }
        }
        return $"""
            <!doctype html>
            <html lang="en">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{In("en", "outage.title")} · {In("fr", "outage.title")}</title><link rel="stylesheet" href="/css/site.css"></head>
            <body><main>
            <h1>{In("en", "outage.title")}</h1>
            <p>{In("en", "outage.detail")}</p>
            <div lang="fr">
            <h1>{In("fr", "outage.title")}</h1>
            <p>{In("fr", "outage.detail")}</p>
            </div>
            </main></body>
            </html>
            """;
    }
}
