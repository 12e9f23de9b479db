using Contact.Core.Cases;
using Contact.Core.Desktop;
using Contact.Core.Infrastructure;
using Contact.Core.Notifications;
using Contact.Core.Staff;
using Dapper;
using Npgsql;

namespace Contact.Core.Routing;

/// <summary>
/// Tell us once: one case referred to every provider that needs it, each referral with its own status
/// (sent, accepted, declined with a reason, completed).
/// </summary>
public sealed class Referrals(NpgsqlDataSource dataSource, CaseWork work, TimeProvider clock, ChangeFeed changes, IOutboxDispatcher outbox)
{
    /// <summary>Refers a held case to one or several providers with a note.</summary>
    public async Task ReferAsync(StaffMember member, string number, IReadOnlyList<string> providerCodes, string? note, CancellationToken cancellationToken = default)
    {
        var codes = providerCodes.Select(c => c.Trim()).Where(c => c.Length > 0).Distinct(StringComparer.Ordinal).ToArray();
        if (codes.Length == 0)
        {
            throw new WorkRefusedException("refused.no_providers", "Choose at least one provider.");
        }
        var text = note?.Trim() ?? "";
        if (text.Length > CaseWork.MaxNote)
        {
            throw new WorkRefusedException("refused.note_too_long", $"A note may have at most {CaseWork.MaxNote} characters.", CaseWork.MaxNote);
        }
        var made = await work.OnCaseAsync(member, number, mustHold: true, async (connection, tx, c, now) =>
        {
            if (c.Status is CaseStatus.Resolved or CaseStatus.Closed)
            {
                throw new WorkRefusedException("refused.closed", $"Case {number} is already {c.Status}.", number, c.Status);
            }
            var providers = (await connection.QueryAsync<(int Id, string Code)>(new CommandDefinition(
                "select id, code from providers where code = any(@codes) and active", new { codes }, tx, cancellationToken: cancellationToken))).ToList();
            var unknown = codes.Except(providers.Select(p => p.Code)).FirstOrDefault();
            if (unknown is not null)
            {
                throw new WorkRefusedException("refused.no_provider", $"There is no provider {unknown}.", unknown);
            }
            var open = (await connection.QueryAsync<string>(new CommandDefinition("""
                select p.code from referrals r join providers p on p.id = r.provider_id
                where r.case_id = @Id and r.provider_id = any(@ids) and r.status in ('sent', 'accepted')
                """, new { c.Id, ids = providers.Select(p => p.Id).ToArray() }, tx, cancellationToken: cancellationToken))).FirstOrDefault();
            if (open is not null)
            {
                throw new WorkRefusedException("refused.already_referred", $"Case {number} is already with {open}.", number, open);
            }
            var ids = new List<long>();
            foreach (var p in providers)
            {
                ids.Add(await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
                    insert into referrals (case_id, provider_id, note, referred_by, created_at, updated_at)
                    values (@CaseId, @ProviderId, @text, @UserName, @now, @now)
                    returning id
                    """, new { CaseId = c.Id, ProviderId = p.Id, text, member.UserName, now }, tx, cancellationToken: cancellationToken)));
            }
            await connection.ExecuteAsync(new CommandDefinition("update cases set status = 'referred', updated_at = @now where id = @Id",
                new { now, c.Id }, tx, cancellationToken: cancellationToken));
            await CaseWork.EventAsync(connection, tx, c.Id, now, "referred", member.UserName, true,
                new { providers = providers.Select(p => p.Code).ToArray(), note = text }, cancellationToken);
            var names = await connection.QueryAsync<string>(new CommandDefinition(
                "select case when @Language = 'fr' then name_fr else name_en end from providers where id = any(@ids) order by code",
                new { c.Language, ids = providers.Select(p => p.Id).ToArray() }, tx, cancellationToken: cancellationToken));
            await c.NotifyAsync(connection, tx, "referred", now, [string.Join(", ", names)], cancellationToken);
            return ids;
        }, cancellationToken);
        foreach (var id in made)
        {
            changes.ReferralChanged(id);
        }
    }

    /// <summary>A provider user accepts a referral sent to their provider.</summary>
    public Task<long> AcceptAsync(StaffMember member, long referralId, string? note, CancellationToken cancellationToken = default) =>
        RespondAsync(member, referralId, "accepted", ["sent"], note, noteRequired: false, cancellationToken);

    /// <summary>A provider user declines a referral, with a reason.</summary>
    public Task<long> DeclineAsync(StaffMember member, long referralId, string? reason, CancellationToken cancellationToken = default) =>
        RespondAsync(member, referralId, "declined", ["sent", "accepted"], reason, noteRequired: true, cancellationToken);

    /// <summary>A provider user completes a referral.</summary>
    public Task<long> CompleteAsync(StaffMember member, long referralId, string? note, CancellationToken cancellationToken = default) =>
        RespondAsync(member, referralId, "completed", ["sent", "accepted"], note, noteRequired: false, cancellationToken);

    private async Task<long> RespondAsync(StaffMember member, long referralId, string status, string[] from, string? note, bool noteRequired, CancellationToken ct)
    {
        var text = note?.Trim() ?? "";
        if (noteRequired && text.Length == 0)
        {
            throw new WorkRefusedException("refused.reason_required", "Give a reason.");
        }
        if (text.Length > CaseWork.MaxNote)
        {
            throw new WorkRefusedException("refused.note_too_long", $"A note may have at most {CaseWork.MaxNote} characters.", CaseWork.MaxNote);
        }
        var now = clock.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var r = await connection.QuerySingleOrDefaultAsync<(long Id, long CaseId, int ProviderId, string Status, string Provider, int? CategoryId)>(new CommandDefinition("""
            select r.id, r.case_id, r.provider_id, r.status, p.code as provider, r.category_id
            from referrals r join providers p on p.id = r.provider_id
            where r.id = @referralId for update of r
            """, new { referralId }, tx, cancellationToken: ct));
        if (r.Id == 0 || (member.ProviderId != r.ProviderId && !member.Oversees))
        {
            // Another provider's referral is answered as if it did not exist.
            throw new WorkRefusedException("refused.no_referral", $"There is no referral {referralId} for you.", referralId);
        }
        if (!from.Contains(r.Status))
        {
            throw new WorkRefusedException("refused.referral_state", $"Referral {referralId} is {r.Status}; it cannot become {status}.", referralId, r.Status, status);
        }
        await connection.ExecuteAsync(new CommandDefinition(
            "update referrals set status = @status, response_note = @text, updated_at = @now where id = @Id",
            new { status, text, now, r.Id }, tx, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition(
            "update cases set updated_at = @now, first_response_at = case when @status = 'accepted' then coalesce(first_response_at, @now) else first_response_at end where id = @CaseId",
            new { now, status, r.CaseId }, tx, cancellationToken: ct));
        await CaseWork.EventAsync(connection, tx, r.CaseId, now, "referral_" + status, member.UserName, status == "completed",
            new { provider = r.Provider, note = text }, ct);
        var message = r.CategoryId is int service && status is "completed" or "declined"
            ? await LifeEventAnsweredAsync(connection, tx, r.CaseId, r.ProviderId, service, status, text, member.UserName, now, ct)
            : null;
        await tx.CommitAsync(ct);
        changes.ReferralChanged(r.Id);
        changes.CaseChanged(r.CaseId);
        if (message is long id)
        {
            outbox.Dispatch(id);
        }
        return r.CaseId;
    }

    /// <summary>
    /// A provider finished its part of a life event: the resident hears it in one message (and, with the last part,
    /// that everything is done), and the case resolves once no referral is left open.
    /// </summary>
    private static async Task<long?> LifeEventAnsweredAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long caseId, int providerId, int categoryId,
        string status, string note, string actor, DateTimeOffset now, CancellationToken ct)
    {
        var c = await connection.QuerySingleAsync<(string Language, string Status, string ProviderEn, string ProviderFr, string ServiceEn, string ServiceFr, int Open)>(new CommandDefinition("""
            select c.language, c.status, p.name_en, p.name_fr, k.name_en, k.name_fr,
                   (select count(*) from referrals o where o.case_id = c.id and o.status in ('review', 'sent', 'accepted'))::int as open
            from cases c, providers p, categories k
            where c.id = @caseId and p.id = @providerId and k.id = @categoryId
            for update of c
            """, new { caseId, providerId, categoryId }, tx, cancellationToken: ct));
        var french = Language.French.Is(c.Language);
        var provider = french ? c.ProviderFr : c.ProviderEn;
        var service = french ? c.ServiceFr : c.ServiceEn;
        var done = c.Open == 0 && c.Status is not (CaseStatus.Resolved or CaseStatus.Closed);
        if (done)
        {
            await connection.ExecuteAsync(new CommandDefinition("update cases set status = 'resolved', updated_at = @now where id = @caseId",
                new { caseId, now }, tx, cancellationToken: ct));
            await CaseWork.EventAsync(connection, tx, caseId, now, "resolved", actor, true, new { note = "", lifeEvent = true }, ct);
        }
        return status == "completed"
            ? await Outbox.QueueAsync(connection, tx, caseId, done ? "life_event.completed_all" : "life_event.completed", now, [provider, service], ct)
            : await Outbox.QueueAsync(connection, tx, caseId, "life_event.declined", now, [provider, service, note], ct);
    }

    /// <summary>
    /// An agent holding a life event's case sends the referrals that waited for review to their providers; the
    /// resident hears where they went in one message. Returns how many were sent.
    /// </summary>
    public async Task<int> SendReviewedAsync(StaffMember member, string number, CancellationToken cancellationToken = default)
    {
        var ids = await work.OnCaseAsync(member, number, mustHold: true, async (connection, tx, c, now) =>
        {
            if (c.Status is CaseStatus.Resolved or CaseStatus.Closed)
            {
                throw new WorkRefusedException("refused.closed", $"Case {number} is already {c.Status}.", number, c.Status);
            }
            var sent = (await connection.QueryAsync<(long Id, string Provider, string NameEn, string NameFr)>(new CommandDefinition("""
                update referrals r set status = 'sent', referred_by = @UserName, updated_at = @now
                from providers p
                where r.case_id = @Id and r.status = 'review' and p.id = r.provider_id
                returning r.id, p.code, p.name_en, p.name_fr
                """, new { c.Id, member.UserName, now }, tx, cancellationToken: cancellationToken))).ToList();
            if (sent.Count == 0)
            {
                throw new WorkRefusedException("refused.nothing_to_review", $"Case {number} has no referral waiting for review.", number);
            }
            await connection.ExecuteAsync(new CommandDefinition(
                "update cases set status = case when status in ('new', 'in_progress') then 'referred' else status end, updated_at = @now where id = @Id",
                new { now, c.Id }, tx, cancellationToken: cancellationToken));
            await CaseWork.EventAsync(connection, tx, c.Id, now, "referred", member.UserName, true,
                new { providers = sent.Select(s => s.Provider).Distinct().ToArray(), reviewed = true }, cancellationToken);
            var language = Language.Of(c.Language);
            await c.NotifyAsync(connection, tx, "life_event.sent", now, [Outbox.ListOf(sent.Select(s => language == Language.French ? s.NameFr : s.NameEn), language)], cancellationToken);
            return sent.Select(s => s.Id).ToList();
        }, cancellationToken);
        foreach (var id in ids)
        {
            changes.ReferralChanged(id);
        }
        return ids.Count;
    }
}
