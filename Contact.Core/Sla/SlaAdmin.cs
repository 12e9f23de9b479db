using System.Globalization;
using System.Text.Json;
using Dapper;
using Npgsql;

namespace Contact.Core.Sla;

/// <summary>
/// Changes to the service standards (business calendars, their holidays, SLA policies) and their audit history.
/// Every change runs in one transaction that locks what it changes, writes the row as it was before and after to
/// <c>sla_audit</c>, and commits; the policies in memory are then read again. A refused change changes nothing.
/// </summary>
public sealed class SlaAdmin(NpgsqlDataSource dataSource, SlaStore sla, TimeProvider clock)
{
    private sealed record CalendarRow(int Id, string Code, string NameEn, string NameFr, string TimeZone, string Hours);

    private sealed record HolidayRow(int CalendarId, DateTime Date, string NameEn, string NameFr);

    private sealed record AuditRow(long Id, DateTimeOffset At, string Actor, string Entity, int EntityId, string Action, string? Before, string? After);

    /// <summary>What one change did, for its audit row.</summary>
    private sealed record Change<T>(int EntityId, string Action, string? Before, string? After, T Result);

    private const string CalendarColumns = "id, code, name_en, name_fr, time_zone, hours::text as hours";
    private const string CalendarJson = "select to_jsonb(c)::text from business_calendars c where id = @id";
    private const string PolicyJson = "select to_jsonb(p)::text from sla_policies p where id = @id";

    private const string PolicySelect = """
        select p.id, k.code as category, p.priority, c.code as calendar,
               (extract(epoch from p.first_response) / 60)::int as first_response_minutes,
               (extract(epoch from p.resolution) / 60)::int as resolution_minutes,
               p.warning_percent, p.second_breach_percent, p.escalation_phone
        from sla_policies p join categories k on k.id = p.category_id join business_calendars c on c.id = p.calendar_id
        """;

    // ---- Calendars ----

    /// <summary>Every business calendar, by code, with its hours and holidays.</summary>
    public async Task<IReadOnlyList<CalendarView>> CalendarsAsync(CancellationToken ct = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var calendars = await connection.QueryAsync<CalendarRow>(new CommandDefinition(
            $"select {CalendarColumns} from business_calendars order by code", cancellationToken: ct));
        var holidays = (await connection.QueryAsync<HolidayRow>(new CommandDefinition(
            "select calendar_id, date, name_en, name_fr from calendar_holidays order by date", cancellationToken: ct))).ToLookup(h => h.CalendarId);
        return [.. calendars.Select(c => View(c, holidays[c.Id]))];
    }

    /// <summary>One business calendar; refused (404) when there is none with this code.</summary>
    public async Task<CalendarView> CalendarAsync(string code, CancellationToken ct = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await CalendarViewAsync(connection, null, code, ct) ?? throw CalendarNotFound(code);
    }

    /// <summary>Adds a business calendar.</summary>
    public Task<CalendarView> CreateCalendarAsync(string actor, CalendarInput input, CancellationToken ct = default)
    {
        var calendar = SlaAdminInput.Calendar(input, null);
        return ChangeAsync(actor, "calendar", CalendarConflict(calendar.Code), async (connection, tx) =>
        {
            var id = await connection.ExecuteScalarAsync<int>(new CommandDefinition("""
                insert into business_calendars (code, name_en, name_fr, time_zone, hours) values (@Code, @NameEn, @NameFr, @TimeZone, @Hours::jsonb)
                returning id
                """, calendar, tx, cancellationToken: ct));
            return new Change<CalendarView>(id, "created", null, await JsonAsync(connection, tx, CalendarJson, new { id }, ct),
                (await CalendarViewAsync(connection, tx, calendar.Code, ct))!);
        }, ct);
    }

    /// <summary>Replaces a calendar's names, time zone and hours (and its code, when the input gives another).</summary>
    public Task<CalendarView> UpdateCalendarAsync(string actor, string code, CalendarInput input, CancellationToken ct = default)
    {
        var calendar = SlaAdminInput.Calendar(input, code);
        return ChangeAsync(actor, "calendar", CalendarConflict(calendar.Code), async (connection, tx) =>
        {
            var id = await LockCalendarAsync(connection, tx, code, ct);
            var before = await JsonAsync(connection, tx, CalendarJson, new { id }, ct);
            await connection.ExecuteAsync(new CommandDefinition("""
                update business_calendars set code = @Code, name_en = @NameEn, name_fr = @NameFr, time_zone = @TimeZone, hours = @Hours::jsonb
                where id = @Id
                """, new { calendar.Code, calendar.NameEn, calendar.NameFr, calendar.TimeZone, calendar.Hours, Id = id }, tx, cancellationToken: ct));
            return new Change<CalendarView>(id, "updated", before, await JsonAsync(connection, tx, CalendarJson, new { id }, ct),
                (await CalendarViewAsync(connection, tx, calendar.Code, ct))!);
        }, ct);
    }

    /// <summary>Adds a holiday (closed all day) to a calendar.</summary>
    public Task<HolidayView> AddHolidayAsync(string actor, string code, HolidayInput input, CancellationToken ct = default)
    {
        var (date, nameEn, nameFr) = SlaAdminInput.Holiday(input);
        var text = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var conflict = new SlaAdminRefusedException(409, "This date is already a holiday", $"{text} is already a holiday of {code}.");
        return ChangeAsync(actor, "holiday", conflict, async (connection, tx) =>
        {
            var id = await LockCalendarAsync(connection, tx, code, ct);
            var day = date.ToDateTime(TimeOnly.MinValue);
            await connection.ExecuteAsync(new CommandDefinition(
                "insert into calendar_holidays (calendar_id, date, name_en, name_fr) values (@id, @day, @nameEn, @nameFr)",
                new { id, day, nameEn, nameFr }, tx, cancellationToken: ct));
            var after = await JsonAsync(connection, tx, "select to_jsonb(h)::text from calendar_holidays h where calendar_id = @id and date = @day", new { id, day }, ct);
            return new Change<HolidayView>(id, "created", null, after, new HolidayView(text, nameEn, nameFr));
        }, ct);
    }

    /// <summary>Removes a holiday (yyyy-MM-dd) from a calendar.</summary>
    public Task DeleteHolidayAsync(string actor, string code, string date, CancellationToken ct = default)
    {
        var day = SlaAdminInput.RouteDate(date).ToDateTime(TimeOnly.MinValue);
        return ChangeAsync(actor, "holiday", null, async (connection, tx) =>
        {
            var id = await LockCalendarAsync(connection, tx, code, ct);
            var before = await JsonAsync(connection, tx, """
                delete from calendar_holidays h where calendar_id = @id and date = @day returning to_jsonb(h)::text
                """, new { id, day }, ct)
                ?? throw new SlaAdminRefusedException(404, "No such holiday", $"{date} is not a holiday of {code}.");
            return new Change<bool>(id, "deleted", before, null, true);
        }, ct);
    }

    // ---- Policies ----

    /// <summary>Every SLA policy, by category and priority.</summary>
    public async Task<IReadOnlyList<PolicyView>> PoliciesAsync(CancellationToken ct = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return [.. await connection.QueryAsync<PolicyView>(new CommandDefinition(
            PolicySelect + " order by k.code, p.priority nulls first", cancellationToken: ct))];
    }

    /// <summary>One SLA policy; refused (404) when there is none with this id.</summary>
    public async Task<PolicyView> PolicyAsync(int id, CancellationToken ct = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await PolicyViewAsync(connection, null, id, ct) ?? throw PolicyNotFound(id);
    }

    /// <summary>Adds an SLA policy for a category (and priority).</summary>
    public Task<PolicyView> CreatePolicyAsync(string actor, PolicyInput input, CancellationToken ct = default) =>
        ChangeAsync(actor, "policy", DuplicatePolicy(input), async (connection, tx) =>
        {
            var policy = await PolicyArgumentsAsync(connection, tx, input, 0, ct);
            var id = await connection.ExecuteScalarAsync<int>(new CommandDefinition("""
                insert into sla_policies (category_id, priority, calendar_id, first_response, resolution, warning_percent, second_breach_percent, escalation_phone)
                values (@CategoryId, @Priority, @CalendarId, make_interval(mins => @FirstResponseMinutes), make_interval(mins => @ResolutionMinutes),
                        @WarningPercent, @SecondBreachPercent, @EscalationPhone)
                returning id
                """, policy, tx, cancellationToken: ct));
            return new Change<PolicyView>(id, "created", null, await JsonAsync(connection, tx, PolicyJson, new { id }, ct),
                (await PolicyViewAsync(connection, tx, id, ct))!);
        }, ct);

    /// <summary>Changes an SLA policy.</summary>
    public Task<PolicyView> UpdatePolicyAsync(string actor, int id, PolicyInput input, CancellationToken ct = default) =>
        ChangeAsync(actor, "policy", DuplicatePolicy(input), async (connection, tx) =>
        {
            var policy = await PolicyArgumentsAsync(connection, tx, input, id, ct);
            var before = await LockPolicyAsync(connection, tx, id, ct);
            await connection.ExecuteAsync(new CommandDefinition("""
                update sla_policies set category_id = @CategoryId, priority = @Priority, calendar_id = @CalendarId,
                       first_response = make_interval(mins => @FirstResponseMinutes), resolution = make_interval(mins => @ResolutionMinutes),
                       warning_percent = @WarningPercent, second_breach_percent = @SecondBreachPercent, escalation_phone = @EscalationPhone
                where id = @Id
                """, policy, tx, cancellationToken: ct));
            return new Change<PolicyView>(id, "updated", before, await JsonAsync(connection, tx, PolicyJson, new { id }, ct),
                (await PolicyViewAsync(connection, tx, id, ct))!);
        }, ct);

    /// <summary>Removes an SLA policy; refused (409) while a case has its due times from it.</summary>
    public Task DeletePolicyAsync(string actor, int id, CancellationToken ct = default) =>
        // A case that took the policy after the count makes the delete fail on the foreign key: still in use.
        ChangeAsync(actor, "policy", InUse(id, 1), async (connection, tx) =>
        {
            var before = await LockPolicyAsync(connection, tx, id, ct);
            var used = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "select count(*) from cases where sla_policy_id = @id", new { id }, tx, cancellationToken: ct));
            if (used > 0)
            {
                throw InUse(id, used);
            }
            await connection.ExecuteAsync(new CommandDefinition("delete from sla_policies where id = @id", new { id }, tx, cancellationToken: ct));
            return new Change<bool>(id, "deleted", before, null, true);
        }, ct, PostgresErrorCodes.ForeignKeyViolation);

    // ---- Audit ----

    /// <summary>The newest 500 changes, of one entity (policy, calendar, holiday) and id if given; a holiday's id is its calendar's.</summary>
    public async Task<IReadOnlyList<AuditView>> AuditAsync(string? entity, int? id, CancellationToken ct = default)
    {
        if (entity is not null && !SlaAdminInput.Entities.Contains(entity))
        {
            throw new SlaAdminInvalidException(new Dictionary<string, string[]> { ["entity"] = ["The entity is policy, calendar or holiday."] });
        }
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<AuditRow>(new CommandDefinition("""
            select id, at, actor, entity, entity_id, action, before::text as before, after::text as after from sla_audit
            where (@entity::text is null or entity = @entity) and (@id::integer is null or entity_id = @id)
            order by id desc limit 500
            """, new { entity, id }, cancellationToken: ct));
        return [.. rows.Select(r => new AuditView(r.Id, r.At, r.Actor, r.Entity, r.EntityId, r.Action, Json(r.Before), Json(r.After)))];
    }

    // ---- One change ----

    /// <summary>
    /// Runs <paramref name="work"/> in a transaction, writes its audit row, commits and forgets the policies in memory.
    /// A violation of <paramref name="conflictState"/> (a unique key, by default) is refused with <paramref name="conflict"/>.
    /// </summary>
    private async Task<T> ChangeAsync<T>(string actor, string entity, SlaAdminRefusedException? conflict,
        Func<NpgsqlConnection, NpgsqlTransaction, Task<Change<T>>> work, CancellationToken ct,
        string conflictState = PostgresErrorCodes.UniqueViolation)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        Change<T> change;
        try
        {
            change = await work(connection, tx);
        }
        catch (PostgresException e) when (conflict is not null && e.SqlState == conflictState)
        {
            throw conflict;
        }
        await connection.ExecuteAsync(new CommandDefinition("""
            insert into sla_audit (at, actor, entity, entity_id, action, before, after)
            values (@at, @actor, @entity, @EntityId, @Action, @Before::jsonb, @After::jsonb)
            """, new { at = clock.GetUtcNow(), actor, entity, change.EntityId, change.Action, change.Before, change.After }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        sla.Invalidate();
        return change.Result;
    }

    private static async Task<string?> JsonAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, object parameters, CancellationToken ct) =>
        await connection.ExecuteScalarAsync<string?>(new CommandDefinition(sql, parameters, tx, cancellationToken: ct));

    private static JsonElement? Json(string? text)
    {
        if (text is null)
        {
            return null;
        }
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    private static async Task<int> LockCalendarAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string code, CancellationToken ct) =>
        await connection.ExecuteScalarAsync<int?>(new CommandDefinition(
            "select id from business_calendars where code = @code for update", new { code }, tx, cancellationToken: ct))
        ?? throw CalendarNotFound(code);

    private static async Task<string> LockPolicyAsync(NpgsqlConnection connection, NpgsqlTransaction tx, int id, CancellationToken ct) =>
        await JsonAsync(connection, tx, PolicyJson + " for update", new { id }, ct) ?? throw PolicyNotFound(id);

    /// <summary>A policy's checked fields with its category's and calendar's ids; throws with every error.</summary>
    private static async Task<object> PolicyArgumentsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, PolicyInput input, int id, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var policy = SlaAdminInput.Policy(input, errors);
        async Task<int?> IdAsync(string table, string? code, string field, string what)
        {
            if (string.IsNullOrWhiteSpace(code))
            {
                return null;
            }
            var found = await connection.ExecuteScalarAsync<int?>(new CommandDefinition(
                $"select id from {table} where code = @code", new { code = code.Trim() }, tx, cancellationToken: ct));
            if (found is null)
            {
                errors[field] = [$"There is no {what} {code.Trim()}."];
            }
            return found;
        }
        var categoryId = await IdAsync("categories", input.Category, "category", "category");
        var calendarId = await IdAsync("business_calendars", input.Calendar, "calendar", "business calendar");
        SlaAdminInput.ThrowIfAny(errors);
        return new
        {
            Id = id, CategoryId = categoryId!.Value, policy!.Priority, CalendarId = calendarId!.Value, policy.FirstResponseMinutes,
            policy.ResolutionMinutes, policy.WarningPercent, policy.SecondBreachPercent, policy.EscalationPhone,
        };
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

    private static async Task<PolicyView?> PolicyViewAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, int id, CancellationToken ct) =>
        await connection.QuerySingleOrDefaultAsync<PolicyView>(new CommandDefinition(PolicySelect + " where p.id = @id", new { id }, tx, cancellationToken: ct));

    private static SlaAdminRefusedException CalendarNotFound(string code) =>
        new(404, "No such calendar", $"There is no business calendar {code}.");

    private static SlaAdminRefusedException CalendarConflict(string code) =>
        new(409, "A calendar with this code already exists", $"There is already a calendar {code}.");

    private static SlaAdminRefusedException PolicyNotFound(int id) =>
        new(404, "No such policy", $"There is no SLA policy {id.ToString(CultureInfo.InvariantCulture)}.");

    private static SlaAdminRefusedException DuplicatePolicy(PolicyInput input) => new(409,
        "A policy for this category and priority already exists",
        $"{input.Category?.Trim()} already has a policy for {(string.IsNullOrWhiteSpace(input.Priority) ? "every priority" : input.Priority.Trim())}; change that one instead.");

    private static SlaAdminRefusedException InUse(int id, long cases) => new(409,
        "The policy is in use",
        $"{cases.ToString(CultureInfo.InvariantCulture)} case(s) took their due times from policy {id.ToString(CultureInfo.InvariantCulture)}; change it instead of deleting it.");
}
