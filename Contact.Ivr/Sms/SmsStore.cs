using Contact.Core.Infrastructure;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dapper;
using Npgsql;

namespace Contact.Ivr.Sms;

/// <summary>A photo sent by MMS during a conversation.</summary>
public sealed record SmsPhoto(string Url, string? ContentType);

/// <summary>
/// What a texting conversation waits for; no step (null) is waiting for what the problem is. Stored in the
/// conversation's JSON by the names given here, which never change (a conversation may span an upgrade).
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<SmsStep>))]
public enum SmsStep
{
    /// <summary>A yes or no to the category guessed from the first text.</summary>
    [JsonStringEnumMemberName("confirm")] Confirm,

    /// <summary>A number from a list of groups or categories (see <see cref="SmsChoiceKind"/>).</summary>
    [JsonStringEnumMemberName("pick")] Pick,

    /// <summary>Where the problem is.</summary>
    [JsonStringEnumMemberName("address")] Address,

    /// <summary>The answer to the category's next required question.</summary>
    [JsonStringEnumMemberName("question")] Question,

    /// <summary>A few words about the problem.</summary>
    [JsonStringEnumMemberName("description")] Description,

    /// <summary>Self-serve 211: the postal code to search near.</summary>
    [JsonStringEnumMemberName("selfserve.postal")] SelfServePostalCode,

    /// <summary>Self-serve 211: what the person needs.</summary>
    [JsonStringEnumMemberName("selfserve.need")] SelfServeNeed,

    /// <summary>A life event: the answer to its next shared question.</summary>
    [JsonStringEnumMemberName("life.shared")] LifeEventShared,

    /// <summary>A life event: the numbers of the services to leave out, or yes.</summary>
    [JsonStringEnumMemberName("life.services")] LifeEventServices,

    /// <summary>A life event: the answer to a chosen service's next own question.</summary>
    [JsonStringEnumMemberName("life.own")] LifeEventOwn,

    /// <summary>A life event: the resident's name, when a chosen service receives it.</summary>
    [JsonStringEnumMemberName("life.name")] LifeEventName,
}

/// <summary>What a numbered list in a conversation lists.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SmsChoiceKind>))]
public enum SmsChoiceKind
{
    /// <summary>Groups of categories.</summary>
    [JsonStringEnumMemberName("group")] Group,

    /// <summary>The categories of one group.</summary>
    [JsonStringEnumMemberName("category")] Category,
}

/// <summary>Where a texting conversation is and what the resident said so far.</summary>
public sealed class SmsState
{
    /// <summary>The MessageSid of the conversation's first text: the case's idempotency key.</summary>
    public string? FirstSid { get; set; }

    /// <summary>The first text (the problem in the resident's words).</summary>
    public string? FirstText { get; set; }

    /// <summary>What is awaited; null for what the problem is.</summary>
    public SmsStep? Step { get; set; }

    public string? PendingCategory { get; set; }

    /// <summary>Codes listed by number (groups or categories, see <see cref="ChoiceKind"/>).</summary>
    public List<string> Choices { get; set; } = [];

    public SmsChoiceKind? ChoiceKind { get; set; }

    /// <summary>Categories the first text matched, best first (311 before 211).</summary>
    public List<string> Matches { get; set; } = [];

    public string? Category { get; set; }

    public string? Address { get; set; }

    public int Question { get; set; }

    public Dictionary<string, List<string>> Answers { get; set; } = [];

    public string? Description { get; set; }

    public bool Described { get; set; }

    public List<SmsPhoto> Photos { get; set; } = [];

    /// <summary>The self-serve search of this conversation: what was asked and how far it was listed.</summary>
    public SmsServiceSearch? Search { get; set; }

    /// <summary>The life event being told in this conversation.</summary>
    public SmsLifeEventState? LifeEvent { get; set; }
}

/// <summary>A life event told by text: which one, the answers so far, and the services left out.</summary>
public sealed class SmsLifeEventState
{
    /// <summary>The life event's code.</summary>
    public string Code { get; set; } = "";

    /// <summary>The shared or own question being asked, by its place in the list asked.</summary>
    public int Question { get; set; }

    /// <summary>Shared answers by question code.</summary>
    public Dictionary<string, List<string>> Shared { get; set; } = [];

    /// <summary>The services left out (category codes).</summary>
    public List<string> LeftOut { get; set; } = [];

    /// <summary>Each chosen service's own answers: category code → question code → values.</summary>
    public Dictionary<string, Dictionary<string, List<string>>> Own { get; set; } = [];

    /// <summary>The resident's name.</summary>
    public string? Name { get; set; }
}

/// <summary>A self-serve search by text: kept with the conversation so MORE lists the next services on any host.</summary>
public sealed class SmsServiceSearch
{
    /// <summary>The needs' codes (see NeedWords).</summary>
    public List<string> Needs { get; set; } = [];

    /// <summary>The postal code or its area, as "K1P 1J1" or "K1P".</summary>
    public string? PostalCode { get; set; }

    /// <summary>How many services were listed so far.</summary>
    public int Offset { get; set; }

    /// <summary>The ring of the nearby search the next services come from (0 the nearest; see DirectorySearch.SearchNearbyAsync).</summary>
    public int Ring { get; set; }

    /// <summary>How many services of that ring were listed so far.</summary>
    public int RingOffset { get; set; }

    /// <summary>False when nothing was open and the list is of services that open later.</summary>
    public bool OpenNow { get; set; } = true;
}

/// <summary>One phone's conversation as stored.</summary>
public sealed record SmsConversation(string Phone, string Language, SmsState State, long? CaseId, DateTimeOffset StartedAt, DateTimeOffset UpdatedAt);

/// <summary>
/// Texting in PostgreSQL: conversations by phone, opt-outs, and the replies already given by MessageSid. A
/// <see cref="SmsSession"/> holds a lock on one phone number so its texts are answered one at a time on any host.
/// </summary>
public sealed class SmsStore(NpgsqlDataSource dataSource, TimeProvider clock, TurnGate turns)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>
    /// Opens a session for <paramref name="phone"/>, once this host has a turn free (<see cref="TurnGate"/>), waiting
    /// for any other text from the number to be answered.
    /// </summary>
    public async Task<SmsSession> BeginAsync(string phone, CancellationToken ct)
    {
        var turn = await turns.BeginAsync(dataSource, "sms:" + phone, null, ct);
        return new SmsSession(turn, phone, clock);
    }

    /// <summary>True when the number texted STOP and not START since.</summary>
    public async Task<bool> IsOptedOutAsync(string phone, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "select exists (select 1 from sms_opt_outs where phone = @phone)", new { phone }, cancellationToken: ct));
    }
}

/// <summary>One text being answered: everything it changes is committed with the reply it got.</summary>
public sealed class SmsSession(LockedTurn turn, string phone, TimeProvider clock) : IAsyncDisposable
{
    private readonly NpgsqlConnection connection = turn.Connection;
    private readonly NpgsqlTransaction tx = turn.Transaction;
    private readonly List<Action> _afterCommit = [];

    /// <summary>Runs <paramref name="work"/> in this text's transaction, so what it changes commits with the reply.</summary>
    public Task<T> InTransactionAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        return work(connection, tx);
    }

    /// <summary>Something to do once this text's changes committed (announce a changed case, say).</summary>
    public void AfterCommit(Action action) => _afterCommit.Add(action);

    private sealed record Row(string Phone, string Language, string State, long? CaseId, DateTimeOffset StartedAt, DateTimeOffset UpdatedAt);

    public string Phone => phone;

    /// <summary>The reply already given to this MessageSid, or null.</summary>
    public Task<string?> ReplyForAsync(string messageSid, CancellationToken ct) =>
        connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "select reply from sms_inbound where message_sid = @messageSid", new { messageSid }, tx, cancellationToken: ct));

    /// <summary>The phone's conversation, or null when it never texted.</summary>
    public async Task<SmsConversation?> ConversationAsync(CancellationToken ct)
    {
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition("""
            select phone, language, state::text as state, case_id, started_at, updated_at from sms_conversations where phone = @phone
            """, new { phone }, tx, cancellationToken: ct));
        return row is null ? null : new SmsConversation(row.Phone, row.Language,
            JsonSerializer.Deserialize<SmsState>(row.State, SmsStore.Json) ?? new SmsState(), row.CaseId, row.StartedAt, row.UpdatedAt);
    }

    /// <summary>Records a STOP (again: the latest keyword and time stand).</summary>
    public Task OptOutAsync(string keyword, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition("""
            insert into sms_opt_outs (phone, keyword, opted_out_at) values (@phone, @keyword, @now)
            on conflict (phone) do update set keyword = excluded.keyword, opted_out_at = excluded.opted_out_at
            """, new { phone, keyword, now = clock.GetUtcNow() }, tx, cancellationToken: ct));

    /// <summary>Forgets a STOP; true when there was one.</summary>
    public async Task<bool> OptInAsync(CancellationToken ct) =>
        await connection.ExecuteAsync(new CommandDefinition(
            "delete from sms_opt_outs where phone = @phone", new { phone }, tx, cancellationToken: ct)) > 0;

    /// <summary>True when the number is opted out.</summary>
    public Task<bool> IsOptedOutAsync(CancellationToken ct) =>
        connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "select exists (select 1 from sms_opt_outs where phone = @phone)", new { phone }, tx, cancellationToken: ct));

    /// <summary>Saves the conversation (made on the first text).</summary>
    public Task SaveAsync(SmsConversation conversation, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition("""
            insert into sms_conversations (phone, language, state, case_id, started_at, updated_at)
            values (@Phone, @Language, @State::jsonb, @CaseId, @StartedAt, @UpdatedAt)
            on conflict (phone) do update set language = excluded.language, state = excluded.state, case_id = excluded.case_id,
                started_at = excluded.started_at, updated_at = excluded.updated_at
            """, new
        {
            conversation.Phone,
            conversation.Language,
            State = JsonSerializer.Serialize(conversation.State, SmsStore.Json),
            conversation.CaseId,
            conversation.StartedAt,
            conversation.UpdatedAt,
        }, tx, cancellationToken: ct));

    /// <summary>Remembers the reply to <paramref name="messageSid"/> and commits everything the text changed.</summary>
    public async Task CommitAsync(string messageSid, string body, string reply, CancellationToken ct)
    {
        await connection.ExecuteAsync(new CommandDefinition("""
            insert into sms_inbound (message_sid, phone, body, reply, received_at) values (@messageSid, @phone, @body, @reply, @now)
            on conflict (message_sid) do nothing
            """, new { messageSid, phone, body, reply, now = clock.GetUtcNow() }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        foreach (var action in _afterCommit)
        {
            action();
        }
    }

    public ValueTask DisposeAsync() => turn.DisposeAsync();
}
