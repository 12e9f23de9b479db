using System.Text.Json;
using Contact.Core.Infrastructure;
using Contact.Core.Notifications;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Contact.Core.Sla;

/// <summary>One step of a case's escalation ladder.</summary>
/// <param name="Clock">first_response or resolution.</param>
/// <param name="Step">warning, breach or second_breach.</param>
/// <param name="At">When it is due.</param>
public sealed record SlaStep(string Clock, string Step, DateTimeOffset At);

/// <summary>Arranges a check of a case's SLA clocks at a given instant (Hangfire in the host).</summary>
public interface ISlaScheduler
{
    /// <summary>Checks <paramref name="caseId"/> at <paramref name="at"/>; called after the change that set it committed.</summary>
    void Schedule(long caseId, DateTimeOffset at);
}

/// <summary>
/// Runs the escalation ladder. A check locks the case, works out which steps of its clocks are due, records
/// each newly due step once (unique per case, clock and step in the database), acts on it, and sets when the
/// next step is due. Checks are idempotent and safe on several hosts at once.
/// </summary>
public sealed class SlaEscalator(NpgsqlDataSource dataSource, SlaStore sla, TimeProvider clock, ChangeFeed changes,
    IOutboxDispatcher outbox, ILogger<SlaEscalator>? logger = null)
{
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;

    /// <summary>Every step of both clocks for a case in its present state; a paused or closed case has none.</summary>
    public static IReadOnlyList<SlaStep> Steps(SlaPolicy policy, int secondBreachPercent, DateTimeOffset createdAt, TimeSpan pausedFor,
        bool answered, bool open, bool paused)
    {
        if (!open || paused)
        {
            return [];
        }
        var steps = new List<SlaStep>();
        void Add(string name, TimeSpan target)
        {
            DateTimeOffset At(double percent) => SlaStore.At(policy, createdAt, target, percent, pausedFor);
            steps.Add(new(name, "warning", At(policy.WarningPercent)));
            steps.Add(new(name, "breach", At(100)));
            steps.Add(new(name, "second_breach", At(secondBreachPercent)));
        }
        if (!answered)
        {
            Add("first_response", policy.FirstResponse);
        }
        Add("resolution", policy.Resolution);
        return steps;
    }

    private sealed record CaseState(
        long Id, string Number, int? SlaPolicyId, string CategoryEn, string Priority, string Status,
        DateTimeOffset CreatedAt, DateTimeOffset? FirstResponseAt, DateTimeOffset? SlaPausedAt, TimeSpan SlaPausedFor, string Queue);

    /// <summary>The next step of a case's clocks after now, for setting its timer; null when none is left.</summary>
    public async Task<DateTimeOffset?> NextAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long caseId, CancellationToken ct)
    {
        var c = await LoadAsync(connection, tx, caseId, lockRow: false, ct);
        var policy = c is null ? null : await sla.FindByIdAsync(c.SlaPolicyId, ct);
        if (c is null || policy is null)
        {
            return null;
        }
        var now = clock.GetUtcNow();
        var fired = (await connection.QueryAsync<(string Clock, string Step)>(new CommandDefinition(
            "select clock, step from sla_escalations where case_id = @caseId", new { caseId }, tx, cancellationToken: ct))).ToHashSet();
        var next = StepsOf(c, policy, await SecondBreachAsync(connection, tx, policy.Id, ct))
            .Where(s => !fired.Contains((s.Clock, s.Step)))
            .Select(s => s.At < now ? now : s.At)
            .DefaultIfEmpty(DateTimeOffset.MaxValue).Min();
        var at = next == DateTimeOffset.MaxValue ? (DateTimeOffset?)null : next;
        await connection.ExecuteAsync(new CommandDefinition("update cases set sla_next_check_at = @at where id = @caseId",
            new { at, caseId }, tx, cancellationToken: ct));
        return at;
    }

    private static IReadOnlyList<SlaStep> StepsOf(CaseState c, SlaPolicy policy, int secondBreach) =>
        Steps(policy, secondBreach, c.CreatedAt, c.SlaPausedFor, c.FirstResponseAt is not null,
            c.Status is not ("resolved" or "closed"), c.SlaPausedAt is not null);

    private static Task<int> SecondBreachAsync(NpgsqlConnection connection, NpgsqlTransaction tx, int policyId, CancellationToken ct) =>
        connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "select second_breach_percent from sla_policies where id = @policyId", new { policyId }, tx, cancellationToken: ct));

    private static Task<CaseState?> LoadAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long caseId, bool lockRow, CancellationToken ct) =>
        connection.QuerySingleOrDefaultAsync<CaseState>(new CommandDefinition($"""
            select c.id, c.number, c.sla_policy_id, k.name_en as category_en, c.priority, c.status,
                   c.created_at, c.first_response_at, c.sla_paused_at, c.sla_paused_for, c.queue
            from cases c join categories k on k.id = c.category_id
            where c.id = @caseId
            {(lockRow ? "for update of c" : "")}
            """, new { caseId }, tx, cancellationToken: ct));

    /// <summary>
    /// Fires every due step of the case that has not fired yet; returns when to check it next. The clocks run on the
    /// policy the case's due times came from, so the priority a breach raises does not move them.
    /// </summary>
    public async Task<DateTimeOffset?> CheckAsync(long caseId, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var messages = new List<long>();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        // The lock serialises checks of one case across hosts; the unique key keeps each step to once anyway.
        var c = await LoadAsync(connection, tx, caseId, lockRow: true, cancellationToken);
        var policy = c is null ? null : await sla.FindByIdAsync(c.SlaPolicyId, cancellationToken);
        if (c is null || policy is null)
        {
            await tx.CommitAsync(cancellationToken);
            return null;
        }
        var policyRow = await connection.QuerySingleAsync<(int SecondBreachPercent, string? EscalationPhone)>(new CommandDefinition(
            "select second_breach_percent, escalation_phone from sla_policies where id = @Id", new { policy.Id }, tx, cancellationToken: cancellationToken));
        var fired = 0;
        foreach (var step in StepsOf(c, policy, policyRow.SecondBreachPercent).Where(s => s.At <= now).OrderBy(s => s.At))
        {
            var recorded = await connection.ExecuteAsync(new CommandDefinition("""
                insert into sla_escalations (case_id, clock, step, due_at, done_at) values (@caseId, @Clock, @Step, @At, @now)
                on conflict do nothing
                """, new { caseId, step.Clock, step.Step, step.At, now }, tx, cancellationToken: cancellationToken));
            if (recorded == 0)
            {
                continue;
            }
            fired++;
            await ActAsync(connection, tx, c, step, policyRow.EscalationPhone, now, messages, cancellationToken);
        }
        if (fired > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition("update cases set updated_at = @now where id = @caseId", new { now, caseId }, tx, cancellationToken: cancellationToken));
        }
        var next = await NextAsync(connection, tx, caseId, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        if (fired > 0)
        {
            changes.CaseChanged(caseId, c.Queue);
            foreach (var message in messages)
            {
                outbox.Dispatch(message);
            }
            _logger.LogWarning("Case {CaseNumber}: {Steps} service-standard step(s) reached", c.Number, fired);
        }
        return next;
    }

    private static readonly Dictionary<string, string> RaisedPriority = new(StringComparer.Ordinal)
    {
        ["low"] = "normal", ["normal"] = "high", ["high"] = "urgent", ["urgent"] = "urgent",
    };

    private async Task ActAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CaseState c, SlaStep step, string? escalationPhone,
        DateTimeOffset now, List<long> messages, CancellationToken ct)
    {
        var data = JsonSerializer.Serialize(new { clock = step.Clock, due = step.At });
        await connection.ExecuteAsync(new CommandDefinition("""
            insert into case_events (case_id, at, kind, actor, is_public, data) values (@Id, @now, @kind, 'system', false, @data::jsonb)
            """, new { c.Id, now, kind = "sla_" + step.Step, data }, tx, cancellationToken: ct));
        switch (step.Step)
        {
            case "breach":
                // Supervisors see it live (the case changes); it moves up and into the escalations queue.
                await connection.ExecuteAsync(new CommandDefinition(
                    "update cases set priority = @priority, queue = 'escalations' where id = @Id",
                    new { priority = RaisedPriority[c.Priority], c.Id }, tx, cancellationToken: ct));
                var providers = await connection.QueryAsync<string>(new CommandDefinition("""
                    select distinct p.phone from referrals r join providers p on p.id = r.provider_id
                    where r.case_id = @Id and r.status in ('sent', 'accepted') and p.phone is not null
                    """, new { c.Id }, tx, cancellationToken: ct));
                foreach (var phone in providers)
                {
                    messages.Add(await QueueTextAsync(connection, tx, c.Id, phone, "provider_breach", Outbox.Render("provider_breach", Language.English, c.Number, c.CategoryEn), now, ct));
                }
                break;
            case "second_breach" when escalationPhone is not null:
                messages.Add(await QueueTextAsync(connection, tx, c.Id, escalationPhone, "manager_breach",
                    Outbox.Render("manager_breach", Language.English, c.Number, c.CategoryEn, step.Clock.Replace('_', ' ')), now, ct));
                break;
        }
    }

    private static Task<long> QueueTextAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long caseId, string phone, string kind, string body, DateTimeOffset now, CancellationToken ct) =>
        connection.ExecuteScalarAsync<long>(new CommandDefinition("""
            insert into outbox (case_id, to_address, language, kind, body, next_attempt_at, created_at, updated_at)
            values (@caseId, @phone, 'en', @kind, @body, @now, @now, @now) returning id
            """, new { caseId, phone, kind, body, now }, tx, cancellationToken: ct));

    /// <summary>Cases whose next step is due (a timer missed: a host down, a clock change), for the sweep.</summary>
    public async Task<IReadOnlyList<long>> DueAsync(int limit = 1000, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return [.. await connection.QueryAsync<long>(new CommandDefinition(
            "select id from cases where sla_next_check_at <= @now order by sla_next_check_at limit @limit",
            new { now = clock.GetUtcNow(), limit }, cancellationToken: cancellationToken))];
    }

    /// <summary>
    /// Leases up to <paramref name="batch"/> cases whose next step is due, moving their next check <paramref name="lease"/>
    /// ahead so other hosts leave them alone while this one checks them (<c>FOR UPDATE SKIP LOCKED</c>: no host waits
    /// on another); a check then sets the real next time.
    /// </summary>
    public async Task<IReadOnlyList<long>> LeaseDueAsync(TimeSpan lease, int batch, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return [.. await connection.QueryAsync<long>(new CommandDefinition("""
            update cases set sla_next_check_at = @lease
            where id in (select id from cases where sla_next_check_at <= @now order by sla_next_check_at limit @batch for update skip locked)
            returning id
            """, new { now, lease = now + lease, batch }, cancellationToken: cancellationToken))];
    }

    /// <summary>When the earliest next step of any case is due; null when no case has one.</summary>
    public async Task<DateTimeOffset?> EarliestAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var at = await connection.ExecuteScalarAsync<DateTime?>(new CommandDefinition(
            "select min(sla_next_check_at) from cases where sla_next_check_at is not null", cancellationToken: cancellationToken));
        return at is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)) : null;
    }
}
