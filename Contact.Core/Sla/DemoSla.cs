using System.Text.Json;
using Dapper;
using Npgsql;

namespace Contact.Core.Sla;

/// <summary>
/// The demo city's service standards: City hours (Monday to Friday 08:30–16:30, Ottawa time, Ontario's
/// statutory holidays), federal and Quebec office hours with their own holidays, a 24/7 calendar for urgent
/// work, and a policy for every category that has none, by the category's priority.
/// </summary>
public sealed class DemoSla(NpgsqlDataSource dataSource)
{
    private const string Zone = "America/Toronto";

    /// <summary>Adds the demo calendars and the missing policies; changes nothing already there.</summary>
    /// <returns>How many policies were added.</returns>
    public async Task<int> EnsureAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var weekdays = JsonSerializer.Serialize(new[] { "monday", "tuesday", "wednesday", "thursday", "friday" }.ToDictionary(d => d, _ => new[] { new[] { "08:30", "16:30" } }));
        var always = JsonSerializer.Serialize(new[] { "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday" }.ToDictionary(d => d, _ => new[] { new[] { "00:00", "00:00" } }));
        var cityHours = await CalendarAsync(connection, tx, "city-hours", "City hours", "Heures de la Ville", weekdays, cancellationToken);
        var alwaysOpen = await CalendarAsync(connection, tx, "always-open", "Always open (24/7)", "Toujours ouvert (24/7)", always, cancellationToken);
        // Federal and Quebec offices (services referred across the river and to Ottawa's federal offices) keep their own holidays.
        var federalHours = await CalendarAsync(connection, tx, "federal-hours", "Federal office hours", "Heures des bureaux fédéraux", weekdays, cancellationToken);
        var quebecHours = await CalendarAsync(connection, tx, "quebec-hours", "Quebec office hours", "Heures des bureaux du Québec", weekdays, cancellationToken);
        for (var year = 2025; year <= 2028; year++)
        {
            foreach (var (calendar, holidays) in new[] { (cityHours, CanadianHolidays.Ontario(year)), (federalHours, CanadianHolidays.Federal(year)), (quebecHours, CanadianHolidays.Quebec(year)) })
            {
                foreach (var (date, en, fr) in holidays)
                {
                    await connection.ExecuteAsync(new CommandDefinition("""
                        insert into calendar_holidays (calendar_id, date, name_en, name_fr) values (@calendar, @date, @en, @fr)
                        on conflict do nothing
                        """, new { calendar, date = date.ToDateTime(TimeOnly.MinValue), en, fr }, tx, cancellationToken: cancellationToken));
                }
            }
        }
        // By priority: urgent and high work is counted around the clock; the rest in City hours.
        var added = await connection.ExecuteAsync(new CommandDefinition("""
            insert into sla_policies (category_id, priority, calendar_id, first_response, resolution)
            select c.id, null,
                   case when c.default_priority in ('urgent', 'high') then @alwaysOpen else @cityHours end,
                   case c.default_priority when 'urgent' then interval '2 hours' when 'high' then interval '4 hours'
                        when 'low' then interval '16 hours' else case when c.line = '211' then interval '4 hours' else interval '8 hours' end end,
                   case c.default_priority when 'urgent' then interval '24 hours' when 'high' then interval '72 hours'
                        when 'low' then interval '320 hours' else case when c.line = '211' then interval '40 hours' else interval '80 hours' end end
            from categories c
            where not exists (select 1 from sla_policies p where p.category_id = c.id)
            """, new { alwaysOpen, cityHours }, tx, cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);
        return added;
    }

    private static async Task<int> CalendarAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string code, string en, string fr, string hours, CancellationToken ct) =>
        await connection.ExecuteScalarAsync<int>(new CommandDefinition("""
            with made as (
                insert into business_calendars (code, name_en, name_fr, time_zone, hours) values (@code, @en, @fr, @Zone, @hours::jsonb)
                on conflict (code) do nothing returning id)
            select id from made union all select id from business_calendars where code = @code and not exists (select 1 from made)
            """, new { code, en, fr, Zone, hours }, tx, cancellationToken: ct));
}
