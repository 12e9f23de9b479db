using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Dapper;
using Npgsql;

namespace Contact.Core.Residents;

/// <summary>How long residents' personal data is kept (section <c>Retention</c>).</summary>
public sealed class RetentionOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Retention";

    /// <summary>Whether the nightly job removes anything.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Months after a case was resolved or closed until its resident's personal data is removed.</summary>
    [Range(1, 1200, ErrorMessage = "Retention:ClosedCaseMonths must be a whole number of months from 1 to 1200.")]
    public int ClosedCaseMonths { get; set; } = 24;

    /// <summary>Months after which inbound texts and the replies stored with them are blanked and idle text conversations deleted.</summary>
    [Range(1, 1200, ErrorMessage = "Retention:SmsMonths must be a whole number of months from 1 to 1200.")]
    public int SmsMonths { get; set; } = 3;

    /// <summary>Months after which a call's state and numbers are cleared and its stored webhook replies deleted.</summary>
    [Range(1, 1200, ErrorMessage = "Retention:CallMonths must be a whole number of months from 1 to 1200.")]
    public int CallMonths { get; set; } = 3;
}

/// <summary>What one retention run removed, by kind.</summary>
/// <param name="Cases">Cases whose resident's personal data was removed (each gets one <c>retention_applied</c> event).</param>
/// <param name="InboundTexts">Inbound texts whose body and stored reply were blanked.</param>
/// <param name="Conversations">Idle text conversations deleted.</param>
/// <param name="Calls">Calls whose state, numbers and pending connection were cleared.</param>
/// <param name="WebhookReplies">Stored webhook replies deleted.</param>
/// <param name="OutboundTexts">Texts not tied to a case (one-time codes) whose body and number were blanked.</param>
/// <param name="OneTimeCodes">Expired one-time code rows deleted.</param>
public sealed record RetentionSummary(int Cases, int InboundTexts, int Conversations, int Calls, int WebhookReplies, int OutboundTexts, int OneTimeCodes)
{
    /// <summary>A run that removed nothing.</summary>
    public static readonly RetentionSummary Nothing = new(0, 0, 0, 0, 0, 0, 0);
}

/// <summary>
/// Data retention: removes residents' personal data once it is no longer needed, keeping what the reports count.
/// A case resolved or closed more than <see cref="RetentionOptions.ClosedCaseMonths"/> ago (by its last
/// resolved, closed or merged event, else its last update) loses the resident's name, phone and email, its
/// recordings, the bodies and numbers of its texts, its calls' state and numbers and the notes on its referrals;
/// a private 311 case and every 211 case also lose their description, answers, location, photos and the notes on
/// their needs. A public 311 case keeps its description, location and photos, which the resident made public.
/// The case is stamped <c>redacted_at</c> and gets one <c>retention_applied</c> event in the same transaction, so a
/// second run changes nothing. Texts and calls are cleared by age. Everything goes in batches of
/// <see cref="BatchSize"/> rows per transaction, so a large backlog never holds one long transaction.
/// </summary>
public sealed class Retention
{
    /// <summary>The history entry a redacted case gets.</summary>
    public const string EventKind = "retention_applied";

    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _clock;
    private readonly RetentionOptions _options;

    /// <summary>Checks <paramref name="options"/>: a bad setting throws a <see cref="ValidationException"/> naming it.</summary>
    public Retention(NpgsqlDataSource dataSource, TimeProvider clock, RetentionOptions options)
    {
        Validator.ValidateObject(options, new ValidationContext(options), validateAllProperties: true);
        _dataSource = dataSource;
        _clock = clock;
        _options = options;
    }

    /// <summary>Rows changed per transaction.</summary>
    internal int BatchSize { get; init; } = 500;

    /// <summary>Removes everything past its time; nothing when <see cref="RetentionOptions.Enabled"/> is off.</summary>
    public async Task<RetentionSummary> RunAsync(CancellationToken cancellationToken = default)
    {
        if (!_options.Enabled)
        {
            return RetentionSummary.Nothing;
        }
        var now = _clock.GetUtcNow();
        var caseCutoff = now.AddMonths(-_options.ClosedCaseMonths);
        var smsCutoff = now.AddMonths(-_options.SmsMonths);
        var callCutoff = now.AddMonths(-_options.CallMonths);
        var cases = await RedactCasesAsync(now, caseCutoff, cancellationToken);
        // Blanked, not deleted: the row is what makes a retried webhook for the same message a repeat.
        var inbound = await RepeatAsync("""
            update sms_inbound set body = '', reply = ''
            where message_sid in (select message_sid from sms_inbound where received_at < @cutoff and (body <> '' or reply <> '')
                                  limit @batch for update skip locked)
            """, smsCutoff, cancellationToken);
        var conversations = await RepeatAsync("""
            delete from sms_conversations
            where phone in (select phone from sms_conversations where updated_at < @cutoff limit @batch for update skip locked)
            """, smsCutoff, cancellationToken);
        var calls = await RepeatAsync("""
            update calls set state = '{}', from_number = null, to_number = null, connect_twiml = null
            where call_sid in (select call_sid from calls
                               where updated_at < @cutoff
                                 and (state <> '{}' or from_number is not null or to_number is not null or connect_twiml is not null)
                               limit @batch for update skip locked)
            """, callCutoff, cancellationToken);
        var replies = await RepeatAsync("""
            delete from webhook_replies
            where token in (select token from webhook_replies where created_at < @cutoff limit @batch for update skip locked)
            """, callCutoff, cancellationToken);
        // Texts of no case (one-time codes); a case's texts go with the case. Never one still to be delivered.
        var outbound = await RepeatAsync("""
            update outbox set body = '', to_address = '', last_error = null
            where id in (select id from outbox
                         where case_id is null and created_at < @cutoff and status not in ('pending', 'sending', 'uncertain')
                           and (body <> '' or to_address <> '')
                         limit @batch for update skip locked)
            """, smsCutoff, cancellationToken);
        // A day after expiry, unless the subject is still locked (the lock is what the row holds then).
        var codes = await RepeatAsync("""
            delete from one_time_codes
            where subject in (select subject from one_time_codes
                              where expires_at < @cutoff and (locked_until is null or locked_until < @cutoff)
                              limit @batch for update skip locked)
            """, now - TimeSpan.FromDays(1), cancellationToken);
        return new RetentionSummary(cases, inbound, conversations, calls, replies, outbound, codes);
    }

    private sealed record Candidate(long Id, bool Private);

    private async Task<int> RedactCasesAsync(DateTimeOffset now, DateTimeOffset cutoff, CancellationToken ct)
    {
        var total = 0;
        var after = 0L;
        while (true)
        {
            await using var connection = await _dataSource.OpenConnectionAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            var batch = (await connection.QueryAsync<Candidate>(new CommandDefinition("""
                select c.id, (c.line = '211' or not k.is_public) as private
                from cases c join categories k on k.id = c.category_id
                where c.redacted_at is null and c.status in ('resolved', 'closed') and c.id > @after
                  and coalesce((select max(e.at) from case_events e where e.case_id = c.id and e.kind in ('resolved', 'closed', 'merged')),
                               c.updated_at) < @cutoff
                order by c.id
                limit @batch
                for update of c skip locked
                """, new { after, cutoff, batch = BatchSize }, tx, cancellationToken: ct))).ToList();
            if (batch.Count == 0)
            {
                return total;
            }
            after = batch[^1].Id;
            var ids = batch.Select(c => c.Id).ToArray();
            var privateIds = batch.Where(c => c.Private).Select(c => c.Id).ToArray();
            var args = new { ids, privateIds, now };
            await connection.ExecuteAsync(new CommandDefinition("""
                update cases c
                set resident_name = null, resident_phone = null, resident_email = null, device_id = null, account_id = null,
                    description = case when p then '' else description end,
                    answers = case when p then '{}'::jsonb else answers end,
                    address = case when p then null else address end,
                    latitude = case when p then null else latitude end,
                    longitude = case when p then null else longitude end,
                    address_id = case when p then null else address_id end,
                    redacted_at = @now
                from (select id, id = any(@privateIds) as p from unnest(@ids) as id) x
                where c.id = x.id
                """, args, tx, cancellationToken: ct));
            await connection.ExecuteAsync(new CommandDefinition("""
                delete from case_media where case_id = any(@ids) and (kind = 'recording' or case_id = any(@privateIds))
                """, args, tx, cancellationToken: ct));
            await connection.ExecuteAsync(new CommandDefinition("""
                update outbox_attempts set detail = null
                where detail is not null and outbox_id in (select id from outbox where case_id = any(@ids))
                """, args, tx, cancellationToken: ct));
            // A text still waiting after all this time is never sent: it is cancelled with its number gone.
            await connection.ExecuteAsync(new CommandDefinition("""
                update outbox set body = '', to_address = '', last_error = null,
                    status = case when status in ('pending', 'sending', 'uncertain') then 'cancelled' else status end
                where case_id = any(@ids)
                """, args, tx, cancellationToken: ct));
            await connection.ExecuteAsync(new CommandDefinition("""
                update calls set state = '{}', from_number = null, to_number = null, connect_twiml = null where case_id = any(@ids)
                """, args, tx, cancellationToken: ct));
            await connection.ExecuteAsync(new CommandDefinition(
                "delete from sms_conversations where case_id = any(@ids)", args, tx, cancellationToken: ct));
            await connection.ExecuteAsync(new CommandDefinition(
                "update case_needs set note = '' where case_id = any(@privateIds) and note <> ''", args, tx, cancellationToken: ct));
            await connection.ExecuteAsync(new CommandDefinition(
                // A life event's packets hold the resident's answers and contact: only which service and life event they were stay.
                """
                update referrals set note = '', response_note = '',
                       packet = case when packet is null then null else jsonb_build_object('lifeEvent', packet->'lifeEvent', 'service', packet->'service') end
                where case_id = any(@ids) and (note <> '' or response_note <> '' or packet ? 'resident')
                """,
                args, tx, cancellationToken: ct));
            await connection.ExecuteAsync(new CommandDefinition("""
                insert into case_events (case_id, at, kind, actor, is_public, data)
                select id, @now, @kind, 'system', false,
                       jsonb_build_object('removed', (case when id = any(@privateIds) then @privateGroups else @publicGroups end)::jsonb,
                                          'after_months', @months)
                from unnest(@ids) as id
                """, new { ids, privateIds, now, kind = EventKind, months = _options.ClosedCaseMonths,
                    privateGroups = JsonSerializer.Serialize(PrivateGroups), publicGroups = JsonSerializer.Serialize(PublicGroups) },
                tx, cancellationToken: ct));
            await tx.CommitAsync(ct);
            total += batch.Count;
        }
    }

    /// <summary>What a public 311 case loses: its description, location and photos stay public.</summary>
    internal static readonly string[] PublicGroups = ["contact", "recordings", "texts", "calls", "notes"];

    /// <summary>What a private 311 case or a 211 case loses.</summary>
    internal static readonly string[] PrivateGroups = ["contact", "description", "answers", "location", "recordings", "photos", "texts", "calls", "notes"];

    /// <summary>Runs <paramref name="sql"/> (one batch, <c>@batch</c> rows at most) until it changes nothing; answers the rows changed.</summary>
    private async Task<int> RepeatAsync(string sql, DateTimeOffset cutoff, CancellationToken ct)
    {
        var total = 0;
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        while (true)
        {
            var changed = await connection.ExecuteAsync(new CommandDefinition(sql, new { cutoff, batch = BatchSize }, cancellationToken: ct));
            if (changed == 0)
            {
                return total;
            }
            total += changed;
        }
    }
}
