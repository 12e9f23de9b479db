using System.Globalization;
using System.Text.Json;
using Contact.Core.Desktop;
using Contact.Core.Infrastructure;
using Contact.Core.Notifications;
using Contact.Core.Sla;
using Contact.Core.Staff;
using Dapper;
using Npgsql;

namespace Contact.Core.Cases;

/// <summary>
/// What staff do to cases. Each action locks the case, checks who may do it and whether the case is in a
/// state that allows it, and writes the change with its history entry in one transaction; a refused action
/// changes nothing and says why.
/// </summary>
public sealed class CaseWork(NpgsqlDataSource dataSource, TimeProvider clock, ChangeFeed changes, IOutboxDispatcher outbox, SlaStore sla,
    SlaEscalator escalator, ISlaScheduler slaTimers)
{
    /// <summary>The longest note.</summary>
    public const int MaxNote = 4000;

    internal sealed record LockedCase(long Id, string Number, string Line, string Language, string Queue, string Status, int? AssignedTo, string? AssignedUser, int CategoryId)
    {
        /// <summary>Texts written in the action's transaction, handed to delivery once it commits.</summary>
        public List<long> Messages { get; } = [];

        /// <summary>When the case's SLA timer is to be set for, once the action commits.</summary>
        public DateTimeOffset? SlaCheckAt { get; set; }

        /// <summary>What else to arrange once the action commits (a follow-up's job, say).</summary>
        public List<Action> AfterCommit { get; } = [];

        /// <summary>Writes a text to the resident, if they agreed to be told, in the action's transaction.</summary>
        public async Task NotifyAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string kind, DateTimeOffset now, IReadOnlyList<string> args, CancellationToken ct)
        {
            if (await Outbox.QueueAsync(connection, tx, Id, kind, now, args, ct) is long id)
            {
                Messages.Add(id);
            }
        }
    }

    private static bool IsOpen(string status) => status is not (CaseStatus.Resolved or CaseStatus.Closed);

    /// <summary>Whether <paramref name="member"/> may see the locked case (its queue, its holder, its referrals).</summary>
    private static async Task<bool> MaySeeAsync(NpgsqlConnection connection, NpgsqlTransaction tx, StaffMember member, LockedCase c, CancellationToken ct)
    {
        var referred = await connection.QueryAsync<int>(new CommandDefinition(
            "select provider_id from referrals where case_id = @Id and status <> 'review'", new { c.Id }, tx, cancellationToken: ct));
        return DesktopQueries.MaySee(member, c.Queue, c.AssignedTo, referred);
    }

    /// <summary>Runs <paramref name="action"/> on the locked case inside one transaction.</summary>
    internal async Task<T> OnCaseAsync<T>(StaffMember member, string number, bool mustHold, Func<NpgsqlConnection, NpgsqlTransaction, LockedCase, DateTimeOffset, Task<T>> action, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var c = await LockAsync(connection, tx, number, ct);
        if (!await MaySeeAsync(connection, tx, member, c, ct))
        {
            throw new WorkRefusedException("refused.not_yours", $"Case {number} is not in your queues.", number);
        }
        if (mustHold && c.AssignedTo != member.Id && !member.Oversees)
        {
            throw c.AssignedUser is null
                ? new WorkRefusedException("refused.claim_first", $"Claim case {number} before working it.", number)
                : new WorkRefusedException("refused.held_by_other", $"Case {number} is held by {c.AssignedUser}.", number, c.AssignedUser);
        }
        var result = await action(connection, tx, c, clock.GetUtcNow());
        await tx.CommitAsync(ct);
        changes.CaseChanged(c.Id, c.Queue);
        foreach (var message in c.Messages)
        {
            outbox.Dispatch(message);
        }
        if (c.SlaCheckAt is { } at)
        {
            slaTimers.Schedule(c.Id, at);
        }
        foreach (var after in c.AfterCommit)
        {
            after();
        }
        return result;
    }

    private static async Task<LockedCase> LockAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string number, CancellationToken ct) =>
        await connection.QuerySingleOrDefaultAsync<LockedCase>(new CommandDefinition("""
            select c.id, c.number, c.line, c.language, c.queue, c.status, c.assigned_to, u.user_name as assigned_user, c.category_id
            from cases c left join staff_users u on u.id = c.assigned_to
            where c.number = @number
            for update of c
            """, new { number }, tx, cancellationToken: ct))
        ?? throw new WorkRefusedException("refused.no_case", $"There is no case {number}.", number);

    internal static Task EventAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long caseId, DateTimeOffset at, string kind, string actor, bool isPublic, object? data, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition("""
            insert into case_events (case_id, at, kind, actor, is_public, data) values (@caseId, @at, @kind, @actor, @isPublic, @data::jsonb)
            """, new { caseId, at, kind, actor, isPublic, data = JsonSerializer.Serialize(data ?? new { }) }, tx, cancellationToken: ct));

    internal static void MustBeOpen(LockedCase c)
    {
        if (!IsOpen(c.Status))
        {
            throw new WorkRefusedException("refused.closed", $"Case {c.Number} is already {c.Status}.", c.Number, c.Status);
        }
    }

    internal static string Note(string? note, bool required, string number)
    {
        var text = note?.Trim() ?? "";
        if (required && text.Length == 0)
        {
            throw new WorkRefusedException("refused.note_required", "Write a note first.", number);
        }
        if (text.Length > MaxNote)
        {
            throw new WorkRefusedException("refused.note_too_long", $"A note may have at most {MaxNote} characters.", MaxNote);
        }
        return text;
    }

    /// <summary>Claims the top case the member may work, in the queue's order (<see cref="DesktopQueries.WorkOrder"/>); null when none waits.</summary>
    public async Task<string?> ClaimNextAsync(StaffMember member, CancellationToken cancellationToken = default)
    {
        var queues = DesktopQueries.QueuesOf(member);
        if (queues.Count == 0)
        {
            throw new WorkRefusedException("refused.role", "Only agents and supervisors claim cases.");
        }
        var now = clock.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // SKIP LOCKED: agents claiming at once each get a different case, none waits on another's lock.
        var claimed = await connection.QuerySingleOrDefaultAsync<(long Id, string Number, string Queue)>(new CommandDefinition($$"""
            with next as (
                select c.id from cases c
                where c.queue = any(@queues) and c.assigned_to is null and c.status not in ('resolved', 'closed')
                order by {{DesktopQueries.WorkOrder}}
                limit 1
                for update skip locked
            ), claimed as (
                update cases c set assigned_to = @Id, claimed_at = @now, updated_at = @now,
                       first_response_at = coalesce(c.first_response_at, @now),
                       status = case when c.status = 'new' then 'in_progress' else c.status end
                from next where c.id = next.id
                returning c.id, c.number, c.queue
            ), e as (
                insert into case_events (case_id, at, kind, actor, is_public, data)
                select id, @now, 'claimed', @UserName, false, '{}'::jsonb from claimed
            )
            select id, number, queue from claimed
            """, new { queues = queues.ToArray(), member.Id, member.UserName, now }, cancellationToken: cancellationToken));
        if (claimed.Number is null)
        {
            return null;
        }
        changes.CaseChanged(claimed.Id, claimed.Queue);
        return claimed.Number;
    }

    /// <summary>Claims one case; refused when someone else holds it.</summary>
    public Task ClaimAsync(StaffMember member, string number, CancellationToken cancellationToken = default)
    {
        if (!member.WorksQueues)
        {
            throw new WorkRefusedException("refused.role", "Only agents and supervisors claim cases.");
        }
        return OnCaseAsync(member, number, mustHold: false, async (connection, tx, c, now) =>
        {
            MustBeOpen(c);
            if (c.AssignedTo == member.Id)
            {
                return 0;
            }
            if (c.AssignedTo is not null)
            {
                throw new WorkRefusedException("refused.held_by_other", $"Case {number} is held by {c.AssignedUser}.", number, c.AssignedUser!);
            }
            await connection.ExecuteAsync(new CommandDefinition("""
                update cases set assigned_to = @Id, claimed_at = @now, updated_at = @now,
                       first_response_at = coalesce(first_response_at, @now),
                       status = case when status = 'new' then 'in_progress' else status end
                where id = @CaseId
                """, new { member.Id, now, CaseId = c.Id }, tx, cancellationToken: cancellationToken));
            await EventAsync(connection, tx, c.Id, now, "claimed", member.UserName, false, null, cancellationToken);
            return 0;
        }, cancellationToken);
    }

    /// <summary>Puts a held case back in its queue.</summary>
    public Task ReleaseAsync(StaffMember member, string number, CancellationToken cancellationToken = default) =>
        OnCaseAsync(member, number, mustHold: true, async (connection, tx, c, now) =>
        {
            MustBeOpen(c);
            if (c.AssignedTo is null)
            {
                throw new WorkRefusedException("refused.not_held", $"Nobody holds case {number}.", number);
            }
            await connection.ExecuteAsync(new CommandDefinition("""
                update cases set assigned_to = null, claimed_at = null, updated_at = @now,
                       status = case when status = 'in_progress' then 'new' else status end
                where id = @Id
                """, new { now, c.Id }, tx, cancellationToken: cancellationToken));
            await EventAsync(connection, tx, c.Id, now, "released", member.UserName, false, null, cancellationToken);
            return 0;
        }, cancellationToken);

    /// <summary>Adds a staff note to the history.</summary>
    public Task AddNoteAsync(StaffMember member, string number, string? text, CancellationToken cancellationToken = default) =>
        OnCaseAsync(member, number, mustHold: true, async (connection, tx, c, now) =>
        {
            var note = Note(text, required: true, number);
            await connection.ExecuteAsync(new CommandDefinition("update cases set updated_at = @now where id = @Id", new { now, c.Id }, tx, cancellationToken: cancellationToken));
            await EventAsync(connection, tx, c.Id, now, "note", member.UserName, false, new { text = note }, cancellationToken);
            return 0;
        }, cancellationToken);

    /// <summary>Moves a case to another category of the same line.</summary>
    public Task ChangeCategoryAsync(StaffMember member, string number, string categoryCode, CancellationToken cancellationToken = default) =>
        OnCaseAsync(member, number, mustHold: true, async (connection, tx, c, now) =>
        {
            MustBeOpen(c);
            var target = await connection.QuerySingleOrDefaultAsync<(int Id, string Line, string Code)>(new CommandDefinition(
                "select id, line, code from categories where code = @categoryCode and active", new { categoryCode }, tx, cancellationToken: cancellationToken));
            if (target.Id == 0)
            {
                throw new WorkRefusedException("refused.no_category", $"There is no category {categoryCode}.", categoryCode);
            }
            if (target.Line != c.Line)
            {
                throw new WorkRefusedException("refused.other_line", $"{categoryCode} is a {target.Line} category; this is a {c.Line} case.", categoryCode, target.Line, c.Line);
            }
            var from = await connection.ExecuteScalarAsync<string>(new CommandDefinition("select code from categories where id = @CategoryId", new { c.CategoryId }, tx, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition("update cases set category_id = @Target, updated_at = @now where id = @Id",
                new { Target = target.Id, now, c.Id }, tx, cancellationToken: cancellationToken));
            await EventAsync(connection, tx, c.Id, now, "category_changed", member.UserName, false, new { from, to = target.Code }, cancellationToken);
            await RecomputeDueAsync(connection, tx, c, now, cancellationToken);
            return 0;
        }, cancellationToken);

    /// <summary>Sets the priority.</summary>
    public Task ChangePriorityAsync(StaffMember member, string number, string priority, CancellationToken cancellationToken = default) =>
        OnCaseAsync(member, number, mustHold: true, async (connection, tx, c, now) =>
        {
            MustBeOpen(c);
            if (priority is not ("low" or "normal" or "high" or "urgent"))
            {
                throw new WorkRefusedException("refused.bad_priority", $"'{priority}' is not low, normal, high or urgent.", priority);
            }
            var from = await connection.ExecuteScalarAsync<string>(new CommandDefinition(
                "update cases n set priority = @priority, updated_at = @now from cases o where n.id = o.id and n.id = @Id returning o.priority",
                new { priority, now, c.Id }, tx, cancellationToken: cancellationToken));
            await EventAsync(connection, tx, c.Id, now, "priority_changed", member.UserName, false, new { from, to = priority }, cancellationToken);
            await RecomputeDueAsync(connection, tx, c, now, cancellationToken);
            return 0;
        }, cancellationToken);

    /// <summary>Corrects the location.</summary>
    public Task ChangeLocationAsync(StaffMember member, string number, string? address, double? latitude, double? longitude, CancellationToken cancellationToken = default) =>
        OnCaseAsync(member, number, mustHold: true, async (connection, tx, c, now) =>
        {
            MustBeOpen(c);
            var text = string.IsNullOrWhiteSpace(address) ? null : address.Trim();
            if (text?.Length > 500 || (latitude is null) != (longitude is null) || latitude is < -90 or > 90 || longitude is < -180 or > 180 || (text is null && latitude is null))
            {
                throw new WorkRefusedException("refused.bad_location", "Give an address (at most 500 characters) and, if known, both latitude and longitude.");
            }
            await connection.ExecuteAsync(new CommandDefinition(
                "update cases set address = @text, latitude = @latitude, longitude = @longitude, updated_at = @now where id = @Id",
                new { text, latitude, longitude, now, c.Id }, tx, cancellationToken: cancellationToken));
            await EventAsync(connection, tx, c.Id, now, "location_changed", member.UserName, false, new { address = text, latitude, longitude }, cancellationToken);
            return 0;
        }, cancellationToken);

    /// <summary>Closes a case as a duplicate of another; the resident of the duplicate sees the original's number.</summary>
    public async Task MergeAsync(StaffMember member, string number, string intoNumber, CancellationToken cancellationToken = default)
    {
        var (intoId, intoQueue) = await OnCaseAsync(member, number, mustHold: true, async (connection, tx, c, now) =>
        {
            MustBeOpen(c);
            if (intoNumber == number)
            {
                throw new WorkRefusedException("refused.merge_self", "A case cannot be merged into itself.");
            }
            var into = await LockAsync(connection, tx, intoNumber, cancellationToken);
            if (!await MaySeeAsync(connection, tx, member, into, cancellationToken))
            {
                // A case the agent may not see is answered as if it did not exist: merging must not tell them it does.
                throw new WorkRefusedException("refused.no_case", $"There is no case {intoNumber}.", intoNumber);
            }
            if (!IsOpen(into.Status) || into.Line != c.Line)
            {
                throw new WorkRefusedException("refused.merge_target", $"Case {intoNumber} is not an open {c.Line} case.", intoNumber, c.Line);
            }
            await connection.ExecuteAsync(new CommandDefinition("""
                update cases set duplicate_of = @IntoId, status = 'closed', assigned_to = null, updated_at = @now where id = @Id
                """, new { IntoId = into.Id, now, c.Id }, tx, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition("update cases set updated_at = @now where id = @IntoId", new { now, IntoId = into.Id }, tx, cancellationToken: cancellationToken));
            // A scheduled follow-up goes with the case to the one it joined, unless that one has its own: then it is cancelled.
            await connection.ExecuteAsync(new CommandDefinition("""
                update follow_ups f
                set case_id = case when t.has_own then f.case_id else @IntoId end,
                    status = case when t.has_own then 'cancelled' else f.status end
                from (select exists (select 1 from follow_ups g where g.case_id = @IntoId and g.status = 'scheduled') as has_own) t
                where f.case_id = @Id and f.status = 'scheduled'
                """, new { IntoId = into.Id, c.Id }, tx, cancellationToken: cancellationToken));
            await EventAsync(connection, tx, c.Id, now, "merged", member.UserName, true, new { into = intoNumber }, cancellationToken);
            await c.NotifyAsync(connection, tx, "merged", now, [intoNumber], cancellationToken);
            await EventAsync(connection, tx, into.Id, now, "duplicate_merged", member.UserName, false, new { duplicate = number }, cancellationToken);
            return (into.Id, into.Queue);
        }, cancellationToken);
        changes.CaseChanged(intoId, intoQueue);
    }

    /// <summary>Sends a case to another queue for someone else to claim.</summary>
    public Task TransferAsync(StaffMember member, string number, string queue, CancellationToken cancellationToken = default) =>
        OnCaseAsync(member, number, mustHold: true, async (connection, tx, c, now) =>
        {
            MustBeOpen(c);
            if (!DesktopQueries.QueueCodes.Contains(queue))
            {
                throw new WorkRefusedException("refused.no_queue", $"There is no queue {queue}.", queue);
            }
            await connection.ExecuteAsync(new CommandDefinition("""
                update cases set queue = @queue, assigned_to = null, claimed_at = null, updated_at = @now,
                       status = case when status = 'in_progress' then 'new' else status end
                where id = @Id
                """, new { queue, now, c.Id }, tx, cancellationToken: cancellationToken));
            await EventAsync(connection, tx, c.Id, now, "transferred", member.UserName, false, new { from = c.Queue, to = queue }, cancellationToken);
            return 0;
        }, cancellationToken);

    /// <summary>Marks the case as waiting for the resident.</summary>
    public Task SetWaitingAsync(StaffMember member, string number, string? note, CancellationToken cancellationToken = default) =>
        SetStatusAsync(member, number, CaseStatus.WaitingOnResident, "waiting_on_resident", note, noteRequired: false, cancellationToken);

    /// <summary>Resolves the case with a resolution note.</summary>
    public Task ResolveAsync(StaffMember member, string number, string? note, CancellationToken cancellationToken = default) =>
        SetStatusAsync(member, number, CaseStatus.Resolved, "resolved", note, noteRequired: true, cancellationToken);

    /// <summary>Closes the case without resolving it, with a note.</summary>
    public Task CloseAsync(StaffMember member, string number, string? note, CancellationToken cancellationToken = default) =>
        SetStatusAsync(member, number, CaseStatus.Closed, "closed", note, noteRequired: true, cancellationToken);

    private Task SetStatusAsync(StaffMember member, string number, string status, string kind, string? note, bool noteRequired, CancellationToken ct) =>
        OnCaseAsync(member, number, mustHold: true, async (connection, tx, c, now) =>
        {
            MustBeOpen(c);
            if (c.Status == status)
            {
                throw new WorkRefusedException("refused.same_status", $"Case {number} is already {status}.", number, status);
            }
            var text = Note(note, noteRequired, number);
            await connection.ExecuteAsync(new CommandDefinition("update cases set status = @status, updated_at = @now where id = @Id",
                new { status, now, c.Id }, tx, cancellationToken: ct));
            if (status == CaseStatus.WaitingOnResident || c.Status == CaseStatus.WaitingOnResident)
            {
                await RecomputeDueAsync(connection, tx, c, now, ct);
            }
            await EventAsync(connection, tx, c.Id, now, kind, member.UserName, true, new { note = text }, ct);
            if (kind is "waiting_on_resident" or "resolved")
            {
                await c.NotifyAsync(connection, tx, kind, now, [text], ct);
            }
            return 0;
        }, ct);

    /// <summary>The holder answers the caller waiting on a case: recorded in the history; returns the case id.</summary>
    public Task<long> AnswerAsync(StaffMember member, string number, CancellationToken cancellationToken = default) =>
        OnCaseAsync(member, number, mustHold: true, async (connection, tx, c, now) =>
        {
            MustBeOpen(c);
            await EventAsync(connection, tx, c.Id, now, "call_answered", member.UserName, false, null, cancellationToken);
            return c.Id;
        }, cancellationToken);

    private sealed record SlaState(DateTimeOffset CreatedAt, int CategoryId, string Priority, string Status, DateTimeOffset? SlaPausedAt, TimeSpan SlaPausedFor);

    /// <summary>
    /// Brings a case's due times up to date inside the action's transaction: its policy may have changed with its
    /// category or priority; waiting on the resident pauses the clock, and leaving that state adds the business
    /// time spent waiting to every target, so the case carries the time it had left.
    /// </summary>
    internal async Task RecomputeDueAsync(NpgsqlConnection connection, NpgsqlTransaction tx, LockedCase c, DateTimeOffset now, CancellationToken ct)
    {
        var caseId = c.Id;
        var s = await connection.QuerySingleAsync<SlaState>(new CommandDefinition(
            "select created_at, category_id, priority, status, sla_paused_at, sla_paused_for from cases where id = @caseId",
            new { caseId }, tx, cancellationToken: ct));
        var policy = await sla.FindAsync(s.CategoryId, s.Priority, ct);
        if (policy is null)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                update cases set sla_policy_id = null, first_response_due_at = null, resolution_due_at = null,
                       first_response_warning_at = null, resolution_warning_at = null
                where id = @caseId
                """,
                new { caseId }, tx, cancellationToken: ct));
            return;
        }
        var pausedAt = s.SlaPausedAt;
        var pausedFor = s.SlaPausedFor;
        if (s.Status == CaseStatus.WaitingOnResident)
        {
            pausedAt ??= now;
        }
        else if (pausedAt is { } since)
        {
            pausedFor += policy.Calendar.BusinessTimeBetween(since, now);
            pausedAt = null;
        }
        var due = SlaStore.Due(policy, s.CreatedAt, pausedFor);
        await connection.ExecuteAsync(new CommandDefinition("""
            update cases set sla_policy_id = @PolicyId, first_response_due_at = @FirstResponseDue, resolution_due_at = @ResolutionDue,
                   first_response_warning_at = @FirstResponseWarning, resolution_warning_at = @ResolutionWarning,
                   sla_paused_at = @pausedAt, sla_paused_for = @pausedFor
            where id = @caseId
            """, new { due.PolicyId, due.FirstResponseDue, due.ResolutionDue, due.FirstResponseWarning, due.ResolutionWarning, pausedAt, pausedFor, caseId }, tx, cancellationToken: ct));
        c.SlaCheckAt = await escalator.NextAsync(connection, tx, caseId, ct);
    }

    /// <summary>Gives a case to another member of staff (supervisors and admins).</summary>
    public Task ReassignAsync(StaffMember member, string number, string userName, CancellationToken cancellationToken = default)
    {
        if (!member.Oversees)
        {
            throw new WorkRefusedException("refused.role", "Only supervisors and admins reassign cases.");
        }
        return OnCaseAsync(member, number, mustHold: false, async (connection, tx, c, now) =>
        {
            MustBeOpen(c);
            var target = await connection.QuerySingleOrDefaultAsync<StaffMember>(new CommandDefinition($"""
                select {StaffDirectory.MemberColumns} from staff_users u left join providers p on p.id = u.provider_id
                where u.user_name = @userName and u.active
                """, new { userName = userName.Trim().ToLowerInvariant() }, tx, cancellationToken: cancellationToken));
            if (target is null || !target.WorksQueues)
            {
                throw new WorkRefusedException("refused.no_agent", $"There is no agent {userName}.", userName);
            }
            await connection.ExecuteAsync(new CommandDefinition("""
                update cases set assigned_to = @TargetId, claimed_at = @now, updated_at = @now,
                       status = case when status = 'new' then 'in_progress' else status end
                where id = @Id
                """, new { TargetId = target.Id, now, c.Id }, tx, cancellationToken: cancellationToken));
            await EventAsync(connection, tx, c.Id, now, "reassigned", member.UserName, false,
                new { from = c.AssignedUser, to = target.UserName }, cancellationToken);
            return 0;
        }, cancellationToken);
    }

}
