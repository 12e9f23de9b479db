using System.Text.Json;
using Contact.Core.Infrastructure;
using Contact.Core.Notifications;
using Contact.Core.Sla;
using Dapper;
using Npgsql;

namespace Contact.Core.Cases;

/// <summary>A case just made (or found again by its idempotency key).</summary>
/// <param name="Id">Database id.</param>
/// <param name="Number">Public case number.</param>
/// <param name="Status">Its status.</param>
/// <param name="CreatedAt">When it was made.</param>
/// <param name="AlreadyExisted">True when the idempotency key had made it before.</param>
/// <param name="OutboxId">The "received" text written with it, if the resident is told by text.</param>
/// <param name="ResolutionDue">When resolution is due under its service standard, if it has one.</param>
public sealed record CreatedCase(long Id, string Number, string Status, DateTimeOffset CreatedAt, bool AlreadyExisted, long? OutboxId = null, DateTimeOffset? ResolutionDue = null);

/// <summary>A case as stored.</summary>
public sealed record CaseRecord(
    long Id, string Number, string Line, string Channel, string CategoryCode, bool IsPublic, string Description, string Answers,
    string? Address, double? Latitude, double? Longitude, string? ResidentName, string? ResidentPhone, string? ResidentEmail,
    string Language, bool NotifyConsent, string Status, string Priority, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    DateTimeOffset? ResolutionDueAt = null);

/// <summary>One entry of a case's history.</summary>
public sealed record CaseEvent(long Id, DateTimeOffset At, string Kind, string Actor, bool IsPublic, string Data);

/// <summary>Writes cases: each change, its history and (later) its messages in one transaction.</summary>
public sealed class CaseCommands(NpgsqlDataSource dataSource, TimeProvider clock, ChangeFeed changes, IOutboxDispatcher outbox, SlaStore sla,
    ISlaScheduler slaTimers)
{
    /// <summary>
    /// Stores a checked case with its "created" event in one statement (one round trip, one commit).
    /// A repeated idempotency key answers the case it made first.
    /// </summary>
    public async Task<CreatedCase> CreateAsync(ValidCase valid, string actor, CancellationToken cancellationToken = default)
    {
        var r = valid.Request;
        var now = clock.GetUtcNow();
        var policy = await sla.FindAsync(valid.Category.Id, valid.Category.DefaultPriority, cancellationToken);
        var due = policy is null ? null : SlaStore.Due(policy, now, TimeSpan.Zero);
        // The first step of the ladder: when the case's timer is set for.
        DateTimeOffset? firstCheck = policy is null ? null
            : SlaEscalator.Steps(policy, policy.SecondBreachPercent, now, TimeSpan.Zero, answered: false, open: true, paused: false).Min(s => s.At);
        var args = new
        {
            valid.Category.Line,
            r.Channel,
            CategoryId = valid.Category.Id,
            CategoryCode = valid.Category.Code,
            Description = r.Description ?? "",
            Answers = JsonSerializer.Serialize(valid.Answers),
            r.Address,
            r.Latitude,
            r.Longitude,
            r.Name,
            Phone = valid.PhoneE164,
            r.Email,
            r.Language,
            r.NotifyConsent,
            Priority = valid.Category.DefaultPriority,
            r.IdempotencyKey,
            Now = now,
            Actor = actor,
            MediaKinds = (r.Media ?? []).Select(m => m.Kind).ToArray(),
            MediaUrls = (r.Media ?? []).Select(m => m.Url).ToArray(),
            MediaTypes = (r.Media ?? []).Select(m => m.ContentType).ToArray(),
            Notify = Outbox.TextsResident(r.NotifyConsent, valid.PhoneE164, r.Channel),
            SlaPolicyId = due?.PolicyId,
            FirstResponseDue = due?.FirstResponseDue,
            ResolutionDue = due?.ResolutionDue,
            FirstResponseWarning = due?.FirstResponseWarning,
            ResolutionWarning = due?.ResolutionWarning,
            FirstCheck = firstCheck,
            ApiKeyId = r.Open311?.ApiKeyId,
            Open311Token = r.Open311?.Token,
            DeviceId = r.Open311?.DeviceId,
            AccountId = r.Open311?.AccountId,
            AddressId = r.Open311?.AddressId,
            // The number is the database's to make: the text carries a placeholder the insert fills.
            Received = Outbox.Render("created", r.Language, "{number}", valid.Category.Name.In(r.Language)),
        };
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var created = await connection.QuerySingleOrDefaultAsync<CreatedCase>(new CommandDefinition("""
            with c as (
                insert into cases (line, channel, category_id, description, answers, address, latitude, longitude,
                                   resident_name, resident_phone, resident_email, language, notify_consent, priority,
                                   idempotency_key, created_at, updated_at, sla_policy_id, first_response_due_at, resolution_due_at,
                                   first_response_warning_at, resolution_warning_at, sla_next_check_at, api_key_id, open311_token, device_id, account_id, address_id)
                values (@Line, @Channel, @CategoryId, @Description, @Answers::jsonb, @Address, @Latitude, @Longitude,
                        @Name, @Phone, @Email, @Language, @NotifyConsent, @Priority, @IdempotencyKey, @Now, @Now,
                        @SlaPolicyId, @FirstResponseDue, @ResolutionDue, @FirstResponseWarning, @ResolutionWarning, @FirstCheck, @ApiKeyId, @Open311Token, @DeviceId, @AccountId, @AddressId)
                on conflict (idempotency_key) do nothing
                returning id, number, status, created_at, resolution_due_at
            ), e as (
                insert into case_events (case_id, at, kind, actor, is_public, data)
                select id, created_at, 'created', @Actor, true,
                       jsonb_build_object('channel', @Channel::text, 'category', @CategoryCode::text)
                from c
            ), m as (
                insert into case_media (case_id, kind, url, content_type, created_at)
                select c.id, x.kind, x.url, x.content_type, c.created_at
                from c, unnest(@MediaKinds::text[], @MediaUrls::text[], @MediaTypes::text[]) as x(kind, url, content_type)
            ), o as (
                insert into outbox (case_id, to_address, language, kind, body, next_attempt_at, created_at, updated_at)
                select c.id, @Phone, @Language, 'created', replace(@Received, '{number}', c.number), c.created_at, c.created_at, c.created_at
                from c where @Notify
                returning id
            )
            select id, number, status, created_at, false as already_existed, (select id from o) as outbox_id, resolution_due_at as resolution_due from c
            """, args, cancellationToken: cancellationToken));
        if (created is not null)
        {
            changes.CaseChanged(created.Id);
            if (firstCheck is { } at)
            {
                slaTimers.Schedule(created.Id, at);
            }
            if (created.OutboxId is long message)
            {
                outbox.Dispatch(message);
            }
            return created;
        }
        // The key was used before: answer the case it made.
        return await connection.QuerySingleAsync<CreatedCase>(new CommandDefinition(
            "select id, number, status, created_at, true as already_existed, null::bigint as outbox_id, resolution_due_at as resolution_due from cases where idempotency_key = @IdempotencyKey",
            args, cancellationToken: cancellationToken));
    }
}
