using System.Text.Json;
using Contact.Core.Cases;
using Contact.Core.Catalog;
using Contact.Core.Infrastructure;
using Contact.Core.Notifications;
using Contact.Core.Sla;
using Dapper;
using Npgsql;

namespace Contact.Core.LifeEvents;

/// <summary>A life event just filed (or found again by its idempotency key).</summary>
/// <param name="Id">The case's id.</param>
/// <param name="Number">Its public number.</param>
/// <param name="Status">Its status: referred, or new while every referral waits for review.</param>
/// <param name="CreatedAt">When it was made.</param>
/// <param name="AlreadyExisted">True when the idempotency key had made it before.</param>
public sealed record FiledLifeEvent(long Id, string Number, string Status, DateTimeOffset CreatedAt, bool AlreadyExisted);

/// <summary>Raised when a provider a life event refers to no longer serves its service; nothing was written.</summary>
/// <param name="service">The service's category code.</param>
public sealed class ProviderGoneException(string service) : Exception($"No active provider serves {service} any more.")
{
    /// <summary>The service's category code.</summary>
    public string Service { get; } = service;
}

/// <summary>
/// Files a life event: one case, one referral per chosen service to its provider carrying only its packet, the
/// case's history and the resident's message, in one statement and one commit. Referrals that need review wait for
/// an agent; the rest reach their provider at once.
/// </summary>
public sealed class LifeEventCommands(NpgsqlDataSource dataSource, TimeProvider clock, ChangeFeed changes, IOutboxDispatcher outbox, SlaStore sla)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Files <paramref name="valid"/>; a repeated idempotency key answers the case it made first.</summary>
    public async Task<FiledLifeEvent> FileAsync(ValidLifeEvent valid, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(valid);
        var r = valid.Request;
        var now = clock.GetUtcNow();
        var language = Language.Of(r.Language);
        var dues = new List<DateTimeOffset?>();
        foreach (var s in valid.Services)
        {
            var policy = await sla.FindAsync(s.Service.Category.Id, s.Service.Category.DefaultPriority, cancellationToken);
            // A referral is measured by its resolution target alone (the case's first response is the intake's).
            dues.Add(policy is null ? null : SlaStore.At(policy, now, policy.Resolution, 100, TimeSpan.Zero));
        }
        var sent = valid.Services.Where(s => !s.Service.Review).ToList();
        var held = valid.Services.Where(s => s.Service.Review).ToList();
        var status = sent.Count > 0 ? CaseStatus.Referred : CaseStatus.New;
        var notify = Outbox.TextsResident(r.NotifyConsent, valid.PhoneE164, r.Channel == "agent" ? "phone" : r.Channel);
        var args = new
        {
            valid.LifeEvent.Line,
            r.Channel,
            CategoryId = valid.LifeEvent.CaseCategory.Id,
            LifeEvent = valid.LifeEvent.Code,
            Answers = JsonSerializer.Serialize(new
            {
                lifeEvent = valid.LifeEvent.Code,
                shared = valid.Shared,
                services = valid.Services.ToDictionary(s => s.Service.Category.Code, s => s.Answers),
            }, Json),
            r.Name,
            Phone = valid.PhoneE164,
            r.Email,
            Language = language.Code,
            r.NotifyConsent,
            Priority = valid.LifeEvent.CaseCategory.DefaultPriority,
            Status = status,
            r.IdempotencyKey,
            Now = now,
            Actor = actor,
            ProviderCodes = valid.Services.Select(s => s.Service.Provider.Code).ToArray(),
            CategoryIds = valid.Services.Select(s => s.Service.Category.Id).ToArray(),
            Statuses = valid.Services.Select(s => s.Service.Review ? "review" : "sent").ToArray(),
            Packets = valid.Services.Select(s => JsonSerializer.Serialize(s.Packet, Json)).ToArray(),
            Dues = dues.ToArray(),
            // One "referred" entry per provider, naming only its own services: a provider reads no other's.
            SentProviders = sent.Select(s => s.Service.Provider.Code).Distinct().ToArray(),
            SentServices = sent.GroupBy(s => s.Service.Provider.Code).Select(g => JsonSerializer.Serialize(g.Select(s => s.Service.Category.Code), Json)).ToArray(),
            Held = JsonSerializer.Serialize(held.Select(s => s.Service.Category.Code), Json),
            HeldCount = held.Count,
            Notify = notify,
            Received = sent.Count == 0
                ? Outbox.Render("life_event.received_all_review", language, "{number}", valid.LifeEvent.Name.In(language), DeliveredTo(held, language))
                : Outbox.Render(held.Count == 0 ? "life_event.received" : "life_event.received_review", language,
                    "{number}", valid.LifeEvent.Name.In(language), DeliveredTo(sent, language), held.Count),
        };
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var filed = await connection.QuerySingleOrDefaultAsync<(long Id, string Number, string Status, DateTimeOffset CreatedAt, int Made, long[] ReferralIds, long? OutboxId)>(new CommandDefinition("""
            with c as (
                insert into cases (line, channel, category_id, description, answers, resident_name, resident_phone, resident_email, language,
                                   notify_consent, priority, status, idempotency_key, created_at, updated_at)
                values (@Line, @Channel, @CategoryId, '', @Answers::jsonb, @Name, @Phone, @Email, @Language,
                        @NotifyConsent, @Priority, @Status, @IdempotencyKey, @Now, @Now)
                on conflict (idempotency_key) do nothing
                returning id, number, status, created_at
            ), x as (
                -- Each service's provider, only while it is active and still serves the service.
                select s.category_id, p.id as provider_id, s.status, s.packet, s.due_at
                from unnest(@ProviderCodes::text[], @CategoryIds::int[], @Statuses::text[], @Packets::text[], @Dues::timestamptz[])
                     as s(provider_code, category_id, status, packet, due_at)
                join providers p on p.code = s.provider_code and p.active
                join provider_categories pc on pc.provider_id = p.id and pc.category_id = s.category_id
            ), r as (
                insert into referrals (case_id, provider_id, category_id, status, note, referred_by, created_at, updated_at, packet, due_at)
                select c.id, x.provider_id, x.category_id, x.status, '', @Actor, c.created_at, c.created_at, x.packet::jsonb, x.due_at
                from c, x
                returning id
            ), e as (
                insert into case_events (case_id, at, kind, actor, is_public, data)
                select id, created_at, 'created', @Actor, true,
                       jsonb_build_object('channel', @Channel::text, 'category', (select code from categories where id = @CategoryId), 'life_event', @LifeEvent::text)
                from c
                union all
                select c.id, c.created_at, 'referred', @Actor, true,
                       jsonb_build_object('life_event', @LifeEvent::text, 'providers', jsonb_build_array(p.code), 'services', p.services::jsonb)
                from c, unnest(@SentProviders::text[], @SentServices::text[]) as p(code, services)
                union all
                select c.id, c.created_at, 'review_needed', @Actor, false, jsonb_build_object('services', @Held::jsonb)
                from c where @HeldCount > 0
            ), o as (
                insert into outbox (case_id, to_address, language, kind, body, next_attempt_at, created_at, updated_at)
                select c.id, @Phone, @Language, 'life_event.received', replace(@Received, '{number}', c.number), c.created_at, c.created_at, c.created_at
                from c where @Notify
                returning id
            )
            select id, number, status, created_at, (select count(*) from x)::int as made, array(select id from r) as referral_ids,
                   (select id from o) as outbox_id
            from c
            """, args, tx, cancellationToken: cancellationToken));
        if (filed.Id == 0)
        {
            await tx.RollbackAsync(cancellationToken);
            // The key was used before: answer the case it made.
            var earlier = await connection.QuerySingleAsync<(long Id, string Number, string Status, DateTimeOffset CreatedAt)>(new CommandDefinition(
                "select id, number, status, created_at from cases where idempotency_key = @IdempotencyKey", args, cancellationToken: cancellationToken));
            return new FiledLifeEvent(earlier.Id, earlier.Number, earlier.Status, earlier.CreatedAt, AlreadyExisted: true);
        }
        if (filed.Made != valid.Services.Count)
        {
            await tx.RollbackAsync(cancellationToken);
            var served = (await connection.QueryAsync<int>(new CommandDefinition("""
                select pc.category_id from provider_categories pc join providers p on p.id = pc.provider_id
                where p.active and p.code = any(@ProviderCodes) and pc.category_id = any(@CategoryIds)
                """, args, cancellationToken: cancellationToken))).ToHashSet();
            throw new ProviderGoneException(valid.Services.FirstOrDefault(s => !served.Contains(s.Service.Category.Id))?.Service.Category.Code ?? "");
        }
        await tx.CommitAsync(cancellationToken);
        changes.CaseChanged(filed.Id);
        foreach (var id in filed.ReferralIds)
        {
            changes.ReferralChanged(id);
        }
        if (filed.OutboxId is long message)
        {
            outbox.Dispatch(message);
        }
        return new FiledLifeEvent(filed.Id, filed.Number, filed.Status, filed.CreatedAt, AlreadyExisted: false);
    }

    /// <summary>
    /// Attaches <paramref name="lifeEvent"/> to a case a caller is waiting on (by phone, an agent takes the answers):
    /// a staff-only history entry the desktop shows with the case.
    /// </summary>
    public async Task AttachAsync(long caseId, LifeEvent lifeEvent, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lifeEvent);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await CaseWork.EventAsync(connection, tx, caseId, clock.GetUtcNow(), "life_event_requested", actor, false, new { life_event = lifeEvent.Code }, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        changes.CaseChanged(caseId);
    }

    /// <summary>"ServiceOntario, Canada Revenue Agency and City of Ottawa": the providers, once each, in the life event's order.</summary>
    private static string DeliveredTo(IEnumerable<ChosenService> services, Language language) =>
        Outbox.ListOf(services.Select(s => s.Service.Provider.Name.In(language)), language);
}
