using System.Globalization;
using Contact.Agent.Staff;
using Contact.Core.ResourceDirectory;
using Contact.Core.InformationAndReferral;
using Microsoft.AspNetCore.Http.HttpResults;
using Contact.Core.Infrastructure;

namespace Contact.Api.Reports;

/// <summary>Reports for supervisors: counts over a period, never a person.</summary>
internal static class ReportsApi
{
    public static RouteGroupBuilder MapReportsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/reports").WithTags("Reports")
            .RequireAuthorization(StaffAuth.Oversight)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        group.MapGet("/needs", Needs)
            .WithSummary("211 needs recorded, met and unmet, by taxonomy term and unmet reason")
            .WithDescription("from and to: dates (2026-11-01, midnight in the city's time zone) or date-times with an offset; to is exclusive. Without them, the last 30 days. At most 366 days.");
        return group;
    }

    internal static async Task<Results<Ok<NeedsReportView>, ValidationProblem>> Needs(
        HttpRequest request, NeedsReport report, TimeZoneInfo zone, TimeProvider clock, CancellationToken cancellationToken)
    {
        var language = Language.Of(CultureInfo.CurrentUICulture).Code;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        DateTimeOffset? Read(string name)
        {
            var value = request.Query[name].ToString().Trim();
            if (value.Length == 0)
            {
                return null;
            }
            if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                var midnight = date.ToDateTime(TimeOnly.MinValue);
                return new DateTimeOffset(midnight, zone.GetUtcOffset(midnight));
            }
            if (value.Contains('T', StringComparison.Ordinal) && (value.EndsWith('Z') || value.LastIndexOfAny(['+', '-']) > value.IndexOf('T', StringComparison.Ordinal))
                && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at))
            {
                return at;
            }
            errors[name] = [string.Format(CultureInfo.InvariantCulture, DirectoryText.Get("problem_report_date", language), name)];
            return null;
        }
        var from = Read("from");
        var to = Read("to");
        if (errors.Count == 0)
        {
            var end = to ?? (from is { } f ? f + TimeSpan.FromDays(30) : clock.GetUtcNow());
            var start = from ?? end - TimeSpan.FromDays(30);
            if (end <= start || end - start > NeedsReport.MaxPeriod)
            {
                errors["to"] = [DirectoryText.Get("problem_report_period", language)];
            }
            else
            {
                return TypedResults.Ok(await report.ReadAsync(start, end, cancellationToken));
            }
        }
        return TypedResults.ValidationProblem(errors, title: DirectoryText.Get("problem_report_title", language));
    }
}
