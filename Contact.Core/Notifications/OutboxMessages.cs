using Dapper;
using Npgsql;

namespace Contact.Core.Notifications;

/// <summary>One message in the outbox, as the development phone shows it.</summary>
/// <param name="Id">The outbox row.</param>
/// <param name="Kind">What it is about (created, status, follow-up …).</param>
/// <param name="Body">Its text.</param>
/// <param name="Status">pending, sent, failed …</param>
/// <param name="CreatedAt">When it was written.</param>
/// <param name="UpdatedAt">When its status last changed.</param>
public sealed record OutboxMessage(long Id, string Kind, string Body, string Status, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>Reads of the outbox for other features (the outbox's own writes are in the changes that cause them).</summary>
public sealed class OutboxMessages(NpgsqlDataSource dataSource)
{
    /// <summary>The latest <paramref name="limit"/> messages to one address, oldest first.</summary>
    public async Task<IReadOnlyList<OutboxMessage>> ToAsync(string address, int limit = 100, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return [.. await connection.QueryAsync<OutboxMessage>(new CommandDefinition("""
            select id, kind, body, status, created_at, updated_at
            from (select id, kind, body, status, created_at, updated_at from outbox where to_address = @address order by id desc limit @limit) latest
            order by id
            """, new { address, limit }, cancellationToken: cancellationToken))];
    }
}
