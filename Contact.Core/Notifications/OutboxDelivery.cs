using System.Globalization;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
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

/// <summary>
/// What the carrier knows of a text a host may or may not have handed it (the host died in between): it has it
/// (its id and status), it has not, or it could not be asked.
/// </summary>
/// <param name="Outcome">found, absent or unknown (the carrier could not be reached: ask again later).</param>
/// <param name="MessageSid">The carrier's id for the message, when found.</param>
/// <param name="Status">Its status in the outbox's words (queued, sent, delivered, undelivered, failed), when found.</param>
/// <param name="Detail">Why the carrier could not be asked.</param>
public sealed record SmsLookupResult(string Outcome, string? MessageSid = null, string? Status = null, string? Detail = null)
{
    /// <summary>The carrier has no such message: it was never sent.</summary>
    public static readonly SmsLookupResult Absent = new("absent");

    /// <summary>The carrier has the message.</summary>
    public static SmsLookupResult Found(string messageSid, string status) => new("found", messageSid, status);

    /// <summary>The carrier could not be asked (down, throttling, no credentials).</summary>
    public static SmsLookupResult Unknown(string detail) => new("unknown", Detail: detail);
}

/// <summary>Sends one text: Twilio's REST API, or in development a sender that logs it.</summary>
public interface ISmsSender
{
    /// <summary>
    /// Whether texts can be sent at all (false: Twilio is the sender and has no account configured). While false,
    /// nothing is attempted: texts wait, pending, and their attempts are not counted.
    /// </summary>
    bool CanSend { get; }

    /// <summary>Hands <paramref name="body"/> to the carrier for <paramref name="to"/>, from the number of <paramref name="line"/>.</summary>
    Task<SmsSendResult> SendAsync(string to, string body, string line, CancellationToken cancellationToken);

    /// <summary>
    /// Looks for a text with <paramref name="body"/> sent to <paramref name="to"/> from the number of
    /// <paramref name="line"/> at or after <paramref name="since"/>: whether the carrier already has it.
    /// </summary>
    /// <param name="to">The recipient.</param>
    /// <param name="line">The line (311 or 211) whose number the text is from.</param>
    /// <param name="since">The earliest time the text could have been handed over (its claim, less a little slack).</param>
    /// <param name="body">The text, as it would have been sent.</param>
    /// <param name="except">Carrier ids already matched to other outbox rows: never this row's text.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    Task<SmsLookupResult> FindSentAsync(string to, string line, DateTimeOffset since, string body, IReadOnlySet<string> except, CancellationToken cancellationToken);
}

/// <summary>
/// Delivers outbox rows. A delivery first claims its row (pending → sending), so a job that runs twice for one
/// row sends once; every attempt and every status the carrier reports is kept on the row's history. A row a host
/// left "sending" (it died between claiming and recording the outcome) becomes "uncertain" and is looked up at the
/// carrier before anything is resent. A text not handed over within <see cref="NotificationOptions.GiveUpAfter"/>
/// of being written is given up as failed.
/// </summary>
public sealed class OutboxDelivery(NpgsqlDataSource dataSource, ISmsSender sender, TimeProvider clock, ILogger<OutboxDelivery>? logger = null,
    IOptions<NotificationOptions>? options = null)
{
    /// <summary>How long a row may stay "sending" before it is taken for interrupted (and becomes uncertain).</summary>
    public static readonly TimeSpan StuckAfter = TimeSpan.FromMinutes(5);

    /// <summary>How long to wait before asking the carrier again about an uncertain row it could not be asked about.</summary>
    public static readonly TimeSpan LookupRetry = TimeSpan.FromMinutes(1);

    // The carrier's clock and ours may differ a little: an uncertain row is looked up from a little before its claim.
    private static readonly TimeSpan ClockSlack = TimeSpan.FromMinutes(1);

    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;

    private readonly TimeSpan _giveUpAfter = options?.Value.GiveUpAfter ?? new NotificationOptions().GiveUpAfter;

    /// <summary>How long to wait before attempt <paramref name="attempt"/> + 1: 5 s, 10 s, 20 s … at most 10 min.</summary>
    public static TimeSpan Backoff(int attempt) => TimeSpan.FromSeconds(Math.Min(600, 5 * Math.Pow(2, Math.Max(0, attempt - 1))));

    private sealed record Claimed(long Id, string Status, string ToAddress, string Body, int Attempts, string Line, bool OptedOut, DateTimeOffset CreatedAt);

    private sealed record Uncertain(long Id, string ToAddress, string Body, string Line, DateTimeOffset ClaimedAt);

    // The line a row's text goes out on: its case's, else the directory's (211) for a services list, else 311. Needs @directoryKind.
    private const string LineOf = "coalesce((select c.line from cases c where c.id = o.case_id), case when o.kind = @directoryKind then '211' end, '311')";

    private string GiveUpReason => "Given up: not sent within " + _giveUpAfter.TotalHours.ToString("0.##", CultureInfo.InvariantCulture) + " hours of being written";

    /// <summary>
    /// Delivers one row if it is due (first resolving it at the carrier when it is uncertain); returns when to try
    /// again, else null.
    /// </summary>
    public async Task<TimeSpan?> DeliverAsync(long outboxId, CancellationToken cancellationToken = default)
    {
        if (!sender.CanSend)
        {
            // No carrier to hand texts to: nothing is attempted nor counted; the rows wait, pending.
            return null;
        }
        var row = await ClaimAsync(outboxId, cancellationToken);
        if (row is null)
        {
            // Not due, already sent, being sent by another run, or uncertain: an uncertain row is looked up first.
            switch (await ResolveAsync(outboxId, cancellationToken))
            {
                case "absent":
                    row = await ClaimAsync(outboxId, cancellationToken);
                    break;
                case "unknown":
                    return LookupRetry;
            }
        }
        if (row is null)
        {
            return null;
        }
        if (row.Status == "failed")
        {
            _logger.LogWarning("Text {OutboxId} given up: written {CreatedAt}, not sent within {GiveUpAfter}", row.Id, row.CreatedAt, _giveUpAfter);
            return null;
        }
        var now = clock.GetUtcNow();
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
        if (result.Outcome == "retry")
        {
            if (now - row.CreatedAt < _giveUpAfter)
            {
                var wait = Backoff(row.Attempts);
                await FinishAsync(row.Id, "pending", null, now + wait, result, cancellationToken);
                _logger.LogWarning("Text {OutboxId} not sent ({Detail}); trying again in {Wait}", row.Id, result.Detail ?? result.HttpStatus?.ToString(CultureInfo.InvariantCulture), wait);
                return wait;
            }
            result = result with { Outcome = "failed", Detail = GiveUpReason + ": " + Describe(result) };
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

    /// <summary>
    /// Claims a due pending row (pending → sending, one more attempt); a row past its age is given up instead
    /// (pending → failed, no attempt), in the same statement.
    /// </summary>
    private async Task<Claimed?> ClaimAsync(long outboxId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<Claimed>(new CommandDefinition($"""
            with claimed as (
                update outbox o set status = case when o.created_at <= @cutoff then 'failed' else 'sending' end,
                       attempts = o.attempts + case when o.created_at <= @cutoff then 0 else 1 end,
                       claimed_at = case when o.created_at <= @cutoff then o.claimed_at else @now end,
                       last_error = case when o.created_at <= @cutoff then @reason || coalesce(' (last error: ' || o.last_error || ')', '') else o.last_error end,
                       updated_at = @now
                where o.id = @outboxId and o.status = 'pending' and o.next_attempt_at <= @now
                returning o.id, o.status, o.to_address, o.body, o.attempts, o.case_id, o.kind, o.created_at),
            gave_up as (
                insert into outbox_attempts (outbox_id, at, outcome, detail)
                select id, @now, 'gave_up', @reason from claimed where status = 'failed')
            select o.id, o.status, o.to_address, o.body, o.attempts,
                   {LineOf} as line,
                   exists (select 1 from sms_opt_outs s where s.phone = o.to_address) as opted_out,
                   o.created_at
            from claimed o
            """, new { outboxId, now, cutoff = now - _giveUpAfter, reason = GiveUpReason, directoryKind = Outbox.DirectoryServicesKind }, cancellationToken: ct));
    }

    /// <summary>
    /// Settles an uncertain row by asking the carrier whether it has the text: found (the row takes the carrier's
    /// id and status; nothing is resent), absent (the row is pending again, to be sent), unknown (the carrier could
    /// not be asked: the row stays uncertain and is asked about again later); null when the row is not uncertain
    /// and due, or another run is settling it.
    /// </summary>
    private async Task<string?> ResolveAsync(long outboxId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        // The row stays locked while the carrier is asked, so two runs never both decide to resend it.
        var row = await connection.QuerySingleOrDefaultAsync<Uncertain>(new CommandDefinition($"""
            select o.id, o.to_address, o.body,
                   {LineOf} as line,
                   coalesce(o.claimed_at, o.updated_at) as claimed_at
            from outbox o
            where o.id = @outboxId and o.status = 'uncertain' and o.next_attempt_at <= @now
            for update of o skip locked
            """, new { outboxId, now, directoryKind = Outbox.DirectoryServicesKind }, tx, cancellationToken: ct));
        if (row is null)
        {
            return null;
        }
        var since = row.ClaimedAt - ClockSlack;
        // Texts to this number already matched to other rows are not this one.
        var recorded = (await connection.QueryAsync<string>(new CommandDefinition("""
            select provider_message_id from outbox
            where to_address = @ToAddress and id <> @Id and provider_message_id is not null and updated_at >= @since
            """, new { row.ToAddress, row.Id, since }, tx, cancellationToken: ct))).ToHashSet(StringComparer.Ordinal);
        SmsLookupResult found;
        try
        {
            found = await sender.FindSentAsync(row.ToAddress, row.Line, since, row.Body, recorded, ct);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or TimeoutException or IOException)
        {
            found = SmsLookupResult.Unknown(e.Message);
        }
        var (status, messageSid, next, outcome, detail) = found.Outcome switch
        {
            "found" => (found.Status ?? "sent", found.MessageSid, (DateTimeOffset?)null, "found", "The carrier has it (its delivery was interrupted): not sent again."),
            "absent" => ("pending", null, now, "absent", "Not at the carrier (its delivery was interrupted): to be sent again."),
            _ => ("uncertain", null, now + LookupRetry, "lookup_failed", "Could not ask the carrier: " + found.Detail),
        };
        await connection.ExecuteAsync(new CommandDefinition("""
            update outbox set status = @status, provider_message_id = coalesce(@messageSid, provider_message_id),
                   next_attempt_at = coalesce(@next, next_attempt_at),
                   last_error = case when @status = 'uncertain' then @detail else last_error end, updated_at = @now
            where id = @id
            """, new { id = row.Id, status, messageSid, next, detail, now }, tx, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition("""
            insert into outbox_attempts (outbox_id, at, outcome, detail) values (@id, @now, @outcome, @detail)
            """, new { id = row.Id, now, outcome, detail }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        if (found.Outcome == "found")
        {
            _logger.LogInformation("Text {OutboxId} was interrupted and found at the carrier as {MessageSid} ({Status}): not sent again", row.Id, messageSid, status);
        }
        else
        {
            _logger.LogWarning("Text {OutboxId} was interrupted: {Detail}", row.Id, detail);
        }
        return found.Outcome is "found" or "absent" ? found.Outcome : "unknown";
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
    /// Rows whose delivery was never arranged or was interrupted: due pending rows, and due uncertain ones; rows left
    /// "sending" for <see cref="StuckAfter"/> (a host died between claiming and recording the outcome) become
    /// uncertain here, to be looked up at the carrier before any resend. None while texts cannot be sent at all.
    /// Returns their ids.
    /// </summary>
    public async Task<IReadOnlyList<long>> DueAsync(TimeSpan graceForFreshRows, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (!sender.CanSend)
        {
            var waiting = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "select count(*) from outbox where status in ('pending', 'uncertain')", cancellationToken: cancellationToken));
            if (waiting > 0)
            {
                _logger.LogError("{Count} texts are waiting: set Twilio:AccountSid and Twilio:AuthToken to send texts", waiting);
            }
            return [];
        }
        return [.. await connection.QueryAsync<long>(new CommandDefinition("""
            with stuck as (
                update outbox set status = 'uncertain', claimed_at = coalesce(claimed_at, updated_at), next_attempt_at = @now, updated_at = @now
                where status = 'sending' and updated_at < @stale
                returning id),
            noted as (
                insert into outbox_attempts (outbox_id, at, outcome, detail)
                select id, @now, 'interrupted', 'Left sending: to be looked up at the carrier before any resend.' from stuck)
            select id from outbox where status in ('pending', 'uncertain') and next_attempt_at <= @due
            union
            select id from stuck
            limit 1000
            """, new { now, stale = now - StuckAfter, due = now - graceForFreshRows }, cancellationToken: cancellationToken))];
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
