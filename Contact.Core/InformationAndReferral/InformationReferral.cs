using System.Text.Json;
using Contact.Core.Cases;
using Contact.Core.Desktop;
using Contact.Core.ResourceDirectory;
using Contact.Core.Infrastructure;
using Contact.Core.Notifications;
using Contact.Core.Staff;
using Dapper;
using Npgsql;

namespace Contact.Core.InformationAndReferral;

/// <summary>A need recorded on a 211 case: a taxonomy term, with its name as it read when recorded.</summary>
public sealed record NeedView(
    long Id, string Code, string Name, string Status, string? UnmetReason, string Note, string RecordedBy, DateTimeOffset RecordedAt);

/// <summary>A service at a location as it was given to the person: the snapshot kept with the referral.</summary>
public sealed record ReferralDetails(
    string Name, string Organization, string? LocationName, string? Address, string? Phone, string? Hours,
    string? Eligibility, string? Fees, string? ApplicationProcess, string Language)
{
    /// <summary>The snapshot of a directory hit, in the language it was read in.</summary>
    public static ReferralDetails Of(DirectoryHit hit, string language)
    {
        ArgumentNullException.ThrowIfNull(hit);
        return new(hit.ServiceName, hit.OrganizationName, hit.LocationName, hit.Address, hit.Phone, hit.Hours, hit.Eligibility, hit.Fees,
            hit.ApplicationProcess, language);
    }

    /// <summary>How it reads in a text: the service's name (with its organization's when they differ), address, phone, hours.</summary>
    public ServiceListing Listing() => ServiceListing.Create(Name, Organization, Address, Phone, Hours);
}

/// <summary>A referral to a community service given on a case; <see cref="SentAt"/> once it was sent by text.</summary>
public sealed record ServiceReferralView(
    long Id, long? NeedId, string ServiceId, string? LocationId, string? ServiceAtLocationId, ReferralDetails Details,
    string ReferredBy, DateTimeOffset ReferredAt, DateTimeOffset? SentAt);

/// <summary>A follow-up: when, how (queue | text) and where it stands.</summary>
public sealed record FollowUpView(
    long Id, DateTimeOffset DueAt, string Method, string Status, string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset? FiredAt, DateTimeOffset? AnsweredAt);

/// <summary>Everything information and referral recorded on a case.</summary>
public sealed record InformationReferralView(IReadOnlyList<NeedView> Needs, IReadOnlyList<ServiceReferralView> Referrals, IReadOnlyList<FollowUpView> FollowUps);

/// <summary>What a resident's answer to a follow-up question did: the case, its language, and the queue it was in.</summary>
public sealed record FollowUpAnswer(long CaseId, string Number, string Language, string QueueBefore, bool Yes);

/// <summary>Arranges for a follow-up to fire at its due time (a Hangfire job in the host); called after it committed.</summary>
public interface IFollowUpScheduler
{
    /// <summary>Fires follow-up <paramref name="followUpId"/> at <paramref name="dueAt"/>.</summary>
    void Schedule(long followUpId, DateTimeOffset dueAt);
}

/// <summary>
/// Information and referral on 211 cases: the person's needs, the services they were referred to (snapshots of the
/// directory as it was at that moment), needs no service could meet, referrals sent by text, follow-ups, and the
/// crisis flag. Every change locks the case, writes a private history entry in the same transaction (211 is about
/// people's circumstances: nothing here is ever public) and is announced to the desktops once committed.
/// </summary>
public sealed class InformationReferral(
    NpgsqlDataSource dataSource, TimeProvider clock, CaseWork work, DirectorySearch directory,
    ChangeFeed changes, IOutboxDispatcher outbox, IFollowUpScheduler followUps)
{
    /// <summary>Why a need could not be met.</summary>
    public static readonly IReadOnlyList<string> UnmetReasons = ["no_service_found", "not_eligible", "waitlist_full", "service_unavailable", "declined", "other"];

    /// <summary>How a follow-up is made: the case back in the queue for an agent, or a text asking the person.</summary>
    public static readonly IReadOnlyList<string> FollowUpMethods = ["queue", "text"];

    /// <summary>The furthest ahead a follow-up may be scheduled.</summary>
    public static readonly TimeSpan MaxFollowUpDelay = TimeSpan.FromDays(90);

    /// <summary>The segments one text of referrals may take.</summary>
    public const int ReferralTextSegments = 3;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static void Must211(CaseWork.LockedCase c)
    {
        if (!Line.Community.Is(c.Line))
        {
            throw new WorkRefusedException("refused.not_211", $"Case {c.Number} is not a 211 case.", c.Number);
        }
    }

    /// <summary>Records a need, by taxonomy code, with the term's name as the directory has it in the case's language.</summary>
    public Task<long> RecordNeedAsync(StaffMember member, string number, string code, CancellationToken cancellationToken = default) =>
        work.OnCaseAsync(member, number, mustHold: true, async (connection, tx, c, now) =>
        {
            CaseWork.MustBeOpen(c);
            Must211(c);
            var trimmed = code?.Trim() ?? "";
            var name = trimmed.Length is 0 or > 64 ? null : await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
                "select case when @fr then coalesce(nullif(name_fr, ''), name) else name end from directory.taxonomy_terms where code = @trimmed",
                new { trimmed, fr = Language.French.Is(c.Language) }, tx, cancellationToken: cancellationToken));
            if (name is null)
            {
                throw new WorkRefusedException("refused.no_term", $"There is no need {trimmed} in the directory's taxonomy.", trimmed);
            }
            var id = await connection.ExecuteScalarAsync<long?>(new CommandDefinition("""
                insert into case_needs (case_id, taxonomy_code, term_name, recorded_by, recorded_at, updated_by, updated_at)
                values (@Id, @trimmed, @name, @UserName, @now, @UserName, @now)
                on conflict (case_id, taxonomy_code) do nothing
                returning id
                """, new { c.Id, trimmed, name, member.UserName, now }, tx, cancellationToken: cancellationToken))
                ?? throw new WorkRefusedException("refused.need_recorded", $"{name} is already a need on case {number}.", name, number);
            await Touch(connection, tx, c.Id, now, cancellationToken);
            await CaseWork.EventAsync(connection, tx, c.Id, now, "need_recorded", member.UserName, false, new { code = trimmed, name }, cancellationToken);
            return id;
        }, cancellationToken);

    /// <summary>Records that no service could meet a need, with a reason from <see cref="UnmetReasons"/> and an optional note.</summary>
    public Task MarkNeedUnmetAsync(StaffMember member, string number, long needId, string reason, string? note, CancellationToken cancellationToken = default) =>
        work.OnCaseAsync(member, number, mustHold: true, async (connection, tx, c, now) =>
        {
            CaseWork.MustBeOpen(c);
            Must211(c);
            if (!UnmetReasons.Contains(reason ?? ""))
            {
                throw new WorkRefusedException("refused.bad_unmet_reason", $"'{reason}' is not a reason a need goes unmet.", reason ?? "");
            }
            var text = CaseWork.Note(note, required: reason == "other", number);
            var need = await connection.QuerySingleOrDefaultAsync<(string Code, string Name)>(new CommandDefinition("""
                update case_needs set status = 'unmet', unmet_reason = @reason, note = @text, updated_by = @UserName, updated_at = @now
                where id = @needId and case_id = @Id
                returning taxonomy_code as code, term_name as name
                """, new { reason, text, member.UserName, now, needId, c.Id }, tx, cancellationToken: cancellationToken));
            if (need.Code is null)
            {
                throw new WorkRefusedException("refused.no_need", $"Case {number} has no need {needId}.", number, needId);
            }
            await Touch(connection, tx, c.Id, now, cancellationToken);
            await CaseWork.EventAsync(connection, tx, c.Id, now, "need_unmet", member.UserName, false,
                new { code = need.Code, name = need.Name, reason, note = text }, cancellationToken);
            return 0;
        }, cancellationToken);

    /// <summary>
    /// Refers the person to a service at a location (null for a service with no location), copying the directory's
    /// description of it at this moment; <paramref name="needId"/>, when given, is the need it meets.
    /// </summary>
    public Task<long> GiveReferralAsync(StaffMember member, string number, string serviceId, string? locationId, long? needId = null,
        CancellationToken cancellationToken = default) =>
        work.OnCaseAsync(member, number, mustHold: true, async (connection, tx, c, now) =>
        {
            CaseWork.MustBeOpen(c);
            Must211(c);
            var service = serviceId?.Trim() ?? "";
            var location = string.IsNullOrWhiteSpace(locationId) ? null : locationId.Trim();
            var hit = service.Length is 0 or > 200 || location?.Length > 200 ? null : await directory.FindAsync(service, location, c.Language, cancellationToken);
            if (hit is null)
            {
                throw new WorkRefusedException("refused.no_service", "That service is not in the directory (at that location).");
            }
            if (needId is long need && !await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "select exists (select 1 from case_needs where id = @need and case_id = @Id)", new { need, c.Id }, tx, cancellationToken: cancellationToken)))
            {
                throw new WorkRefusedException("refused.no_need", $"Case {number} has no need {need}.", number, need);
            }
            var details = ReferralDetails.Of(hit, c.Language);
            var id = await connection.ExecuteScalarAsync<long?>(new CommandDefinition("""
                insert into service_referrals (case_id, need_id, service_id, location_id, service_at_location_id, details, referred_by, referred_at)
                values (@Id, @needId, @ServiceId, @LocationId, @ServiceAtLocationId, @details::jsonb, @UserName, @now)
                on conflict (case_id, service_id, coalesce(location_id, '')) do nothing
                returning id
                """, new { c.Id, needId, hit.ServiceId, hit.LocationId, hit.ServiceAtLocationId, details = JsonSerializer.Serialize(details, Json), member.UserName, now },
                tx, cancellationToken: cancellationToken))
                ?? throw new WorkRefusedException("refused.already_given", $"{details.Name} was already given on case {number}.", details.Name, number);
            if (needId is not null)
            {
                await connection.ExecuteAsync(new CommandDefinition("""
                    update case_needs set status = 'met', unmet_reason = null, updated_by = @UserName, updated_at = @now
                    where id = @needId and status <> 'met'
                    """, new { needId, member.UserName, now }, tx, cancellationToken: cancellationToken));
            }
            await Touch(connection, tx, c.Id, now, cancellationToken);
            await CaseWork.EventAsync(connection, tx, c.Id, now, "service_referred", member.UserName, false,
                new { service = details.Name, organization = details.Organization, address = details.Address }, cancellationToken);
            return id;
        }, cancellationToken);

    private sealed record Contactable(bool NotifyConsent, string? ResidentPhone, bool OptedOut);

    private const string ContactableSql = """
        select c.notify_consent, c.resident_phone, exists (select 1 from sms_opt_outs o where o.phone = c.resident_phone) as opted_out
        from cases c where c.id = @Id
        """;

    private static async Task<Contactable> TextableAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CaseWork.LockedCase c, CancellationToken ct)
    {
        var who = await connection.QuerySingleAsync<Contactable>(new CommandDefinition(ContactableSql, new { c.Id }, tx, cancellationToken: ct));
        if (!Outbox.CanText(who.NotifyConsent, who.ResidentPhone))
        {
            throw new WorkRefusedException("refused.no_text_consent", $"The person on case {c.Number} has not agreed to texts at a mobile number.", c.Number);
        }
        if (who.OptedOut)
        {
            throw new WorkRefusedException("refused.texts_stopped", $"The person on case {c.Number} texted STOP: nothing is sent until they text START.", c.Number);
        }
        return who;
    }

    private sealed record UnsentRow(long Id, string Details);

    /// <summary>
    /// Texts the person the referrals not sent yet, each once: as numbered lists of a few segments each (as many
    /// messages as they need), in the case's language, through the outbox. Refused without the person's consent and
    /// a number that takes texts, when that number texted STOP, and when every referral was already sent. Returns the
    /// number of messages.
    /// </summary>
    public Task<int> SendReferralsByTextAsync(StaffMember member, string number, CancellationToken cancellationToken = default) =>
        work.OnCaseAsync(member, number, mustHold: true, async (connection, tx, c, now) =>
        {
            Must211(c);
            var who = await TextableAsync(connection, tx, c, cancellationToken);
            var unsent = (await connection.QueryAsync<UnsentRow>(new CommandDefinition(
                "select id, details::text as details from service_referrals where case_id = @Id and outbox_id is null order by id for update",
                new { c.Id }, tx, cancellationToken: cancellationToken))).ToList();
            if (unsent.Count == 0)
            {
                throw new WorkRefusedException("refused.nothing_to_send", $"Every referral on case {number} was already sent.", number);
            }
            var listings = unsent.Select(r => (JsonSerializer.Deserialize<ReferralDetails>(r.Details, Json)!).Listing()).ToList();
            var header = Outbox.Render("referrals.header", c.Language, c.Number);
            var footer = Outbox.Render("referrals.footer", c.Language);
            var messages = 0;
            for (var from = 0; from < listings.Count;)
            {
                var rest = listings.Skip(from).ToList();
                var fitted = ServiceListText.Fit(header, rest, footer, ReferralTextSegments, firstNumber: from + 1);
                if (fitted.Listed == 0)
                {
                    // Not even its name and phone fit: the name is cut short (GSM-7 dots, not an ellipsis), the phone kept.
                    var one = rest[0] with { Name = rest[0].Name.Length > 60 ? rest[0].Name[..57] + "..." : rest[0].Name, Address = null, Hours = null };
                    fitted = ServiceListText.Fit(header, [one], footer, ReferralTextSegments, firstNumber: from + 1) is { Listed: > 0 } f
                        ? f : new FittedServiceList(header + "\n" + ServiceListText.Entry(from + 1, one, false, false), 1);
                }
                var outboxId = await Outbox.WriteAsync(connection, tx, c.Id, who.ResidentPhone!, c.Language, "referrals", fitted.Text, now, cancellationToken);
                c.Messages.Add(outboxId);
                var ids = unsent.Skip(from).Take(fitted.Listed).Select(r => r.Id).ToArray();
                await connection.ExecuteAsync(new CommandDefinition(
                    "update service_referrals set outbox_id = @outboxId, sent_at = @now where id = any(@ids)",
                    new { outboxId, now, ids }, tx, cancellationToken: cancellationToken));
                from += fitted.Listed;
                messages++;
            }
            await Touch(connection, tx, c.Id, now, cancellationToken);
            await CaseWork.EventAsync(connection, tx, c.Id, now, "referrals_texted", member.UserName, false,
                new { count = unsent.Count, messages }, cancellationToken);
            return messages;
        }, cancellationToken);

    /// <summary>
    /// Schedules a follow-up at <paramref name="dueAt"/> by <paramref name="method"/> (queue | text), replacing one
    /// already scheduled. A text follow-up needs the person's consent and a number that takes texts.
    /// </summary>
    public Task<long> ScheduleFollowUpAsync(StaffMember member, string number, DateTimeOffset dueAt, string method, CancellationToken cancellationToken = default) =>
        work.OnCaseAsync(member, number, mustHold: true, async (connection, tx, c, now) =>
        {
            CaseWork.MustBeOpen(c);
            Must211(c);
            if (!FollowUpMethods.Contains(method ?? ""))
            {
                throw new WorkRefusedException("refused.bad_follow_up_method", $"'{method}' is not queue or text.", method ?? "");
            }
            if (dueAt <= now || dueAt > now + MaxFollowUpDelay)
            {
                throw new WorkRefusedException("refused.bad_follow_up_due", $"A follow-up is due in the next {MaxFollowUpDelay.TotalDays} days.", MaxFollowUpDelay.TotalDays);
            }
            if (method == "text")
            {
                await TextableAsync(connection, tx, c, cancellationToken);
            }
            var replaced = await connection.ExecuteAsync(new CommandDefinition(
                "update follow_ups set status = 'cancelled' where case_id = @Id and status = 'scheduled'", new { c.Id }, tx, cancellationToken: cancellationToken));
            var due = dueAt.ToUniversalTime();
            var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
                insert into follow_ups (case_id, due_at, method, created_by, created_at) values (@Id, @due, @method, @UserName, @now) returning id
                """, new { c.Id, due, method, member.UserName, now }, tx, cancellationToken: cancellationToken));
            await Touch(connection, tx, c.Id, now, cancellationToken);
            await CaseWork.EventAsync(connection, tx, c.Id, now, "follow_up_scheduled", member.UserName, false,
                new { due = due.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture), method, replaced = replaced > 0 }, cancellationToken);
            c.AfterCommit.Add(() => followUps.Schedule(id, due));
            return id;
        }, cancellationToken);

    /// <summary>
    /// Sets or clears the crisis flag (risk to life). Setting it makes the case urgent, so it is first in its queue,
    /// and the desktop offers the crisis line at once. Anyone who works the queues and may see the case may set it,
    /// without claiming it; a provider's staff may not (they call the case's agent).
    /// </summary>
    public Task SetCrisisAsync(StaffMember member, string number, bool on, CancellationToken cancellationToken = default) =>
        // Refused by role before any case is read or locked.
        !member.WorksQueues
            ? Task.FromException(new WorkRefusedException("refused.role", "Only agents, supervisors and admins set or clear the crisis flag."))
            : work.OnCaseAsync(member, number, mustHold: false, async (connection, tx, c, now) =>
        {
            CaseWork.MustBeOpen(c);
            Must211(c);
            var before = await connection.QuerySingleAsync<(bool Crisis, string Priority)>(new CommandDefinition(
                "select crisis, priority from cases where id = @Id", new { c.Id }, tx, cancellationToken: cancellationToken));
            if (before.Crisis == on)
            {
                throw new WorkRefusedException(on ? "refused.crisis_already" : "refused.crisis_not_set",
                    on ? $"Case {number} is already flagged as a crisis." : $"Case {number} is not flagged as a crisis.", number);
            }
            await connection.ExecuteAsync(new CommandDefinition("""
                update cases set crisis = @on, priority = case when @on then 'urgent' else priority end, updated_at = @now where id = @Id
                """, new { on, now, c.Id }, tx, cancellationToken: cancellationToken));
            await CaseWork.EventAsync(connection, tx, c.Id, now, on ? "crisis_flagged" : "crisis_cleared", member.UserName, false,
                new { from = before.Priority }, cancellationToken);
            if (on && before.Priority != "urgent")
            {
                await work.RecomputeDueAsync(connection, tx, c, now, cancellationToken);
            }
            return 0;
        }, cancellationToken);

    private sealed record DueFollowUp(long Id, long CaseId);

    private sealed record CaseRow(
        long Id, string Number, string Line, string Language, string Queue, string Status, int? AssignedTo, bool NotifyConsent, string? ResidentPhone, bool OptedOut);

    /// <summary>Follow-ups due by now and not fired (their job was lost, or the host was down): for the sweep.</summary>
    public async Task<IReadOnlyList<long>> DueAsync(int limit = 500, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return [.. await connection.QueryAsync<long>(new CommandDefinition(
            "select id from follow_ups where status = 'scheduled' and due_at <= @now order by due_at limit @limit",
            new { now = clock.GetUtcNow(), limit }, cancellationToken: cancellationToken))];
    }

    /// <summary>
    /// Fires a due follow-up, once: it is claimed (scheduled → due | asked) in the transaction that acts on it, so a
    /// job and the sweep firing it together make one follow-up. By queue, the case returns to its 211 queue for an
    /// agent (or stays with the agent holding it); by text, the person is asked whether they got the help they
    /// needed — and when they can no longer be texted (no consent, or they texted STOP), it goes to the queue instead. False when there was nothing to fire.
    /// </summary>
    public async Task<bool> FireAsync(long followUpId, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var c = await LockCaseOfAsync(connection, tx, followUpId, cancellationToken);
        if (c is null)
        {
            return false;
        }
        var method = await connection.ExecuteScalarAsync<string?>(new CommandDefinition("""
            update follow_ups set status = 'due', fired_at = @now where id = @followUpId and status = 'scheduled' and due_at <= @now returning method
            """, new { followUpId, now }, tx, cancellationToken: cancellationToken));
        if (method is null)
        {
            return false;
        }
        long? question = null;
        if (method == "text" && Outbox.CanText(c.NotifyConsent, c.ResidentPhone) && !c.OptedOut)
        {
            var body = Outbox.Render("follow_up_question", c.Language, c.Number);
            question = await Outbox.WriteAsync(connection, tx, c.Id, c.ResidentPhone!, c.Language, "follow_up_question", body, now, cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition(
                "update follow_ups set status = 'asked', question_outbox_id = @question where id = @followUpId",
                new { question, followUpId }, tx, cancellationToken: cancellationToken));
            await CaseWork.EventAsync(connection, tx, c.Id, now, "follow_up_asked", "system", false, null, cancellationToken);
        }
        else
        {
            await ReopenAsync(connection, tx, c.Id, now, cancellationToken);
            await CaseWork.EventAsync(connection, tx, c.Id, now, "follow_up_due", "system", false,
                new { method, by_queue_instead = method == "text" }, cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
        changes.CaseChanged(c.Id, c.Queue);
        if (question is long id)
        {
            outbox.Dispatch(id);
        }
        return true;
    }

    /// <summary>How long a follow-up question asked by text waits for an answer before the case goes to the queue instead.</summary>
    public static readonly TimeSpan AnswerWindow = TimeSpan.FromDays(2);

    /// <summary>Follow-up questions asked by text longer than <see cref="AnswerWindow"/> ago and still unanswered: for the sweep.</summary>
    public async Task<IReadOnlyList<long>> UnansweredAsync(int limit = 500, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return [.. await connection.QueryAsync<long>(new CommandDefinition(
            "select id from follow_ups where status = 'asked' and fired_at <= @cutoff order by fired_at limit @limit",
            new { cutoff = clock.GetUtcNow() - AnswerWindow, limit }, cancellationToken: cancellationToken))];
    }

    /// <summary>
    /// Stops waiting for the answer to a follow-up question nobody answered within <see cref="AnswerWindow"/>: the case
    /// goes back to its queue so an agent calls instead, once. False when the question was answered or already given up.
    /// </summary>
    public async Task<bool> StopWaitingAsync(long followUpId, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var c = await LockCaseOfAsync(connection, tx, followUpId, cancellationToken);
        if (c is null)
        {
            return false;
        }
        var stopped = await connection.ExecuteAsync(new CommandDefinition("""
            update follow_ups set status = 'unanswered' where id = @followUpId and status = 'asked' and fired_at <= @cutoff
            """, new { followUpId, cutoff = now - AnswerWindow }, tx, cancellationToken: cancellationToken));
        if (stopped == 0)
        {
            return false;
        }
        await ReopenAsync(connection, tx, c.Id, now, cancellationToken);
        await CaseWork.EventAsync(connection, tx, c.Id, now, "follow_up_unanswered", "system", false, null, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        changes.CaseChanged(c.Id, c.Queue);
        return true;
    }

    /// <summary>Locks the case a follow-up is about (the case first, as every action on it does); null when there is no such follow-up.</summary>
    private static Task<CaseRow?> LockCaseOfAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long followUpId, CancellationToken ct) =>
        connection.QuerySingleOrDefaultAsync<CaseRow>(new CommandDefinition("""
            select c.id, c.number, c.line, c.language, c.queue, c.status, c.assigned_to, c.notify_consent, c.resident_phone,
                   exists (select 1 from sms_opt_outs o where o.phone = c.resident_phone) as opted_out
            from cases c where c.id = (select case_id from follow_ups where id = @followUpId)
            for update
            """, new { followUpId }, tx, cancellationToken: ct));

    /// <summary>Puts a case back in its line's queue for an agent; a case an agent holds and works stays with them.</summary>
    private static Task ReopenAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long caseId, DateTimeOffset now, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition("""
            update cases set
                queue = case when reopen then line || '-' || language else queue end,
                assigned_to = case when reopen then null else assigned_to end,
                claimed_at = case when reopen then null else claimed_at end,
                status = case when reopen then 'new' else status end,
                updated_at = @now
            from (select id as reopen_id, assigned_to is null or status in ('resolved', 'closed') as reopen from cases where id = @caseId) r
            where id = r.reopen_id
            """, new { caseId, now }, tx, cancellationToken: ct));

    /// <summary>
    /// A resident's answer, texted from <paramref name="phone"/>, to the latest follow-up question asked of a case with
    /// that number: yes is recorded; no is recorded and the case goes back to the queue for an agent. Runs inside the
    /// caller's transaction (the inbound text's); null when no question waits for an answer from that number.
    /// </summary>
    public static async Task<FollowUpAnswer?> AnswerFollowUpAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string phone, bool yes,
        DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var asked = await connection.QuerySingleOrDefaultAsync<(long Id, long CaseId, string Number, string Language, string Queue)>(new CommandDefinition("""
            select f.id, c.id as case_id, c.number, c.language, c.queue
            from follow_ups f join cases c on c.id = f.case_id
            where f.status = 'asked' and c.resident_phone = @phone
            order by f.fired_at desc, f.id desc
            limit 1
            for update of c, f
            """, new { phone }, tx, cancellationToken: cancellationToken));
        if (asked.Id == 0)
        {
            return null;
        }
        await connection.ExecuteAsync(new CommandDefinition(
            "update follow_ups set status = @status, answered_at = @now where id = @Id",
            new { status = yes ? "answered_yes" : "answered_no", now, asked.Id }, tx, cancellationToken: cancellationToken));
        if (yes)
        {
            await connection.ExecuteAsync(new CommandDefinition("update cases set updated_at = @now where id = @CaseId", new { now, asked.CaseId }, tx, cancellationToken: cancellationToken));
        }
        else
        {
            await ReopenAsync(connection, tx, asked.CaseId, now, cancellationToken);
        }
        await CaseWork.EventAsync(connection, tx, asked.CaseId, now, yes ? "follow_up_yes" : "follow_up_no", "resident", false, null, cancellationToken);
        return new FollowUpAnswer(asked.CaseId, asked.Number, asked.Language, asked.Queue, yes);
    }

    /// <summary>Tells the desktops about an answered follow-up once the text's transaction committed.</summary>
    public void Announce(FollowUpAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        changes.CaseChanged(answer.CaseId, answer.QueueBefore);
    }

    private static Task Touch(NpgsqlConnection connection, NpgsqlTransaction tx, long caseId, DateTimeOffset now, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition("update cases set updated_at = @now where id = @caseId", new { now, caseId }, tx, cancellationToken: ct));

    private sealed record NeedRow(long Id, string Code, string Name, string Status, string? UnmetReason, string Note, string RecordedBy, DateTimeOffset RecordedAt);

    private sealed record ReferralRow(
        long Id, long? NeedId, string ServiceId, string? LocationId, string? ServiceAtLocationId, string Details, string ReferredBy,
        DateTimeOffset ReferredAt, DateTimeOffset? SentAt);

    /// <summary>A case's needs, referrals (from their snapshots) and follow-ups, oldest first.</summary>
    internal static async Task<InformationReferralView> ReadAsync(NpgsqlConnection connection, long caseId, CancellationToken ct)
    {
        using var grid = await connection.QueryMultipleAsync(new CommandDefinition("""
            select id, taxonomy_code as code, term_name as name, status, unmet_reason, note, recorded_by, recorded_at
            from case_needs where case_id = @caseId order by id;
            select id, need_id, service_id, location_id, service_at_location_id, details::text as details, referred_by, referred_at, sent_at
            from service_referrals where case_id = @caseId order by id;
            select id, due_at, method, status, created_by, created_at, fired_at, answered_at
            from follow_ups where case_id = @caseId order by id;
            """, new { caseId }, cancellationToken: ct));
        var needs = (await grid.ReadAsync<NeedRow>()).Select(n => new NeedView(n.Id, n.Code, n.Name, n.Status, n.UnmetReason, n.Note, n.RecordedBy, n.RecordedAt)).ToList();
        var referrals = (await grid.ReadAsync<ReferralRow>()).Select(r => new ServiceReferralView(r.Id, r.NeedId, r.ServiceId, r.LocationId, r.ServiceAtLocationId,
            JsonSerializer.Deserialize<ReferralDetails>(r.Details, Json)!, r.ReferredBy, r.ReferredAt, r.SentAt)).ToList();
        var follow = (await grid.ReadAsync<FollowUpView>()).ToList();
        return new InformationReferralView(needs, referrals, follow);
    }

    /// <summary>
    /// Records that <paramref name="userName"/> viewed a 211 case: a private history entry, at most one per member per
    /// minute (a desktop reloads a case after every action), never none.
    /// </summary>
    internal static Task RecordViewAsync(NpgsqlConnection connection, long caseId, string userName, DateTimeOffset now, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition("""
            insert into case_events (case_id, at, kind, actor, is_public, data)
            select @caseId, @now, 'viewed', @userName, false, '{}'::jsonb
            where not exists (select 1 from case_events where case_id = @caseId and kind = 'viewed' and actor = @userName and at > @since)
            """, new { caseId, now, userName, since = now.AddMinutes(-1) }, cancellationToken: ct));
}
