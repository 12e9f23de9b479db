using System.Globalization;
using System.Text.Json;
using Contact.Core.Cases;
using Contact.Core.Catalog;
using Contact.Core.InformationAndReferral;
using Contact.Core.LifeEvents;
using Contact.Core.Staff;
using Dapper;
using Npgsql;
using Contact.Core.Infrastructure;

namespace Contact.Core.Desktop;

/// <summary>Reads for the agent, provider and supervisor desktops. Every read checks what the member may see.</summary>
public sealed class DesktopQueries(NpgsqlDataSource dataSource, TimeProvider clock)
{
    /// <summary>Every queue, in display order.</summary>
    public static readonly IReadOnlyList<string> QueueCodes = ["311-en", "311-fr", "211-en", "211-fr", "escalations"];

    /// <summary>The queues a member works: their lines × languages; supervisors and admins work every queue.</summary>
    public static IReadOnlyList<string> QueuesOf(StaffMember member) => member.Oversees
        ? QueueCodes
        : member.Role == Roles.Agent
            ? [.. QueueCodes.Where(q => member.Lines.Any(l => member.Languages.Any(g => q == l + "-" + g)))]
            : [];

    internal sealed record QueueRow(
        long Id, string Number, string Line, string Language, string Queue, string CategoryCode, string NameEn, string NameFr,
        string Priority, string Status, string Channel, DateTimeOffset CreatedAt, string? AssignedTo, string? Address,
        DateTimeOffset? FirstResponseDueAt, DateTimeOffset? ResolutionDueAt, DateTimeOffset? FirstResponseWarningAt,
        DateTimeOffset? ResolutionWarningAt, bool Paused, bool Crisis, bool FollowUp, short PriorityRank)
    {
        public QueueItem ToItem() => new(Number, Line, Language, Queue, CategoryCode, new(NameEn, NameFr), Priority, Status, Channel, CreatedAt,
            AssignedTo, Address, FirstResponseDueAt, ResolutionDueAt, FirstResponseWarningAt, ResolutionWarningAt, Paused, Crisis, FollowUp,
            OrderKey(PriorityRank, CreatedAt, Id));
    }

    /// <summary>The order cases are worked in, as SQL over <c>cases c</c>: crisis and priority, then age, then id.</summary>
    internal const string WorkOrder = "c.priority_rank, c.created_at, c.id";

    /// <summary>
    /// <see cref="WorkOrder"/> as text that sorts the same way (ordinal), for the desktop to place a row it is told
    /// of without an order of its own. The rank is shifted past zero (a crisis ranks -1) so every part has its digits.
    /// </summary>
    public static string OrderKey(int priorityRank, DateTimeOffset createdAt, long id) =>
        string.Create(CultureInfo.InvariantCulture, $"{priorityRank + 100:D3}.{createdAt.UtcTicks:D19}.{id:D19}");

    internal const string QueueColumns = """
        c.id, c.number, c.line, c.language, c.queue, k.code as category_code, k.name_en, k.name_fr,
        c.priority, c.status, c.channel, c.created_at, u.user_name as assigned_to, c.address,
        c.first_response_due_at, c.resolution_due_at, c.first_response_warning_at, c.resolution_warning_at,
        c.sla_paused_at is not null as paused, c.crisis,
        c.line = '211' and exists (select 1 from follow_ups f where f.case_id = c.id and f.status in ('due', 'answered_no', 'unanswered')) as follow_up,
        c.priority_rank
        """;

    /// <summary>
    /// The cases waiting that <paramref name="member"/> may work, in <see cref="WorkOrder"/>. Each queue is read in
    /// the order of the live-queue index and the queues merged, so nothing is sorted whole.
    /// </summary>
    public async Task<IReadOnlyList<QueueItem>> QueueAsync(StaffMember member, int limit = 200, CancellationToken cancellationToken = default)
    {
        var queues = QueuesOf(member);
        if (queues.Count == 0)
        {
            return [];
        }
        var args = new DynamicParameters(new { limit });
        var branches = queues.Select((q, i) =>
        {
            args.Add("q" + i, q);
            return $"""
                (select c.id, c.priority_rank from cases c
                 where c.queue = @q{i} and c.assigned_to is null and c.status not in ('resolved', 'closed')
                 order by {WorkOrder} limit @limit)
                """;
        });
        var sql = $"""
            with waiting as (
                select w.id from ({string.Join(" union all ", branches)}) w
                join cases c on c.id = w.id
                order by {WorkOrder} limit @limit)
            select {QueueColumns}
            from waiting w join cases c on c.id = w.id join categories k on k.id = c.category_id
            left join staff_users u on u.id = c.assigned_to
            order by {WorkOrder}
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return [.. (await connection.QueryAsync<QueueRow>(new CommandDefinition(sql, args, cancellationToken: cancellationToken))).Select(r => r.ToItem())];
    }

    /// <summary>The open cases <paramref name="member"/> holds.</summary>
    public async Task<IReadOnlyList<QueueItem>> MineAsync(StaffMember member, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return [.. (await connection.QueryAsync<QueueRow>(new CommandDefinition($"""
            select {QueueColumns}
            from cases c join categories k on k.id = c.category_id left join staff_users u on u.id = c.assigned_to
            where c.assigned_to = @Id and c.status not in ('resolved', 'closed')
            order by {WorkOrder}
            """, new { member.Id }, cancellationToken: cancellationToken))).Select(r => r.ToItem())];
    }

    /// <summary>Cases as queue rows with their ids (for live updates); ids with no case are left out.</summary>
    public async Task<IReadOnlyList<(long Id, QueueItem Item)>> QueueItemsAsync(long[] caseIds, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return [.. (await connection.QueryAsync<QueueRow>(new CommandDefinition($"""
            select {QueueColumns}
            from cases c join categories k on k.id = c.category_id left join staff_users u on u.id = c.assigned_to
            where c.id = any(@caseIds)
            """, new { caseIds }, cancellationToken: cancellationToken))).Select(r => (r.Id, r.ToItem()))];
    }

    /// <summary>Whether a member may see a case: it is in one of their queues, they hold it, or it was referred to their provider.</summary>
    public static bool MaySee(StaffMember member, string queue, int? assignedTo, IEnumerable<int> referredProviders) =>
        member.Oversees
        || QueuesOf(member).Contains(queue)
        || assignedTo == member.Id
        || (member.ProviderId is int p && referredProviders.Contains(p));

    private sealed record DetailRow(
        long Id, string Number, string Line, string Language, string Queue, string Channel, int CategoryId, string CategoryCode,
        string NameEn, string NameFr, string Priority, string Status, string Description, string Answers, string? Address,
        double? Latitude, double? Longitude, string? ResidentName, string? ResidentPhone, string? ResidentEmail, bool NotifyConsent,
        int? AssignedId, string? AssignedTo, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, bool CallerWaiting,
        DateTimeOffset? FirstResponseDueAt, DateTimeOffset? ResolutionDueAt, bool Paused, DateTimeOffset? FirstResponseAt, bool Crisis,
        string? AddressId, DateTimeOffset? FirstResponseWarningAt, DateTimeOffset? ResolutionWarningAt, short PriorityRank, string CategoryKind);

    private sealed record ProviderRow(int Id, string Code, string Level, string NameEn, string NameFr, bool HasAreas, bool? Covers);

    /// <summary>
    /// Everything <paramref name="member"/> may see of a case, with the history in words from <paramref name="describe"/>;
    /// null when there is no such case. Provider users see only cases referred to their provider, without the resident's contact.
    /// </summary>
    public async Task<CaseDetail?> DetailAsync(StaffMember member, string number, Func<CaseEvent, string> describe, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var c = await connection.QuerySingleOrDefaultAsync<DetailRow>(new CommandDefinition("""
            select c.id, c.number, c.line, c.language, c.queue, c.channel, c.category_id, k.code as category_code, k.name_en, k.name_fr,
                   c.priority, c.status, c.description, c.answers::text as answers, c.address, c.latitude, c.longitude,
                   c.resident_name, c.resident_phone, c.resident_email, c.notify_consent, c.assigned_to as assigned_id,
                   u.user_name as assigned_to, c.created_at, c.updated_at,
                   exists (select 1 from calls l where l.case_id = c.id and l.connect_twiml is null
                           and l.status not in ('completed', 'busy', 'failed', 'no-answer', 'canceled', 'connected')) as caller_waiting,
                   c.first_response_due_at, c.resolution_due_at, c.sla_paused_at is not null as paused, c.first_response_at, c.crisis,
                   c.address_id, c.first_response_warning_at, c.resolution_warning_at, c.priority_rank, k.kind as category_kind
            from cases c join categories k on k.id = c.category_id left join staff_users u on u.id = c.assigned_to
            where c.number = @number
            """, new { number }, cancellationToken: cancellationToken));
        if (c is null)
        {
            return null;
        }
        var referrals = await ReferralsAsync(connection, "r.case_id = @Id", new { c.Id }, cancellationToken);
        // A referral waiting for an agent's review has not reached its provider.
        var referredProviders = referrals.Where(r => r.Status != "review").Select(r => r.ProviderId).ToList();
        if (!MaySee(member, c.Queue, c.AssignedId, referredProviders))
        {
            throw new WorkRefusedException("refused.not_yours", $"Case {number} is not in your queues.", number);
        }
        var isProvider = member.Role == Roles.Provider;
        if (Line.Community.Is(c.Line))
        {
            // 211 is about people's circumstances: every look at one is in its history.
            await InformationReferral.RecordViewAsync(connection, c.Id, member.UserName, clock.GetUtcNow(), cancellationToken);
        }

        var events = (await connection.QueryAsync<CaseEvent>(new CommandDefinition(
            "select id, at, kind, actor, is_public, data::text as data from case_events where case_id = @Id order by id",
            new { c.Id }, cancellationToken: cancellationToken))).ToList();
        var history = events
            .Where(e => !isProvider || ProviderMaySee(e, member.ProviderCode))
            .Select(e => new HistoryEntry(e.At, e.Kind, e.Actor, describe(e), e.IsPublic)).ToList();
        // The life event a caller chose on the phone, for the desktop's panel to pick.
        var requested = isProvider ? null : events.LastOrDefault(e => e.Kind == "life_event_requested") is { } asked ? LifeEventOf(asked) : null;

        var duplicates = (await connection.QueryAsync<DuplicateView>(new CommandDefinition("""
            select d.number, d.status, d.address, d.created_at
            from cases d
            where d.category_id = @CategoryId and d.id <> @Id and d.status not in ('resolved', 'closed') and d.duplicate_of is null
              and d.created_at > @since
              and ((@Latitude is not null and d.latitude is not null
                    and sqrt(power((d.latitude - @Latitude) * 111320, 2)
                           + power((d.longitude - @Longitude) * 111320 * cos(radians(@Latitude)), 2)) < 250)
                   or (@Address is not null and lower(d.address) = lower(@Address)))
            order by d.created_at desc
            limit 10
            """, new { c.CategoryId, c.Id, since = clock.GetUtcNow().AddDays(-30), c.Latitude, c.Longitude, c.Address }, cancellationToken: cancellationToken))).ToList();

        var suggestions = (await connection.QueryAsync<ProviderRow>(new CommandDefinition("""
            select p.id, p.code, p.level, p.name_en, p.name_fr,
                   exists (select 1 from provider_service_areas a where a.provider_id = p.id) as has_areas,
                   case when @Longitude is null then null
                        else exists (select 1 from provider_service_areas a where a.provider_id = p.id and a.area @> point(@Longitude, @Latitude))
                   end as covers
            from provider_categories pc join providers p on p.id = pc.provider_id
            where pc.category_id = @CategoryId and p.active
            order by p.level, p.code
            """, new { c.CategoryId, c.Latitude, c.Longitude }, cancellationToken: cancellationToken)))
            .Select(p => new ProviderSuggestion(p.Code, p.Level, new(p.NameEn, p.NameFr), p.HasAreas ? p.Covers : true))
            .Where(p => p.CoversLocation != false)
            .OrderByDescending(p => p.CoversLocation == true)
            .ToList();

        // A life event's provider reads only its own referrals' packets (read with the referrals above).
        var packets = isProvider && c.CategoryKind == "life_event"
            ? [.. referrals.Where(r => r.ProviderId == member.ProviderId && r.Status != "review" && r.Packet is not null)]
            : new List<ReferralRow>();
        var answers = c.CategoryKind != "life_event" ? ReadAnswers(c.Answers, c.CategoryId, await QuestionsAsync(connection, c.CategoryId, cancellationToken))
            : isProvider ? [.. packets.SelectMany(r => r.Packet!.Shared).Distinct(),
                            .. packets.SelectMany(r => r.Packet!.Own.Select(a => a with { Question = new($"{r.CategoryEn} · {a.Question.En}", $"{r.CategoryFr} · {a.Question.Fr}") }))]
            : await LifeEventAnswers.ReadAsync(connection, c.CategoryId, c.Answers, cancellationToken);
        string? Received(string field) => packets.Select(r => r.Packet!.Resident.GetValueOrDefault(field)).FirstOrDefault(v => v is not null);
        var resident = !isProvider ? new ResidentView(c.ResidentName, c.ResidentPhone, c.ResidentEmail, c.Language, c.NotifyConsent)
            : new ResidentView(Received("name"), Received("phone"), Received("email"), c.Language, false);
        return new CaseDetail(
            c.Number, c.Line, c.Language, c.Queue, c.Channel, c.CategoryCode, new(c.NameEn, c.NameFr), c.Priority, c.Status,
            c.Description, answers, c.Address, c.Latitude, c.Longitude,
            resident,
            c.AssignedTo, c.CreatedAt, c.UpdatedAt,
            history,
            isProvider ? [] : duplicates,
            isProvider ? [] : suggestions,
            [.. referrals.Where(r => !isProvider || (r.ProviderId == member.ProviderId && r.Status != "review")).Select(r => r.View)],
            !isProvider && c.CallerWaiting && c.Channel == "phone",
            c.FirstResponseDueAt, c.ResolutionDueAt, c.Paused, c.FirstResponseAt,
            c.Crisis, Line.Community.Is(c.Line) && !isProvider ? await InformationReferral.ReadAsync(connection, c.Id, cancellationToken) : null,
            AddressId: c.AddressId, FirstResponseWarningAt: c.FirstResponseWarningAt, ResolutionWarningAt: c.ResolutionWarningAt,
            Order: OrderKey(c.PriorityRank, c.CreatedAt, c.Id),
            LifeEventRequested: requested);
    }

    /// <summary>
    /// Whether a provider's staff may read a history entry: the public ones, and what concerns their own referral.
    /// Another provider's referral (its notes, its reasons for declining) and the staff's own notes are not theirs.
    /// </summary>
    private static string? LifeEventOf(CaseEvent e)
    {
        using var data = JsonDocument.Parse(e.Data);
        return data.RootElement.TryGetProperty("life_event", out var code) ? code.GetString() : null;
    }

    internal static bool ProviderMaySee(CaseEvent e, string? providerCode)
    {
        if (providerCode is null)
        {
            return false;
        }
        using var doc = JsonDocument.Parse(e.Data);
        var data = doc.RootElement;
        if (e.Kind.StartsWith("referral_", StringComparison.Ordinal))
        {
            return data.ValueKind == JsonValueKind.Object && data.TryGetProperty("provider", out var p) && p.ValueKind == JsonValueKind.String
                && p.GetString() == providerCode;
        }
        if (e.Kind == "referred")
        {
            return data.ValueKind == JsonValueKind.Object && data.TryGetProperty("providers", out var ps) && ps.ValueKind == JsonValueKind.Array
                && ps.EnumerateArray().Any(x => x.ValueKind == JsonValueKind.String && x.GetString() == providerCode);
        }
        return e.IsPublic;
    }

    private sealed record QuestionRow(string Code, string PromptEn, string PromptFr, string Choices);

    private static async Task<IReadOnlyList<QuestionRow>> QuestionsAsync(NpgsqlConnection connection, int categoryId, CancellationToken ct) =>
        [.. await connection.QueryAsync<QuestionRow>(new CommandDefinition(
            "select code, prompt_en, prompt_fr, choices::text as choices from category_questions where category_id = @categoryId order by sort",
            new { categoryId }, cancellationToken: ct))];

    private sealed record ChoiceJson(string Key, string En, string Fr);

    private static List<AnswerView> ReadAnswers(string json, int categoryId, IReadOnlyList<QuestionRow> questions)
    {
        using var doc = JsonDocument.Parse(json);
        var result = new List<AnswerView>();
        foreach (var q in questions)
        {
            if (!doc.RootElement.TryGetProperty(q.Code, out var value))
            {
                continue;
            }
            var choices = (JsonSerializer.Deserialize<ChoiceJson[]>(q.Choices, CatalogStore.JsonOptions) ?? []).ToDictionary(x => x.Key);
            string Name(string key) => choices.TryGetValue(key, out var ch) ? ch.En + " / " + ch.Fr : key;
            var text = value.ValueKind == JsonValueKind.Array
                ? string.Join(", ", value.EnumerateArray().Select(v => Name(v.GetString() ?? "")))
                : Name(value.GetString() ?? "");
            result.Add(new AnswerView(new(q.PromptEn, q.PromptFr), text));
        }
        _ = categoryId;
        return result;
    }

    internal sealed record ReferralRow(
        long Id, int ProviderId, string CaseNumber, string Provider, string ProviderEn, string ProviderFr, string Status, string Note,
        string ResponseNote, string ReferredBy, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string Category, string CategoryEn,
        string CategoryFr, string? Address, string Description, string Priority, string? PacketJson, DateTimeOffset? DueAt)
    {
        /// <summary>A life event referral's packet, in words: what its provider receives.</summary>
        public LifeEventAnswers.Packet? Packet { get; set; }

        public ReferralView View => new(Id, CaseNumber, Provider, new(ProviderEn, ProviderFr), Status, Note, ResponseNote, ReferredBy,
            CreatedAt, UpdatedAt, Category, new(CategoryEn, CategoryFr), Address, Description, Priority, Packet?.Lines, DueAt);
    }

    internal static async Task<IReadOnlyList<ReferralRow>> ReferralsAsync(NpgsqlConnection connection, string where, object args, CancellationToken ct, NpgsqlTransaction? tx = null)
    {
        var rows = (await connection.QueryAsync<ReferralRow>(new CommandDefinition($"""
            select r.id, r.provider_id, c.number as case_number, p.code as provider, p.name_en as provider_en, p.name_fr as provider_fr,
                   r.status, r.note, r.response_note, r.referred_by, r.created_at, r.updated_at,
                   k.code as category, k.name_en as category_en, k.name_fr as category_fr, c.address, c.description, c.priority,
                   r.packet::text as packet_json, r.due_at
            from referrals r join cases c on c.id = r.case_id join providers p on p.id = r.provider_id
            join categories k on k.id = coalesce(r.category_id, c.category_id)
            where {where}
            order by r.status = 'completed', r.status = 'declined', r.updated_at desc
            """, args, tx, cancellationToken: ct))).ToList();
        var packets = rows.Where(r => r.PacketJson is not null).ToList();
        if (packets.Count > 0)
        {
            var lines = await LifeEventAnswers.PacketsAsync(connection, [.. packets.Select(r => r.PacketJson!)], ct, tx);
            for (var i = 0; i < packets.Count; i++)
            {
                packets[i].Packet = lines[i];
            }
        }
        return rows;
    }

    /// <summary>The referrals sent to a provider user's provider, open ones first.</summary>
    public async Task<IReadOnlyList<ReferralView>> ReferralsForAsync(StaffMember member, CancellationToken cancellationToken = default)
    {
        if (member.ProviderId is not int providerId)
        {
            return [];
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return [.. (await ReferralsAsync(connection, "r.provider_id = @providerId and r.status <> 'review'", new { providerId }, cancellationToken)).Take(500).Select(r => r.View)];
    }

    /// <summary>The referrals with these ids (those that exist), each with the provider it went to.</summary>
    public async Task<IReadOnlyList<(ReferralView View, int ProviderId)>> ReferralsAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return [.. (await ReferralsAsync(connection, "r.id = any(@ids)", new { ids = ids.ToArray() }, cancellationToken)).Select(r => (r.View, r.ProviderId))];
    }

    /// <summary>One referral with the provider it went to, or null.</summary>
    public async Task<(ReferralView View, int ProviderId)?> ReferralAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = (await ReferralsAsync(connection, "r.id = @id", new { id }, cancellationToken)).SingleOrDefault();
        return row is null ? null : (row.View, row.ProviderId);
    }

    /// <summary>Categories, queues and providers the desktop's menus offer.</summary>
    public async Task<(IReadOnlyList<QueueInfo> Queues, IReadOnlyList<(string Code, string Level, LocalText Name)> Providers)> MenusAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var queues = (await connection.QueryAsync<(string Code, string NameEn, string NameFr)>(new CommandDefinition(
            "select code, name_en, name_fr from queues order by sort", cancellationToken: cancellationToken)))
            .Select(q => new QueueInfo(q.Code, new(q.NameEn, q.NameFr))).ToList();
        var providers = (await connection.QueryAsync<(string Code, string Level, string NameEn, string NameFr)>(new CommandDefinition(
            "select code, level, name_en, name_fr from providers where active order by level, code", cancellationToken: cancellationToken)))
            .Select(p => (p.Code, p.Level, new LocalText(p.NameEn, p.NameFr))).ToList();
        return (queues, providers);
    }

    private sealed record AtRiskRow(
        string Number, string Queue, string NameEn, string NameFr, string? AssignedTo, DateTimeOffset ResolutionDueAt, bool Overdue, double MinutesOver);

    private sealed record ComplianceDbRow(string Kind, string Key, string NameEn, string NameFr, int Resolved, int OnTime);

    /// <summary>
    /// Queues, staff, today's volumes, the open cases past their resolution's warning time (its policy's warning
    /// percent of the target) or its due time (at most 100, most
    /// overdue first; paused cases left out) and today's compliance by queue, category and provider, for supervisors.
    /// "Today" is in <paramref name="zone"/>; a case resolved today is on time when its last resolution today came by
    /// its resolution due time.
    /// </summary>
    public async Task<SupervisorView> SupervisorAsync(TimeZoneInfo zone, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var startOfDay = new DateTimeOffset(local.Date, zone.GetUtcOffset(local.Date)).ToUniversalTime();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        using var grid = await connection.QueryMultipleAsync(new CommandDefinition("""
            select q.code, q.name_en, q.name_fr, count(c.id)::int as waiting,
                   coalesce(extract(epoch from (@now - min(c.created_at))), 0)::float8 as longest_wait_seconds
            from queues q left join cases c on c.queue = q.code and c.assigned_to is null and c.status not in ('resolved', 'closed')
            group by q.code, q.name_en, q.name_fr, q.sort order by q.sort;

            select u.user_name, u.display_name, u.role, u.state,
                   array(select c.number from cases c where c.assigned_to = u.id and c.status not in ('resolved', 'closed') order by c.claimed_at) as current_cases
            from staff_users u where u.active and u.role <> 'provider' order by u.role, u.user_name;

            select channel, count(*)::int as count from cases where created_at >= @startOfDay group by channel order by channel;

            select c.number, c.queue, k.name_en, k.name_fr, u.user_name as assigned_to, c.resolution_due_at,
                   c.resolution_due_at <= @now as overdue,
                   (extract(epoch from (@now - c.resolution_due_at)) / 60)::float8 as minutes_over
            from cases c join categories k on k.id = c.category_id left join staff_users u on u.id = c.assigned_to
            where c.status not in ('resolved', 'closed') and c.resolution_due_at is not null and c.sla_paused_at is null
              and (c.resolution_warning_at <= @now or c.resolution_due_at <= @now)
            order by c.resolution_due_at, c.id
            limit 100;

            with resolved as (
                select e.case_id, max(e.at) as at from case_events e
                where e.kind = 'resolved' and e.at >= @startOfDay
                group by e.case_id
            ), done as (
                select c.id, c.queue, c.category_id, r.at <= c.resolution_due_at as on_time
                from resolved r join cases c on c.id = r.case_id
                where c.resolution_due_at is not null and c.status in ('resolved', 'closed')
            )
            select kind, key, name_en, name_fr, resolved, on_time from (
                select 1 as kind_rank, q.sort as sort, 'queue' as kind, q.code as key, q.name_en, q.name_fr,
                       count(*)::int as resolved, (count(*) filter (where d.on_time))::int as on_time
                from done d join queues q on q.code = d.queue
                group by q.code, q.name_en, q.name_fr, q.sort
                union all
                select 2, 0, 'category', k.code, k.name_en, k.name_fr, count(*)::int, (count(*) filter (where d.on_time))::int
                from done d join categories k on k.id = d.category_id
                group by k.code, k.name_en, k.name_fr
                union all
                select 3, 0, 'provider', p.code, p.name_en, p.name_fr, count(*)::int, (count(*) filter (where d.on_time))::int
                from done d join (select distinct case_id, provider_id from referrals) f on f.case_id = d.id
                join providers p on p.id = f.provider_id
                group by p.code, p.name_en, p.name_fr
            ) rows
            order by kind_rank, sort, key;
            """, new { now, startOfDay }, cancellationToken: cancellationToken));
        var queues = (await grid.ReadAsync<(string Code, string NameEn, string NameFr, int Waiting, double LongestWaitSeconds)>())
            .Select(q => new QueueLoad(q.Code, new(q.NameEn, q.NameFr), q.Waiting, q.LongestWaitSeconds)).ToList();
        var agents = (await grid.ReadAsync<(string UserName, string DisplayName, string Role, string State, string[] CurrentCases)>())
            .Select(a => new AgentStatus(a.UserName, a.DisplayName, a.Role, a.State, a.CurrentCases)).ToList();
        var volumes = (await grid.ReadAsync<(string Channel, int Count)>()).Select(v => new ChannelVolume(v.Channel, v.Count)).ToList();
        var atRisk = (await grid.ReadAsync<AtRiskRow>())
            .Select(a => new SlaCaseView(a.Number, a.Queue, new(a.NameEn, a.NameFr), a.AssignedTo, a.ResolutionDueAt, a.Overdue, a.MinutesOver)).ToList();
        var compliance = (await grid.ReadAsync<ComplianceDbRow>())
            .Select(r => new ComplianceRow(r.Kind, r.Key, new(r.NameEn, r.NameFr), r.Resolved, r.OnTime)).ToList();
        return new SupervisorView(queues, agents, volumes, atRisk, compliance);
    }
}
