using Contact.Core.Infrastructure;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dapper;
using Npgsql;

namespace Contact.Ivr.Voice;

/// <summary>Where a caller is and what they said so far; kept in PostgreSQL so any host answers the next step.</summary>
public sealed class CallState
{
    public string? Category { get; set; }
    public string? PendingCategory { get; set; }
    public int Page { get; set; }
    public int Question { get; set; }
    public Dictionary<string, string> Answers { get; set; } = [];
    public string? Address { get; set; }
    public string? PendingAddress { get; set; }
    public string? RecordingUrl { get; set; }
    public string? Callback { get; set; }
    public string? CaseNumber { get; set; }
    public string? Line { get; set; }

    /// <summary>Self-serve: the need chosen (a NeedWords code).</summary>
    public string? Need { get; set; }

    /// <summary>Self-serve: the postal code or its area the services are near.</summary>
    public string? PostalCode { get; set; }

    /// <summary>Self-serve: how many services were read before the ones just heard.</summary>
    public int ServiceOffset { get; set; }

    /// <summary>Self-serve: where the nearby search stood before the services just heard (ring, offset in it).</summary>
    public Contact.Core.ResourceDirectory.NearbyCursor ServicesFrom { get; set; } = Contact.Core.ResourceDirectory.NearbyCursor.Start;

    /// <summary>Self-serve: where it stands after them (the next services start there).</summary>
    public Contact.Core.ResourceDirectory.NearbyCursor ServicesAfter { get; set; } = Contact.Core.ResourceDirectory.NearbyCursor.Start;

    /// <summary>Self-serve: whether the services just heard are open now (else they open later).</summary>
    public bool ServicesOpenNow { get; set; } = true;

    /// <summary>Self-serve: whether the directory has more after the ones just heard.</summary>
    public bool ServicesMore { get; set; }

    /// <summary>Self-serve: the services just heard, as they would be texted.</summary>
    public List<Contact.Core.ResourceDirectory.ServiceListing> ServicesHeard { get; set; } = [];

    /// <summary>Self-serve: the offsets of the lists already texted to the caller (each is texted once).</summary>
    public List<int> ServicesTexted { get; set; } = [];
}

/// <summary>A call as stored.</summary>
public sealed record CallRecord(string CallSid, string? Line, string? Language, string? FromNumber, string? ToNumber, CallState State, long? CaseId);

/// <summary>Reads and writes calls, and remembers webhook replies by idempotency token.</summary>
public sealed class CallStore(NpgsqlDataSource dataSource, TimeProvider clock, TurnGate turns, Contact.Core.Notifications.IOutboxDispatcher outbox)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private sealed record Row(string CallSid, string? Line, string? Language, string? FromNumber, string? ToNumber, string State, long? CaseId);

    /// <summary>The call, created on its first webhook.</summary>
    public async Task<CallRecord> OpenAsync(string callSid, string? from, string? to, string? line, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var now = clock.GetUtcNow();
        var row = await connection.QuerySingleAsync<Row>(new CommandDefinition("""
            with made as (
                insert into calls (call_sid, line, from_number, to_number, created_at, updated_at)
                values (@callSid, @line, @from, @to, @now, @now)
                on conflict (call_sid) do nothing
                returning call_sid, line, language, from_number, to_number, state::text as state, case_id)
            select * from made
            union all
            select call_sid, line, language, from_number, to_number, state::text, case_id from calls
            where call_sid = @callSid and not exists (select 1 from made)
            """, new { callSid, from, to, line, now }, cancellationToken: ct));
        return ToRecord(row);
    }

    /// <summary>The call, or null when Twilio names one that never started here.</summary>
    public async Task<CallRecord?> FindAsync(string callSid, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            "select call_sid, line, language, from_number, to_number, state::text as state, case_id from calls where call_sid = @callSid",
            new { callSid }, cancellationToken: ct));
        return row is null ? null : ToRecord(row);
    }

    private static CallRecord ToRecord(Row r) =>
        new(r.CallSid, r.Line, r.Language, r.FromNumber, r.ToNumber, JsonSerializer.Deserialize<CallState>(r.State, Json) ?? new CallState(), r.CaseId);

    /// <summary>Saves the call's language, line and state.</summary>
    public async Task SaveAsync(CallRecord call, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("""
            update calls set line = @Line, language = @Language, state = @State::jsonb, case_id = @CaseId, updated_at = @now
            where call_sid = @CallSid
            """, new { call.Line, call.Language, State = JsonSerializer.Serialize(call.State, Json), call.CaseId, call.CallSid, now = clock.GetUtcNow() }, cancellationToken: ct));
    }

    /// <summary>Records Twilio's call status (completed, busy, no-answer, …).</summary>
    public async Task<bool> SetStatusAsync(string callSid, string status, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(
            "update calls set status = @status, updated_at = @now where call_sid = @callSid",
            new { callSid, status = status.Length > 40 ? status[..40] : status, now = clock.GetUtcNow() }, cancellationToken: ct)) > 0;
    }

    /// <summary>How long a turn waits for the one before it on the same call (Twilio gives up on a webhook after 15 s).</summary>
    public static readonly TimeSpan TurnWait = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Begins a turn of the call: a transaction holding an advisory lock on the call sid until the returned turn is
    /// disposed, so the turns of one call (a webhook Twilio retried while its first delivery still runs) run one at
    /// a time, each reading what the one before it saved. Any host takes the lock; it goes with the transaction.
    /// The turn starts once this host has one free (<see cref="TurnGate"/>).
    /// </summary>
    public async Task<IAsyncDisposable> BeginTurnAsync(string callSid, CancellationToken ct)
    {
        // Nothing is written in the turn's transaction: disposing it only lets the lock go.
        return await turns.BeginAsync(dataSource, "call:" + callSid, TurnWait, ct);
    }

    /// <summary>The reply already given to this idempotency token, or null.</summary>
    public async Task<string?> ReplyForAsync(string token, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "select reply from webhook_replies where token = @token", new { token }, cancellationToken: ct));
    }

    /// <summary>Remembers the reply to a token; the first one stands.</summary>
    public async Task<string> RememberAsync(string token, string callSid, string reply, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<string>(new CommandDefinition("""
            with put as (
                insert into webhook_replies (token, call_sid, reply, created_at) values (@token, @callSid, @reply, @now)
                on conflict (token) do nothing returning reply)
            select reply from put union all select reply from webhook_replies where token = @token and not exists (select 1 from put)
            """, new { token, callSid, reply, now = clock.GetUtcNow() }, cancellationToken: ct)) ?? reply;
    }

    /// <summary>
    /// Texts the caller the services they heard: an outbox row (not tied to a case) written in the transaction that
    /// records, in the call's state, that this list was sent; delivered after commit. <paramref name="dedupeKey"/>
    /// names the list within the call: a list already texted under it is not written again (returns null).
    /// </summary>
    public async Task<long?> TextServicesAsync(CallRecord call, string to, string language, string body, string dedupeKey, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var id = await connection.ExecuteScalarAsync<long?>(new CommandDefinition("""
            insert into outbox (case_id, to_address, language, kind, body, next_attempt_at, created_at, updated_at, dedupe_key)
            values (null, @to, @language, @kind, @body, @now, @now, @now, @dedupeKey)
            on conflict (dedupe_key) where dedupe_key is not null do nothing
            returning id
            """, new { to, language, kind = Contact.Core.Notifications.Outbox.DirectoryServicesKind, body, now, dedupeKey }, tx, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition(
            "update calls set state = @State::jsonb, updated_at = @now where call_sid = @CallSid",
            new { State = JsonSerializer.Serialize(call.State, Json), call.CallSid, now }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        if (id is long written)
        {
            outbox.Dispatch(written);
        }
        return id;
    }

    /// <summary>Records that the caller agreed to texts about their case, and texts them its number.</summary>
    public async Task ConsentToTextsAsync(long caseId, CancellationToken ct)
    {
        long? message = null;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var changed = await connection.ExecuteAsync(new CommandDefinition(
            "update cases set notify_consent = true, updated_at = @now where id = @caseId and not notify_consent and resident_phone is not null",
            new { caseId, now = clock.GetUtcNow() }, tx, cancellationToken: ct));
        if (changed > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                insert into case_events (case_id, at, kind, actor, is_public, data) values (@caseId, @now, 'consent_given', 'resident', false, '{"channel":"phone"}')
                """, new { caseId, now = clock.GetUtcNow() }, tx, cancellationToken: ct));
            var category = await connection.ExecuteScalarAsync<string>(new CommandDefinition("""
                select case when c.language = 'fr' then k.name_fr else k.name_en end from cases c join categories k on k.id = c.category_id where c.id = @caseId
                """, new { caseId }, tx, cancellationToken: ct));
            // The confirmation the caller was offered: the request's number, by text.
            message = await Contact.Core.Notifications.Outbox.QueueAsync(connection, tx, caseId, "created", clock.GetUtcNow(), [category ?? ""], ct);
        }
        await tx.CommitAsync(ct);
        if (message is long id)
        {
            outbox.Dispatch(id);
        }
    }
}
