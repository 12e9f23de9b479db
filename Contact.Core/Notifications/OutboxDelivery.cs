using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Contact.Core.Notifications;

/// <summary>What handing one text to the carrier came to.</summary>
/// <param name="Outcome">sent, retry (timeouts, 429, 5xx) or failed (permanent: opted out, invalid or not a mobile number).</param>
/// <param name="MessageSid">The carrier's id for the message, when sent.</param>
/// <param name="HttpStatus">The HTTP status the carrier answered.</param>
/// <param name="ErrorCode">The carrier's error code (Twilio: 21610 opted out, 21211 invalid, 21614 not mobile).</param>
/// <param name="Detail">What went wrong, in words.</param>
public sealed record SmsSendResult(string Outcome, string? MessageSid = null, int? HttpStatus = null, int? ErrorCode = null, string? Detail = null)
{
    /// <summary>Twilio's error for a number that texted STOP.</summary>
    public const int OptedOut = 21610;
}

/// <summary>Sends one text: Twilio's REST API, or in development a sender that logs it.</summary>
public interface ISmsSender
{
    /// <summary>Hands <paramref name="body"/> to the carrier for <paramref name="to"/>, from the number of <paramref name="line"/>.</summary>
    Task<SmsSendResult> SendAsync(string to, string body, string line, CancellationToken cancellationToken);
}

/// <summary>
/// Delivers outbox rows. A delivery first claims its row (pending → sending), so a job that runs twice for one
/// row sends once; every attempt and every status the carrier reports is kept on the row's history.
/// </summary>
public sealed class OutboxDelivery(NpgsqlDataSource dataSource, ISmsSender sender, TimeProvider clock, ILogger<OutboxDelivery>? logger = null)
{
    /// <summary>Attempts before a message is given up as failed.</summary>
    public const int MaxAttempts = 8;

    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;

    /// <summary>How long to wait before attempt <paramref name="attempt"/> + 1: 5 s, 10 s, 20 s … at most 10 min.</summary>
    public static TimeSpan Backoff(int attempt) => TimeSpan.FromSeconds(Math.Min(600, 5 * Math.Pow(2, Math.Max(0, attempt - 1))));

    private sealed record Claimed(long Id, string ToAddress, string Body, int Attempts, string Line, bool OptedOut);

    /// <summary>Delivers one row if it is due; returns when to try again (a retry), else null.</summary>
    public async Task<TimeSpan?> DeliverAsync(long outboxId, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        Claimed? row;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            row = await connection.QuerySingleOrDefaultAsync<Claimed>(new CommandDefinition("""
                update outbox o set status = 'sending', attempts = o.attempts + 1, updated_at = @now
                where o.id = @outboxId and o.status = 'pending' and o.next_attempt_at <= @now
                returning o.id, o.to_address, o.body, o.attempts,
                          coalesce((select c.line from cases c where c.id = o.case_id), case when o.kind = @directoryKind then '211' end, '311') as line,
                          exists (select 1 from sms_opt_outs s where s.phone = o.to_address) as opted_out
                """, new { outboxId, now, directoryKind = Outbox.DirectoryServicesKind }, cancellationToken: cancellationToken));
        }
        if (row is null)
        {
            // Not due, already sent, or being sent by another run: nothing to do.
            return null;
        }
        if (row.OptedOut)
        {
            await FinishAsync(row.Id, "cancelled", null, null, new SmsSendResult("opted_out", Detail: "The number texted STOP."), cancellationToken);
            return null;
        }

        SmsSendResult result;
        try
        {
            result = await sender.SendAsync(row.ToAddress, row.Body, row.Line, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or TimeoutException or IOException)
        {
            result = new SmsSendResult("retry", Detail: e.Message);
        }

        if (result.Outcome == "sent")
        {
            await FinishAsync(row.Id, "sent", result.MessageSid, null, result, cancellationToken);
            _logger.LogInformation("Text {OutboxId} sent as {MessageSid}", row.Id, result.MessageSid);
            return null;
        }
        if (result.Outcome == "retry" && row.Attempts < MaxAttempts)
        {
            var wait = Backoff(row.Attempts);
            await FinishAsync(row.Id, "pending", null, now + wait, result, cancellationToken);
            _logger.LogWarning("Text {OutboxId} not sent ({Detail}); trying again in {Wait}", row.Id, result.Detail ?? result.HttpStatus?.ToString(System.Globalization.CultureInfo.InvariantCulture), wait);
            return wait;
        }
        await FinishAsync(row.Id, "failed", null, null, result, cancellationToken);
        if (result.ErrorCode == SmsSendResult.OptedOut)
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition("""
                insert into sms_opt_outs (phone, keyword, opted_out_at) values (@ToAddress, 'carrier', @now) on conflict (phone) do nothing
                """, new { row.ToAddress, now }, cancellationToken: cancellationToken));
        }
        _logger.LogWarning("Text {OutboxId} failed for good: {ErrorCode} {Detail}", row.Id, result.ErrorCode, result.Detail);
        return null;
    }

    private async Task FinishAsync(long id, string status, string? messageSid, DateTimeOffset? nextAttempt, SmsSendResult result, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("""
            update outbox set status = @status, provider_message_id = coalesce(@messageSid, provider_message_id),
                   next_attempt_at = coalesce(@nextAttempt, next_attempt_at), last_error = @error, updated_at = @now
            where id = @id
            """, new { id, status, messageSid, nextAttempt, error = result.Outcome == "sent" ? null : Describe(result), now }, tx, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition("""
            insert into outbox_attempts (outbox_id, at, outcome, http_status, error_code, detail)
            values (@id, @now, @Outcome, @HttpStatus, @ErrorCode, @Detail)
            """, new { id, now, result.Outcome, result.HttpStatus, result.ErrorCode, result.Detail }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
    }

    private static string Describe(SmsSendResult r) => string.Join(" ", new object?[] { r.HttpStatus, r.ErrorCode, r.Detail }.Where(x => x is not null));

    /// <summary>
    /// Rows whose delivery was never arranged or was interrupted (a host died between commit and send): due
    /// pending rows, and rows left "sending" for five minutes, put back to pending. Returns their ids.
    /// </summary>
    public async Task<IReadOnlyList<long>> DueAsync(TimeSpan graceForFreshRows, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return [.. await connection.QueryAsync<long>(new CommandDefinition("""
            with stuck as (
                update outbox set status = 'pending', updated_at = @now
                where status = 'sending' and updated_at < @stale
                returning id)
            select id from outbox where status = 'pending' and next_attempt_at <= @due
            union
            select id from stuck
            limit 1000
            """, new { now, stale = now.AddMinutes(-5), due = now - graceForFreshRows }, cancellationToken: cancellationToken))];
    }

    /// <summary>A delivery status Twilio reported for a message (queued, sent, delivered, undelivered, failed).</summary>
    public async Task<bool> RecordStatusAsync(string messageSid, string status, int? errorCode, CancellationToken cancellationToken = default)
    {
        if (status is not ("queued" or "sent" or "delivered" or "undelivered" or "failed"))
        {
            return false;
        }
        var now = clock.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var id = await connection.ExecuteScalarAsync<long?>(new CommandDefinition("""
            update outbox set status = case when status in ('delivered', 'undelivered', 'failed') and @status in ('queued', 'sent') then status else @status end,
                   last_error = coalesce(@errorCode::text, last_error), updated_at = @now
            where provider_message_id = @messageSid
            returning id
            """, new { messageSid, status, errorCode, now }, tx, cancellationToken: cancellationToken));
        if (id is long outboxId)
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                insert into outbox_attempts (outbox_id, at, outcome, error_code) values (@outboxId, @now, 'status:' || @status, @errorCode)
                """, new { outboxId, now, status, errorCode }, tx, cancellationToken: cancellationToken));
        }
        await tx.CommitAsync(cancellationToken);
        return id is not null;
    }
}
