using System.Text.Json;
using Dapper;
using Npgsql;

namespace Contact.Core.Sla;

/// <summary>A service standard: how soon a case of a category (and priority) is first answered and resolved.</summary>
/// <param name="Id">Database id.</param>
/// <param name="CategoryId">The category.</param>
/// <param name="Priority">The priority it is for; null for every priority without a policy of its own.</param>
/// <param name="Calendar">The business calendar its time is counted in.</param>
/// <param name="FirstResponse">Business time to an agent's claim or a provider's acceptance.</param>
/// <param name="Resolution">Business time to resolution.</param>
/// <param name="WarningPercent">How far into a target its holder is warned.</param>
/// <param name="SecondBreachPercent">How far past a target (e.g. 150%) the manager is told.</param>
public sealed record SlaPolicy(int Id, int CategoryId, string? Priority, BusinessCalendar Calendar, TimeSpan FirstResponse, TimeSpan Resolution, int WarningPercent, int SecondBreachPercent = 150);

/// <summary>A case's due times.</summary>
/// <param name="PolicyId">The policy they come from.</param>
/// <param name="FirstResponseDue">When the first response is due.</param>
/// <param name="ResolutionDue">When resolution is due.</param>
/// <param name="FirstResponseWarning">When the first response falls at risk (the policy's warning percent of its target).</param>
/// <param name="ResolutionWarning">When resolution falls at risk.</param>
public sealed record SlaDue(int PolicyId, DateTimeOffset FirstResponseDue, DateTimeOffset ResolutionDue,
    DateTimeOffset FirstResponseWarning, DateTimeOffset ResolutionWarning);

/// <summary>The SLA policies and calendars, read from the database and kept for a short while.</summary>
public sealed class SlaStore(NpgsqlDataSource dataSource, TimeProvider clock)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);
    private readonly SemaphoreSlim _loading = new(1, 1);
    private (IReadOnlyDictionary<(int, string?), SlaPolicy> Policies, DateTimeOffset LoadedAt)? _current;

    private sealed record CalendarRow(int Id, string TimeZone, string Hours);

    private sealed record PolicyRow(int Id, int CategoryId, string? Priority, int CalendarId, TimeSpan FirstResponse, TimeSpan Resolution, int WarningPercent, int SecondBreachPercent);

    /// <summary>The policy for a category and priority: the priority's own, else the category's default; null when none.</summary>
    public async Task<SlaPolicy?> FindAsync(int categoryId, string priority, CancellationToken cancellationToken = default)
    {
        var policies = await PoliciesAsync(cancellationToken);
        return policies.TryGetValue((categoryId, priority), out var own) ? own
            : policies.TryGetValue((categoryId, null), out var general) ? general
            : null;
    }

    /// <summary>The policy with this id (the one a case's due times came from), or null.</summary>
    public async Task<SlaPolicy?> FindByIdAsync(int? policyId, CancellationToken cancellationToken = default) =>
        policyId is int id ? (await PoliciesAsync(cancellationToken)).Values.FirstOrDefault(p => p.Id == id) : null;

    /// <summary>Due times for a case created at <paramref name="createdAt"/> that has waited <paramref name="pausedFor"/> on its resident.</summary>
    public static SlaDue Due(SlaPolicy policy, DateTimeOffset createdAt, TimeSpan pausedFor) => new(
        policy.Id,
        At(policy, createdAt, policy.FirstResponse, 100, pausedFor),
        At(policy, createdAt, policy.Resolution, 100, pausedFor),
        At(policy, createdAt, policy.FirstResponse, policy.WarningPercent, pausedFor),
        At(policy, createdAt, policy.Resolution, policy.WarningPercent, pausedFor));

    /// <summary>
    /// The instant <paramref name="percent"/> of <paramref name="target"/> is used up, counted in the policy's
    /// business time from <paramref name="createdAt"/>, with the time waited on the resident added.
    /// </summary>
    public static DateTimeOffset At(SlaPolicy policy, DateTimeOffset createdAt, TimeSpan target, double percent, TimeSpan pausedFor) =>
        policy.Calendar.AddBusinessTime(createdAt, target * (percent / 100) + pausedFor).ToUniversalTime();

    /// <summary>Forgets what was read (after policies change).</summary>
    public void Invalidate() => _current = null;

    private async Task<IReadOnlyDictionary<(int, string?), SlaPolicy>> PoliciesAsync(CancellationToken ct)
    {
        if (_current is { } c && clock.GetUtcNow() - c.LoadedAt < Lifetime)
        {
            return c.Policies;
        }
        await _loading.WaitAsync(ct);
        try
        {
            if (_current is { } again && clock.GetUtcNow() - again.LoadedAt < Lifetime)
            {
                return again.Policies;
            }
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            var calendarRows = await connection.QueryAsync<CalendarRow>(new CommandDefinition(
                "select id, time_zone, hours::text as hours from business_calendars", cancellationToken: ct));
            var holidays = (await connection.QueryAsync<(int CalendarId, DateTime Date)>(new CommandDefinition(
                "select calendar_id, date from calendar_holidays", cancellationToken: ct))).ToLookup(h => h.CalendarId, h => DateOnly.FromDateTime(h.Date));
            var calendars = calendarRows.ToDictionary(r => r.Id, r => Calendar(r, holidays[r.Id]));
            var policies = (await connection.QueryAsync<PolicyRow>(new CommandDefinition("""
                select id, category_id, priority, calendar_id, first_response, resolution, warning_percent, second_breach_percent from sla_policies
                """, cancellationToken: ct)))
                .ToDictionary(p => (p.CategoryId, p.Priority), p => new SlaPolicy(p.Id, p.CategoryId, p.Priority, calendars[p.CalendarId], p.FirstResponse, p.Resolution, p.WarningPercent, p.SecondBreachPercent));
            _current = (policies, clock.GetUtcNow());
            return policies;
        }
        finally
        {
            _loading.Release();
        }
    }

    private static readonly Dictionary<string, DayOfWeek> Days = new(StringComparer.Ordinal)
    {
        ["monday"] = DayOfWeek.Monday, ["tuesday"] = DayOfWeek.Tuesday, ["wednesday"] = DayOfWeek.Wednesday, ["thursday"] = DayOfWeek.Thursday,
        ["friday"] = DayOfWeek.Friday, ["saturday"] = DayOfWeek.Saturday, ["sunday"] = DayOfWeek.Sunday,
    };

    private static BusinessCalendar Calendar(CalendarRow row, IEnumerable<DateOnly> holidays)
    {
        var hours = JsonSerializer.Deserialize<Dictionary<string, string[][]>>(row.Hours) ?? [];
        return new BusinessCalendar(
            TimeZoneInfo.FindSystemTimeZoneById(row.TimeZone),
            hours.ToDictionary(
                d => Days[d.Key],
                d => (IReadOnlyList<OpeningInterval>)[.. d.Value.Select(s => new OpeningInterval(TimeOnly.Parse(s[0], System.Globalization.CultureInfo.InvariantCulture), TimeOnly.Parse(s[1], System.Globalization.CultureInfo.InvariantCulture)))]),
            holidays);
    }
}
