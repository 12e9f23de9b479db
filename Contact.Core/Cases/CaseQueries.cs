using Dapper;
using Npgsql;

namespace Contact.Core.Cases;

/// <summary>Reads cases.</summary>
public sealed class CaseQueries(NpgsqlDataSource dataSource)
{
    /// <summary>The case with this public number, or null.</summary>
    public async Task<CaseRecord?> FindAsync(string number, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<CaseRecord>(new CommandDefinition("""
            select c.id, c.number, c.line, c.channel, k.code as category_code, k.is_public, c.description, c.answers::text as answers,
                   c.address, c.latitude, c.longitude, c.resident_name, c.resident_phone, c.resident_email,
                   c.language, c.notify_consent, c.status, c.priority, c.created_at, c.updated_at,
                   case when c.sla_paused_at is null then c.resolution_due_at end as resolution_due_at
            from cases c join categories k on k.id = c.category_id
            where c.number = @number
            """, new { number }, cancellationToken: cancellationToken));
    }

    /// <summary>A case's history, oldest first; only the public entries unless <paramref name="includePrivate"/>.</summary>
    public async Task<IReadOnlyList<CaseEvent>> HistoryAsync(long caseId, bool includePrivate, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<CaseEvent>(new CommandDefinition("""
            select id, at, kind, actor, is_public, data::text as data
            from case_events
            where case_id = @caseId and (is_public or @includePrivate)
            order by id
            """, new { caseId, includePrivate }, cancellationToken: cancellationToken));
        return [.. rows];
    }
}
