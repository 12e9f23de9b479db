using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Contact.Core.Residents;
using Contact.Core.Sla;
using Contact.Core.Staff;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace Contact.Api.Sla;

/// <summary>A business calendar as an admin sends it: opening hours are <c>{ "monday": [["08:30", "16:30"]], … }</c>.</summary>
public sealed record CalendarInput(string? Code, string? NameEn, string? NameFr, string? TimeZone, JsonElement? Hours);

/// <summary>A holiday (a date, yyyy-MM-dd, closed all day) as an admin sends it.</summary>
public sealed record HolidayInput(string? Date, string? NameEn, string? NameFr);

/// <summary>An SLA policy as an admin sends it; category and calendar are codes, targets are in minutes.</summary>
public sealed record PolicyInput(
    string? Category, string? Priority, string? Calendar, int? FirstResponseMinutes, int? ResolutionMinutes,
    int? WarningPercent, int? SecondBreachPercent, string? EscalationPhone);

/// <summary>A business calendar with its hours and holidays.</summary>
public sealed record CalendarView(
    int Id, string Code, string NameEn, string NameFr, string TimeZone, IReadOnlyDictionary<string, string[][]> Hours, IReadOnlyList<HolidayView> Holidays);

/// <summary>A holiday of a calendar.</summary>
public sealed record HolidayView(string Date, string NameEn, string NameFr);

/// <summary>An SLA policy.</summary>
public sealed record PolicyView(
    int Id, string Category, string? Priority, string Calendar, int FirstResponseMinutes, int ResolutionMinutes,
    int WarningPercent, int SecondBreachPercent, string? EscalationPhone);

/// <summary>One change in the audit history, with the row as it was before and after.</summary>
public sealed record AuditView(long Id, DateTimeOffset At, string Actor, string Entity, int EntityId, string Action, JsonElement? Before, JsonElement? After);

/// <summary>The admin API for service standards: SLA policies and business calendars, every change audited.</summary>
internal static class SlaAdminApi
{
    public const int MinTargetMinutes = 120;        // 2 hours
    public const int MaxTargetMinutes = 8 * 7 * 24 * 60; // 8 weeks

    private static readonly string[] Priorities = ["low", "normal", "high", "urgent"];
    private static readonly string[] Entities = ["policy", "calendar", "holiday"];

    private static readonly Dictionary<string, DayOfWeek> Days = new(StringComparer.Ordinal)
    {
        ["monday"] = DayOfWeek.Monday, ["tuesday"] = DayOfWeek.Tuesday, ["wednesday"] = DayOfWeek.Wednesday, ["thursday"] = DayOfWeek.Thursday,
        ["friday"] = DayOfWeek.Friday, ["saturday"] = DayOfWeek.Saturday, ["sunday"] = DayOfWeek.Sunday,
    };

    public static RouteGroupBuilder MapSlaAdminApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/admin/sla")
            .RequireAuthorization(p => p.RequireRole(Roles.Admin))
            .DisableAntiforgery()
            .WithTags("Service standards")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        group.MapGet("/calendars", ListCalendars).WithSummary("Business calendars, with their hours and holidays");
        group.MapGet("/calendars/{code}", GetCalendar).WithSummary("A business calendar");
        group.MapPost("/calendars", CreateCalendar).WithSummary("Add a business calendar");
        group.MapPut("/calendars/{code}", UpdateCalendar).WithSummary("Change a business calendar")
            .WithDescription("Replaces its names, time zone and hours (and its code, when the body gives another).");
        group.MapPost("/calendars/{code}/holidays", AddHoliday).WithSummary("Add a holiday to a calendar");
        group.MapDelete("/calendars/{code}/holidays/{date}", DeleteHoliday).WithSummary("Remove a holiday (yyyy-MM-dd) from a calendar");
        group.MapGet("/policies", ListPolicies).WithSummary("SLA policies");
        group.MapGet("/policies/{id:int}", GetPolicy).WithSummary("An SLA policy");
        group.MapPost("/policies", CreatePolicy).WithSummary("Add an SLA policy")
            .WithDescription("Targets are minutes of business time, from 120 (2 hours) to 80640 (8 weeks).");
        group.MapPut("/policies/{id:int}", UpdatePolicy).WithSummary("Change an SLA policy");
        group.MapDelete("/policies/{id:int}", DeletePolicy).WithSummary("Remove an SLA policy no case uses");
        group.MapGet("/audit", Audit).WithSummary("The history of changes, newest first")
            .WithDescription("Filter with entity (policy, calendar, holiday) and id; a holiday's id is its calendar's.");
        return group;
    }

    // ---- Calendars ----

    private sealed record CalendarRow(int Id, string Code, string NameEn, string NameFr, string TimeZone, string Hours);

    private sealed record HolidayRow(int CalendarId, DateTime Date, string NameEn, string NameFr);

    private const string CalendarColumns = "id, code, name_en, name_fr, time_zone, hours::text as hours";

    internal static async Task<Ok<List<CalendarView>>> ListCalendars(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var calendars = await connection.QueryAsync<CalendarRow>(new CommandDefinition(
            $"select {CalendarColumns} from business_calendars order by code", cancellationToken: ct));
        var holidays = (await connection.QueryAsync<HolidayRow>(new CommandDefinition(
            "select calendar_id, date, name_en, name_fr from calendar_holidays order by date", cancellationToken: ct))).ToLookup(h => h.CalendarId);
        return TypedResults.Ok(calendars.Select(c => View(c, holidays[c.Id])).ToList());
    }

    internal static async Task<Results<Ok<CalendarView>, ProblemHttpResult>> GetCalendar(string code, NpgsqlDataSource db, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var view = await CalendarViewAsync(connection, null, code, ct);
        return view is null ? CalendarNotFound(code) : TypedResults.Ok(view);
    }

    internal static async Task<Results<Created<CalendarView>, ValidationProblem, ProblemHttpResult>> CreateCalendar(
        CalendarInput input, ClaimsPrincipal user, NpgsqlDataSource db, SlaStore sla, TimeProvider clock, CancellationToken ct)
    {
        var (calendar, errors) = ValidateCalendar(input, null);
        if (errors.Count > 0)
        {
            return Invalid(errors);
        }
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        try
        {
            var id = await connection.ExecuteScalarAsync<int>(new CommandDefinition("""
                insert into business_calendars (code, name_en, name_fr, time_zone, hours) values (@Code, @NameEn, @NameFr, @TimeZone, @Hours::jsonb)
                returning id
                """, calendar, tx, cancellationToken: ct));
            var after = await RowAsync(connection, tx, "select to_jsonb(c)::text from business_calendars c where id = @id", new { id }, ct);
            await AuditAsync(connection, tx, clock, user, "calendar", id, "created", null, after, ct);
            var view = (await CalendarViewAsync(connection, tx, calendar!.Code, ct))!;
            await tx.CommitAsync(ct);
            sla.Invalidate();
            return TypedResults.Created($"/api/admin/sla/calendars/{view.Code}", view);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return Conflict("A calendar with this code already exists", $"There is already a calendar {calendar!.Code}.");
        }
    }

    internal static async Task<Results<Ok<CalendarView>, ValidationProblem, ProblemHttpResult>> UpdateCalendar(
        string code, CalendarInput input, ClaimsPrincipal user, NpgsqlDataSource db, SlaStore sla, TimeProvider clock, CancellationToken ct)
    {
        var (calendar, errors) = ValidateCalendar(input, code);
        if (errors.Count > 0)
        {
            return Invalid(errors);
        }
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var id = await connection.ExecuteScalarAsync<int?>(new CommandDefinition(
            "select id from business_calendars where code = @code for update", new { code }, tx, cancellationToken: ct));
        if (id is null)
        {
            return CalendarNotFound(code);
        }
        try
        {
            const string Row = "select to_jsonb(c)::text from business_calendars c where id = @id";
            var before = await RowAsync(connection, tx, Row, new { id }, ct);
            await connection.ExecuteAsync(new CommandDefinition("""
                update business_calendars set code = @Code, name_en = @NameEn, name_fr = @NameFr, time_zone = @TimeZone, hours = @Hours::jsonb
                where id = @Id
                """, new { calendar!.Code, calendar.NameEn, calendar.NameFr, calendar.TimeZone, calendar.Hours, Id = id }, tx, cancellationToken: ct));
            var after = await RowAsync(connection, tx, Row, new { id }, ct);
            await AuditAsync(connection, tx, clock, user, "calendar", id.Value, "updated", before, after, ct);
            var view = (await CalendarViewAsync(connection, tx, calendar.Code, ct))!;
            await tx.CommitAsync(ct);
            sla.Invalidate();
            return TypedResults.Ok(view);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return Conflict("A calendar with this code already exists", $"There is already a calendar {calendar!.Code}.");
        }
    }

    internal static async Task<Results<Created<HolidayView>, ValidationProblem, ProblemHttpResult>> AddHoliday(
        string code, HolidayInput input, ClaimsPrincipal user, NpgsqlDataSource db, SlaStore sla, TimeProvider clock, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var date = ParseDate(input.Date);
        if (date is null)
        {
            errors["date"] = ["Give the date as yyyy-MM-dd."];
        }
        var nameEn = Required(input.NameEn, "nameEn", 200, errors);
        var nameFr = Required(input.NameFr, "nameFr", 200, errors);
        if (errors.Count > 0)
        {
            return Invalid(errors);
        }
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var id = await connection.ExecuteScalarAsync<int?>(new CommandDefinition(
            "select id from business_calendars where code = @code for update", new { code }, tx, cancellationToken: ct));
        if (id is null)
        {
            return CalendarNotFound(code);
        }
        try
        {
            var day = date!.Value.ToDateTime(TimeOnly.MinValue);
            await connection.ExecuteAsync(new CommandDefinition(
                "insert into calendar_holidays (calendar_id, date, name_en, name_fr) values (@id, @day, @nameEn, @nameFr)",
                new { id, day, nameEn, nameFr }, tx, cancellationToken: ct));
            var after = await RowAsync(connection, tx, "select to_jsonb(h)::text from calendar_holidays h where calendar_id = @id and date = @day", new { id, day }, ct);
            await AuditAsync(connection, tx, clock, user, "holiday", id.Value, "created", null, after, ct);
            await tx.CommitAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return Conflict("This date is already a holiday", $"{input.Date} is already a holiday of {code}.");
        }
        sla.Invalidate();
        var text = date.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return TypedResults.Created($"/api/admin/sla/calendars/{code}/holidays/{text}", new HolidayView(text, nameEn!, nameFr!));
    }

    internal static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DeleteHoliday(
        string code, string date, ClaimsPrincipal user, NpgsqlDataSource db, SlaStore sla, TimeProvider clock, CancellationToken ct)
    {
        if (ParseDate(date) is not { } day)
        {
            return Invalid(new Dictionary<string, string[]> { ["date"] = ["Give the date as yyyy-MM-dd."] });
        }
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var id = await connection.ExecuteScalarAsync<int?>(new CommandDefinition(
            "select id from business_calendars where code = @code for update", new { code }, tx, cancellationToken: ct));
        if (id is null)
        {
            return CalendarNotFound(code);
        }
        var before = await RowAsync(connection, tx, """
            delete from calendar_holidays h where calendar_id = @id and date = @day returning to_jsonb(h)::text
            """, new { id, day = day.ToDateTime(TimeOnly.MinValue) }, ct);
        if (before is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such holiday", detail: $"{date} is not a holiday of {code}.");
        }
        await AuditAsync(connection, tx, clock, user, "holiday", id.Value, "deleted", before, null, ct);
        await tx.CommitAsync(ct);
        sla.Invalidate();
        return TypedResults.NoContent();
    }

    private sealed record ValidCalendar(string Code, string NameEn, string NameFr, string TimeZone, string Hours);

    private static (ValidCalendar? Calendar, Dictionary<string, string[]> Errors) ValidateCalendar(CalendarInput input, string? routeCode)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var code = (input.Code ?? routeCode)?.Trim();
        if (string.IsNullOrEmpty(code))
        {
            errors["code"] = ["A code is required."];
        }
        else if (!System.Text.RegularExpressions.Regex.IsMatch(code, "^[a-z0-9][a-z0-9._-]{0,63}$", System.Text.RegularExpressions.RegexOptions.CultureInvariant))
        {
            errors["code"] = ["A code is 1 to 64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit."];
        }
        var nameEn = Required(input.NameEn, "nameEn", 200, errors);
        var nameFr = Required(input.NameFr, "nameFr", 200, errors);
        TimeZoneInfo? zone = null;
        var zoneId = input.TimeZone?.Trim();
        if (string.IsNullOrEmpty(zoneId))
        {
            errors["timeZone"] = ["A time zone is required (an IANA zone such as America/Toronto)."];
        }
        else
        {
            try
            {
                zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
            }
            catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                errors["timeZone"] = [$"{zoneId} is not a known time zone (use an IANA zone such as America/Toronto)."];
            }
        }
        var hours = ReadHours(input.Hours, errors);
        if (hours is not null && zone is not null && !errors.ContainsKey("hours"))
        {
            try
            {
                _ = new BusinessCalendar(zone, hours.ToDictionary(d => Days[d.Key], d => (IReadOnlyList<OpeningInterval>)d.Value), []);
            }
            catch (ArgumentException e)
            {
                errors["hours"] = [e.Message.Split(" (Parameter", 2)[0]];
            }
        }
        if (errors.Count > 0)
        {
            return (null, errors);
        }
        var json = JsonSerializer.Serialize(hours!.ToDictionary(
            d => d.Key,
            d => d.Value.Select(s => new[] { s.Opens.ToString("HH:mm", CultureInfo.InvariantCulture), s.Closes.ToString("HH:mm", CultureInfo.InvariantCulture) }).ToArray()));
        return (new ValidCalendar(code!, nameEn!, nameFr!, zoneId!, json), errors);
    }

    /// <summary>Reads <c>{ "monday": [["08:30", "16:30"]] }</c>, adding field errors for what it cannot.</summary>
    private static Dictionary<string, List<OpeningInterval>>? ReadHours(JsonElement? given, Dictionary<string, string[]> errors)
    {
        if (given is not { ValueKind: JsonValueKind.Object } hours)
        {
            errors["hours"] = ["Opening hours are required: an object of weekdays, e.g. { \"monday\": [[\"08:30\", \"16:30\"]] }."];
            return null;
        }
        var result = new Dictionary<string, List<OpeningInterval>>(StringComparer.Ordinal);
        foreach (var day in hours.EnumerateObject())
        {
            var field = "hours." + day.Name;
            if (!Days.ContainsKey(day.Name))
            {
                errors[field] = [$"{day.Name} is not a day of the week (monday … sunday, in lower case)."];
                continue;
            }
            if (day.Value.ValueKind != JsonValueKind.Array)
            {
                errors[field] = ["A day's hours are a list of [opens, closes] pairs."];
                continue;
            }
            var stretches = new List<OpeningInterval>();
            foreach (var pair in day.Value.EnumerateArray())
            {
                if (pair.ValueKind != JsonValueKind.Array || pair.GetArrayLength() != 2
                    || pair[0].ValueKind != JsonValueKind.String || pair[1].ValueKind != JsonValueKind.String
                    || !TimeOnly.TryParseExact(pair[0].GetString(), "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var opens)
                    || !TimeOnly.TryParseExact(pair[1].GetString(), "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var closes))
                {
                    errors[field] = ["Each stretch is [\"HH:mm\", \"HH:mm\"] (a closing of \"00:00\" is midnight)."];
                    break;
                }
                stretches.Add(new OpeningInterval(opens, closes));
            }
            result[day.Name] = stretches;
        }
        return result;
    }

    private static async Task<CalendarView?> CalendarViewAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, string code, CancellationToken ct)
    {
        var row = await connection.QuerySingleOrDefaultAsync<CalendarRow>(new CommandDefinition(
            $"select {CalendarColumns} from business_calendars where code = @code", new { code }, tx, cancellationToken: ct));
        if (row is null)
        {
            return null;
        }
        var holidays = await connection.QueryAsync<HolidayRow>(new CommandDefinition(
            "select calendar_id, date, name_en, name_fr from calendar_holidays where calendar_id = @Id order by date", new { row.Id }, tx, cancellationToken: ct));
        return View(row, holidays);
    }

    private static CalendarView View(CalendarRow c, IEnumerable<HolidayRow> holidays) => new(
        c.Id, c.Code, c.NameEn, c.NameFr, c.TimeZone,
        JsonSerializer.Deserialize<Dictionary<string, string[][]>>(c.Hours) ?? [],
        [.. holidays.Select(h => new HolidayView(h.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), h.NameEn, h.NameFr))]);

    private static ProblemHttpResult CalendarNotFound(string code) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such calendar", detail: $"There is no business calendar {code}.");

    // ---- Policies ----

    private const string PolicySelect = """
        select p.id, k.code as category, p.priority, c.code as calendar,
               (extract(epoch from p.first_response) / 60)::int as first_response_minutes,
               (extract(epoch from p.resolution) / 60)::int as resolution_minutes,
               p.warning_percent, p.second_breach_percent, p.escalation_phone
        from sla_policies p join categories k on k.id = p.category_id join business_calendars c on c.id = p.calendar_id
        """;

    private const string PolicyRow = "select to_jsonb(p)::text from sla_policies p where id = @id";

    internal static async Task<Ok<List<PolicyView>>> ListPolicies(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return TypedResults.Ok((await connection.QueryAsync<PolicyView>(new CommandDefinition(
            PolicySelect + " order by k.code, p.priority nulls first", cancellationToken: ct))).ToList());
    }

    internal static async Task<Results<Ok<PolicyView>, ProblemHttpResult>> GetPolicy(int id, NpgsqlDataSource db, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var view = await PolicyViewAsync(connection, null, id, ct);
        return view is null ? PolicyNotFound(id) : TypedResults.Ok(view);
    }

    internal static async Task<Results<Created<PolicyView>, ValidationProblem, ProblemHttpResult>> CreatePolicy(
        PolicyInput input, ClaimsPrincipal user, NpgsqlDataSource db, SlaStore sla, TimeProvider clock, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var (policy, errors) = await ValidatePolicyAsync(connection, input, ct);
        if (policy is null)
        {
            return Invalid(errors);
        }
        await using var tx = await connection.BeginTransactionAsync(ct);
        try
        {
            var id = await connection.ExecuteScalarAsync<int>(new CommandDefinition("""
                insert into sla_policies (category_id, priority, calendar_id, first_response, resolution, warning_percent, second_breach_percent, escalation_phone)
                values (@CategoryId, @Priority, @CalendarId, make_interval(mins => @FirstResponseMinutes), make_interval(mins => @ResolutionMinutes),
                        @WarningPercent, @SecondBreachPercent, @EscalationPhone)
                returning id
                """, policy, tx, cancellationToken: ct));
            var after = await RowAsync(connection, tx, PolicyRow, new { id }, ct);
            await AuditAsync(connection, tx, clock, user, "policy", id, "created", null, after, ct);
            var view = (await PolicyViewAsync(connection, tx, id, ct))!;
            await tx.CommitAsync(ct);
            sla.Invalidate();
            return TypedResults.Created($"/api/admin/sla/policies/{id}", view);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return DuplicatePolicy(input);
        }
    }

    internal static async Task<Results<Ok<PolicyView>, ValidationProblem, ProblemHttpResult>> UpdatePolicy(
        int id, PolicyInput input, ClaimsPrincipal user, NpgsqlDataSource db, SlaStore sla, TimeProvider clock, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var (policy, errors) = await ValidatePolicyAsync(connection, input, ct);
        if (policy is null)
        {
            return Invalid(errors);
        }
        await using var tx = await connection.BeginTransactionAsync(ct);
        var before = await RowAsync(connection, tx, PolicyRow + " for update", new { id }, ct);
        if (before is null)
        {
            return PolicyNotFound(id);
        }
        try
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                update sla_policies set category_id = @CategoryId, priority = @Priority, calendar_id = @CalendarId,
                       first_response = make_interval(mins => @FirstResponseMinutes), resolution = make_interval(mins => @ResolutionMinutes),
                       warning_percent = @WarningPercent, second_breach_percent = @SecondBreachPercent, escalation_phone = @EscalationPhone
                where id = @Id
                """, policy with { Id = id }, tx, cancellationToken: ct));
            var after = await RowAsync(connection, tx, PolicyRow, new { id }, ct);
            await AuditAsync(connection, tx, clock, user, "policy", id, "updated", before, after, ct);
            var view = (await PolicyViewAsync(connection, tx, id, ct))!;
            await tx.CommitAsync(ct);
            sla.Invalidate();
            return TypedResults.Ok(view);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return DuplicatePolicy(input);
        }
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeletePolicy(
        int id, ClaimsPrincipal user, NpgsqlDataSource db, SlaStore sla, TimeProvider clock, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var before = await RowAsync(connection, tx, PolicyRow + " for update", new { id }, ct);
        if (before is null)
        {
            return PolicyNotFound(id);
        }
        var used = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "select count(*) from cases where sla_policy_id = @id", new { id }, tx, cancellationToken: ct));
        if (used > 0)
        {
            return InUse(id, used);
        }
        try
        {
            await connection.ExecuteAsync(new CommandDefinition("delete from sla_policies where id = @id", new { id }, tx, cancellationToken: ct));
            await AuditAsync(connection, tx, clock, user, "policy", id, "deleted", before, null, ct);
            await tx.CommitAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            // A case took the policy after the count.
            return InUse(id, 1);
        }
        sla.Invalidate();
        return TypedResults.NoContent();
    }

    private sealed record ValidPolicy(
        int CategoryId, string? Priority, int CalendarId, int FirstResponseMinutes, int ResolutionMinutes,
        int WarningPercent, int SecondBreachPercent, string? EscalationPhone, int Id = 0);

    private static async Task<(ValidPolicy? Policy, Dictionary<string, string[]> Errors)> ValidatePolicyAsync(
        NpgsqlConnection connection, PolicyInput input, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        int? categoryId = null, calendarId = null;
        if (string.IsNullOrWhiteSpace(input.Category))
        {
            errors["category"] = ["A category code is required."];
        }
        else if ((categoryId = await connection.ExecuteScalarAsync<int?>(new CommandDefinition(
            "select id from categories where code = @code", new { code = input.Category.Trim() }, cancellationToken: ct))) is null)
        {
            errors["category"] = [$"There is no category {input.Category.Trim()}."];
        }
        var priority = string.IsNullOrWhiteSpace(input.Priority) ? null : input.Priority.Trim();
        if (priority is not null && !Priorities.Contains(priority))
        {
            errors["priority"] = ["The priority is low, normal, high or urgent, or null for every priority without a policy of its own."];
        }
        if (string.IsNullOrWhiteSpace(input.Calendar))
        {
            errors["calendar"] = ["A business calendar code is required."];
        }
        else if ((calendarId = await connection.ExecuteScalarAsync<int?>(new CommandDefinition(
            "select id from business_calendars where code = @code", new { code = input.Calendar.Trim() }, cancellationToken: ct))) is null)
        {
            errors["calendar"] = [$"There is no business calendar {input.Calendar.Trim()}."];
        }
        Target(input.FirstResponseMinutes, "firstResponseMinutes", errors);
        Target(input.ResolutionMinutes, "resolutionMinutes", errors);
        var warning = input.WarningPercent ?? 80;
        if (warning is < 1 or > 99)
        {
            errors["warningPercent"] = ["The warning comes between 1% and 99% of a target."];
        }
        var second = input.SecondBreachPercent ?? 150;
        if (second <= 100)
        {
            errors["secondBreachPercent"] = ["The second breach comes past the target: more than 100%."];
        }
        string? phone = null;
        if (!string.IsNullOrWhiteSpace(input.EscalationPhone) && (phone = PhoneNumberNormaliser.ToE164(input.EscalationPhone)) is null)
        {
            errors["escalationPhone"] = [$"{input.EscalationPhone} is not a valid phone number."];
        }
        return errors.Count > 0
            ? (null, errors)
            : (new ValidPolicy(categoryId!.Value, priority, calendarId!.Value, input.FirstResponseMinutes!.Value, input.ResolutionMinutes!.Value, warning, second, phone), errors);
    }

    private static void Target(int? minutes, string field, Dictionary<string, string[]> errors)
    {
        if (minutes is null)
        {
            errors[field] = ["A target in minutes is required."];
        }
        else if (minutes is < MinTargetMinutes or > MaxTargetMinutes)
        {
            errors[field] = [$"A target is between {MinTargetMinutes} minutes (2 hours) and {MaxTargetMinutes} minutes (8 weeks)."];
        }
    }

    private static async Task<PolicyView?> PolicyViewAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, int id, CancellationToken ct) =>
        await connection.QuerySingleOrDefaultAsync<PolicyView>(new CommandDefinition(PolicySelect + " where p.id = @id", new { id }, tx, cancellationToken: ct));

    private static ProblemHttpResult PolicyNotFound(int id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such policy", detail: $"There is no SLA policy {id.ToString(CultureInfo.InvariantCulture)}.");

    private static ProblemHttpResult DuplicatePolicy(PolicyInput input) => Conflict(
        "A policy for this category and priority already exists",
        $"{input.Category?.Trim()} already has a policy for {(string.IsNullOrWhiteSpace(input.Priority) ? "every priority" : input.Priority.Trim())}; change that one instead.");

    private static ProblemHttpResult InUse(int id, long cases) => Conflict(
        "The policy is in use",
        $"{cases.ToString(CultureInfo.InvariantCulture)} case(s) took their due times from policy {id.ToString(CultureInfo.InvariantCulture)}; change it instead of deleting it.");

    // ---- Audit ----

    private sealed record AuditRow(long Id, DateTimeOffset At, string Actor, string Entity, int EntityId, string Action, string? Before, string? After);

    internal static async Task<Results<Ok<List<AuditView>>, ValidationProblem>> Audit(string? entity, int? id, NpgsqlDataSource db, CancellationToken ct)
    {
        if (entity is not null && !Entities.Contains(entity))
        {
            return Invalid(new Dictionary<string, string[]> { ["entity"] = ["The entity is policy, calendar or holiday."] });
        }
        await using var connection = await db.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<AuditRow>(new CommandDefinition("""
            select id, at, actor, entity, entity_id, action, before::text as before, after::text as after from sla_audit
            where (@entity::text is null or entity = @entity) and (@id::integer is null or entity_id = @id)
            order by id desc limit 500
            """, new { entity, id }, cancellationToken: ct));
        return TypedResults.Ok(rows.Select(r => new AuditView(r.Id, r.At, r.Actor, r.Entity, r.EntityId, r.Action, Json(r.Before), Json(r.After))).ToList());
    }

    private static JsonElement? Json(string? text)
    {
        if (text is null)
        {
            return null;
        }
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    private static async Task AuditAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, TimeProvider clock, ClaimsPrincipal user,
        string entity, int entityId, string action, string? before, string? after, CancellationToken ct) =>
        await connection.ExecuteAsync(new CommandDefinition("""
            insert into sla_audit (at, actor, entity, entity_id, action, before, after)
            values (@at, @actor, @entity, @entityId, @action, @before::jsonb, @after::jsonb)
            """, new { at = clock.GetUtcNow(), actor = user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "unknown", entity, entityId, action, before, after },
            tx, cancellationToken: ct));

    // ---- Shared ----

    private static async Task<string?> RowAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, object parameters, CancellationToken ct) =>
        await connection.ExecuteScalarAsync<string?>(new CommandDefinition(sql, parameters, tx, cancellationToken: ct));

    private static string? Required(string? value, string field, int maxLength, Dictionary<string, string[]> errors)
    {
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            errors[field] = ["This is required."];
            return null;
        }
        if (trimmed.Length > maxLength)
        {
            errors[field] = [$"At most {maxLength.ToString(CultureInfo.InvariantCulture)} characters."];
            return null;
        }
        return trimmed;
    }

    private static DateOnly? ParseDate(string? text) =>
        DateOnly.TryParseExact(text?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;

    private static ValidationProblem Invalid(Dictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: "The request has errors", detail: "Nothing was changed.");

    private static ProblemHttpResult Conflict(string title, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: title, detail: detail);
}
