using System.Globalization;
using System.Text.RegularExpressions;
using Contact.Agent.Staff;
using Contact.Core.ResourceDirectory;
using Microsoft.AspNetCore.Http.HttpResults;
using Contact.Core.Infrastructure;

namespace Contact.Api.ResourceDirectory;

/// <summary>
/// The resource directory for staff: search, the taxonomy picker and one service. Staff only, and never
/// cached or logged with its query, because a search made for a caller says something about that person.
/// </summary>
internal static partial class DirectoryApi
{
    public static RouteGroupBuilder MapDirectoryApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/directory").WithTags("Directory")
            .RequireAuthorization(StaffAuth.Desk)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .AddEndpointFilter(async (context, next) =>
            {
                context.HttpContext.Response.Headers.CacheControl = "no-store";
                return await next(context);
            });
        group.MapGet("/search", Search)
            .WithSummary("Search the resource directory")
            .WithDescription("Every parameter is optional and they combine with AND: term (repeatable taxonomy code; a term finds its children), q (free text, English and French), language (en|fr, the results' language), lat+lon or postal (a point), km (a radius around it), openNow, serviceLanguage, age, offset, limit. Best fit first, then nearest.");
        group.MapGet("/terms", Terms).WithSummary("Taxonomy terms whose code or name matches q");
        group.MapGet("/services/{id}", Service).WithSummary("One service at one location (query parameter location), as it stands now");
        return group;
    }

    private static string LanguageCode(HttpRequest request) => Contact.Core.Infrastructure.Language.Of(request.Query["language"].ToString()).Code;

    internal static async Task<Results<Ok<DirectoryResult>, ValidationProblem>> Search(
        HttpRequest request, DirectorySearch directory, CancellationToken cancellationToken)
    {
        var query = request.Query;
        var language = LanguageCode(request);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        void Fail(string field, string key, params object[] args) =>
            errors[field] = [string.Format(CultureInfo.InvariantCulture, DirectoryText.Get(key, language), args)];

        if (query["language"].ToString() is { Length: > 0 } given && !Contact.Core.Infrastructure.Language.IsCode(given))
        {
            Fail("language", "problem_language");
        }
        var terms = query["term"].Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t!.Trim()).ToList();
        if (terms.Count > 20 || terms.Any(t => !TermCode().IsMatch(t)))
        {
            Fail("term", "problem_term");
        }
        var text = query["q"].ToString();
        if (text.Length > 200)
        {
            Fail("q", "problem_text");
        }
        var lat = Number(query["lat"], -90, 90, out var latBad);
        var lon = Number(query["lon"], -180, 180, out var lonBad);
        if (latBad || (lat is null && lon is not null))
        {
            Fail("lat", "problem_latitude");
        }
        if (lonBad || (lon is null && lat is not null))
        {
            Fail("lon", "problem_longitude");
        }
        var postal = query["postal"].ToString().Trim();
        if (postal.Length > 0 && DirectorySearch.Fsa(postal) is null)
        {
            Fail("postal", "problem_postal_invalid", postal);
        }
        var km = Number(query["km"], 0, 500, out var kmBad);
        if (kmBad || km is <= 0 || (km is not null && lat is null && postal.Length == 0))
        {
            Fail("km", "problem_km");
        }
        var openNow = false;
        if (query["openNow"].ToString() is { Length: > 0 } open && !bool.TryParse(open, out openNow))
        {
            Fail("openNow", "problem_open_now");
        }
        var age = Whole(query["age"], 0, 130, out var ageBad);
        if (ageBad)
        {
            Fail("age", "problem_age");
        }
        var offset = Whole(query["offset"], 0, 10_000, out var offsetBad) ?? 0;
        if (offsetBad)
        {
            Fail("offset", "problem_offset");
        }
        var limit = Whole(query["limit"], 1, DirectorySearch.MaxLimit, out var limitBad) ?? 10;
        if (limitBad)
        {
            Fail("limit", "problem_limit");
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: DirectoryText.Get("problem_invalid_title", language));
        }

        var result = await directory.SearchAsync(new DirectoryQuery(
            Terms: terms, Text: text.Length > 0 ? text : null, Language: language, Latitude: lat, Longitude: lon,
            PostalCode: postal.Length > 0 ? postal : null, WithinKm: km, OpenNow: openNow,
            ServiceLanguage: query["serviceLanguage"].ToString() is { Length: > 0 } sl ? sl : null,
            Age: age, Offset: offset, Limit: limit), cancellationToken);
        if (result.Problem == "postal_code.unknown")
        {
            Fail("postal", "problem_postal_unknown", DirectorySearch.Fsa(postal) ?? postal);
            return TypedResults.ValidationProblem(errors, title: DirectoryText.Get("problem_invalid_title", language));
        }
        return TypedResults.Ok(result);
    }

    internal static async Task<Ok<IReadOnlyList<TaxonomyTermView>>> Terms(
        HttpRequest request, DirectorySearch directory, CancellationToken cancellationToken) =>
        TypedResults.Ok(await directory.FindTermsAsync(request.Query["q"].ToString(), LanguageCode(request),
            Whole(request.Query["limit"], 1, DirectorySearch.MaxLimit, out _) ?? 20, cancellationToken));

    internal static async Task<Results<Ok<DirectoryHit>, ProblemHttpResult>> Service(
        string id, HttpRequest request, DirectorySearch directory, CancellationToken cancellationToken)
    {
        var language = LanguageCode(request);
        var location = request.Query["location"].ToString();
        var hit = await directory.FindAsync(id, location.Length > 0 ? location : null, language, cancellationToken);
        return hit is not null
            ? TypedResults.Ok(hit)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: DirectoryText.Get("problem_not_found_title", language),
                detail: string.Format(CultureInfo.InvariantCulture, DirectoryText.Get("problem_not_found", language), id));
    }

    private static double? Number(string? text, double min, double max, out bool bad)
    {
        bad = false;
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }
        bad = true;
        return null;
    }

    private static int? Whole(string? text, int min, int max, out bool bad)
    {
        bad = false;
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }
        bad = true;
        return null;
    }

    // AIRS/211 codes (BD-1800.2000, RP-1500.1400-500) and other taxonomies' plain codes.
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9.\-]{0,39}$")]
    private static partial Regex TermCode();
}
