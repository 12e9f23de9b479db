using System.Security.Claims;
using Contact.Core.Sla;
using Contact.Core.Staff;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Contact.Api.Sla;

/// <summary>
/// The admin API for service standards: routes over <see cref="SlaAdmin"/>, which checks, changes and audits.
/// A refusal is a problem (404, 409) and field errors a validation problem (400); either way nothing changed.
/// </summary>
internal static class SlaAdminApi
{
    public static RouteGroupBuilder MapSlaAdminApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/admin/sla")
            .RequireAuthorization(p => p.RequireRole(Roles.Admin))
            .DisableAntiforgery()
            .WithTags("Service standards")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        group.MapGet("/calendars", async (SlaAdmin admin, CancellationToken ct) => TypedResults.Ok(await admin.CalendarsAsync(ct)))
            .WithSummary("Business calendars, with their hours and holidays");
        group.MapGet("/calendars/{code}", (string code, SlaAdmin admin, CancellationToken ct) =>
                Run(async () => TypedResults.Ok(await admin.CalendarAsync(code, ct))))
            .WithSummary("A business calendar");
        group.MapPost("/calendars", (CalendarInput input, ClaimsPrincipal user, SlaAdmin admin, CancellationToken ct) =>
                Run(async () =>
                {
                    var view = await admin.CreateCalendarAsync(Actor(user), input, ct);
                    return TypedResults.Created($"/api/admin/sla/calendars/{view.Code}", view);
                }))
            .WithSummary("Add a business calendar");
        group.MapPut("/calendars/{code}", (string code, CalendarInput input, ClaimsPrincipal user, SlaAdmin admin, CancellationToken ct) =>
                Run(async () => TypedResults.Ok(await admin.UpdateCalendarAsync(Actor(user), code, input, ct))))
            .WithSummary("Change a business calendar")
            .WithDescription("Replaces its names, time zone and hours (and its code, when the body gives another).");
        group.MapPost("/calendars/{code}/holidays", (string code, HolidayInput input, ClaimsPrincipal user, SlaAdmin admin, CancellationToken ct) =>
                Run(async () =>
                {
                    var view = await admin.AddHolidayAsync(Actor(user), code, input, ct);
                    return TypedResults.Created($"/api/admin/sla/calendars/{code}/holidays/{view.Date}", view);
                }))
            .WithSummary("Add a holiday to a calendar");
        group.MapDelete("/calendars/{code}/holidays/{date}", (string code, string date, ClaimsPrincipal user, SlaAdmin admin, CancellationToken ct) =>
                Run(async () =>
                {
                    await admin.DeleteHolidayAsync(Actor(user), code, date, ct);
                    return TypedResults.NoContent();
                }))
            .WithSummary("Remove a holiday (yyyy-MM-dd) from a calendar");
        group.MapGet("/policies", async (SlaAdmin admin, CancellationToken ct) => TypedResults.Ok(await admin.PoliciesAsync(ct)))
            .WithSummary("SLA policies");
        group.MapGet("/policies/{id:int}", (int id, SlaAdmin admin, CancellationToken ct) =>
                Run(async () => TypedResults.Ok(await admin.PolicyAsync(id, ct))))
            .WithSummary("An SLA policy");
        group.MapPost("/policies", (PolicyInput input, ClaimsPrincipal user, SlaAdmin admin, CancellationToken ct) =>
                Run(async () =>
                {
                    var view = await admin.CreatePolicyAsync(Actor(user), input, ct);
                    return TypedResults.Created($"/api/admin/sla/policies/{view.Id}", view);
                }))
            .WithSummary("Add an SLA policy")
            .WithDescription("Targets are minutes of business time, from 120 (2 hours) to 80640 (8 weeks).");
        group.MapPut("/policies/{id:int}", (int id, PolicyInput input, ClaimsPrincipal user, SlaAdmin admin, CancellationToken ct) =>
                Run(async () => TypedResults.Ok(await admin.UpdatePolicyAsync(Actor(user), id, input, ct))))
            .WithSummary("Change an SLA policy");
        group.MapDelete("/policies/{id:int}", (int id, ClaimsPrincipal user, SlaAdmin admin, CancellationToken ct) =>
                Run(async () =>
                {
                    await admin.DeletePolicyAsync(Actor(user), id, ct);
                    return TypedResults.NoContent();
                }))
            .WithSummary("Remove an SLA policy no case uses");
        group.MapGet("/audit", (string? entity, int? id, SlaAdmin admin, CancellationToken ct) =>
                Run(async () => TypedResults.Ok(await admin.AuditAsync(entity, id, ct))))
            .WithSummary("The history of changes, newest first")
            .WithDescription("Filter with entity (policy, calendar, holiday) and id; a holiday's id is its calendar's.");
        return group;
    }

    private static string Actor(ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "unknown";

    /// <summary>Answers what <paramref name="work"/> returns, or the problem it was refused with.</summary>
    private static async Task<Results<T, ValidationProblem, ProblemHttpResult>> Run<T>(Func<Task<T>> work) where T : IResult
    {
        try
        {
            return await work();
        }
        catch (SlaAdminInvalidException e)
        {
            return TypedResults.ValidationProblem(e.Errors, title: "The request has errors", detail: "Nothing was changed.");
        }
        catch (SlaAdminRefusedException e)
        {
            return TypedResults.Problem(statusCode: e.Status, title: e.Title, detail: e.Message);
        }
    }
}
