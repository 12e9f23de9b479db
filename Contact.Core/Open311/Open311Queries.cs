using Dapper;
using Npgsql;

namespace Contact.Core.Open311;

/// <summary>A case as Open311 shows it: what and where, never who.</summary>
public sealed record Open311Request(
    long Id, string Number, string Status, string ServiceCode, string NameEn, string NameFr, string Description,
    string? Address, string? AddressId, double? Latitude, double? Longitude, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    DateTimeOffset? ExpectedAt, string Channel, string? DuplicateOf, string[] ProviderCodes, string[] AgenciesEn, string[] AgenciesFr,
    string? StatusNote, string? MediaUrl);

/// <summary>One public entry of a request's history.</summary>
public sealed record Open311Note(long CaseId, DateTimeOffset At, string Kind, string Data);

/// <summary>Which requests GET requests asks for: categories, a window of requested_datetime, statuses, one page.</summary>
/// <param name="CategoryIds">Public categories only.</param>
/// <param name="Start">Earliest requested_datetime, inclusive.</param>
/// <param name="End">Latest requested_datetime, inclusive.</param>
/// <param name="Statuses">Case statuses to include; empty for all.</param>
/// <param name="Limit">Page size.</param>
/// <param name="Offset">Rows before the page.</param>
public sealed record Open311Filter(int[] CategoryIds, DateTimeOffset Start, DateTimeOffset End, string[] Statuses, int Limit, int Offset);

/// <summary>
/// Reads requests for Open311. Every statement shows only 311 cases in public categories and selects no
/// resident name, phone, email, device or account id: privacy is in the SQL, not left to the callers.
/// </summary>
public sealed class Open311Queries(NpgsqlDataSource dataSource)
{
    /// <summary>Case statuses Open311 calls open.</summary>
    public static readonly string[] OpenStatuses = ["new", "in_progress", "waiting_on_resident", "referred"];

    /// <summary>
    /// The history entries whose note is written for the resident (a status change's note). Other public entries
    /// (a referral's note to the provider) show as an event, never with their note.
    /// </summary>
    public static readonly IReadOnlySet<string> StatusNoteKinds = new HashSet<string>(StringComparer.Ordinal) { "waiting_on_resident", "resolved", "closed" };

    /// <summary>Case statuses Open311 calls closed.</summary>
    public static readonly string[] ClosedStatuses = ["resolved", "closed"];

    // The page is chosen from the index alone (category and requested time, newest first); only its rows are
    // then joined to their category, referrals, last public note and photo.
    private const string Details = """
        select c.id, c.number, c.status, k.code as service_code, k.name_en, k.name_fr, c.description,
               c.address, c.address_id, c.latitude, c.longitude, c.created_at, c.updated_at,
               case when c.sla_paused_at is null and c.status not in ('resolved', 'closed') then c.resolution_due_at end as expected_at,
               c.channel,
               (select d.number from cases d join categories dk on dk.id = d.category_id
                where d.id = c.duplicate_of and d.line = '311' and dk.is_public) as duplicate_of,
               coalesce(a.provider_codes, '{}') as provider_codes, coalesce(a.agencies_en, '{}') as agencies_en,
               coalesce(a.agencies_fr, '{}') as agencies_fr,
               (select e.data ->> 'note' from case_events e
                where e.case_id = c.id and e.is_public and e.kind in ('waiting_on_resident', 'resolved', 'closed')
                  and coalesce(e.data ->> 'note', '') <> ''
                order by e.id desc limit 1) as status_note,
               (select m.url from case_media m where m.case_id = c.id and m.kind = 'photo' order by m.id limit 1) as media_url
        from page join cases c on c.id = page.id join categories k on k.id = c.category_id
        -- The providers it was referred to (and not declined by), in the order they were first referred to.
        left join lateral (
            select array_agg(p.code order by r.first) as provider_codes, array_agg(p.name_en order by r.first) as agencies_en,
                   array_agg(p.name_fr order by r.first) as agencies_fr
            from (select provider_id, min(id) as first from referrals
                  where case_id = c.id and status <> 'declined' group by provider_id) r
            join providers p on p.id = r.provider_id
        ) a on true
        where c.line = '311' and k.is_public
        order by page.created_at desc, page.id desc
        """;

    /// <summary>GET requests: one page of public requests by category, window and status, newest first.</summary>
    public const string RequestsSql = """
        with page as (
            select c.id, c.created_at from cases c
            where c.category_id = any(@CategoryIds) and c.created_at between @Start and @End
              and (cardinality(@Statuses) = 0 or c.status = any(@Statuses))
            order by c.created_at desc, c.id desc
            limit @Limit offset @Offset
        )
        """ + Details;

    private const string ByNumberSql = """
        with page as (select c.id, c.created_at from cases c where c.number = any(@numbers))
        """ + Details;

    /// <summary>One page of public requests matching <paramref name="filter"/>, newest first.</summary>
    public async Task<IReadOnlyList<Open311Request>> ListAsync(Open311Filter filter, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<Open311Request>(new CommandDefinition(RequestsSql, new
        {
            filter.CategoryIds,
            Start = filter.Start.ToUniversalTime(),
            End = filter.End.ToUniversalTime(),
            filter.Statuses,
            filter.Limit,
            filter.Offset,
        }, cancellationToken: cancellationToken));
        return [.. rows];
    }

    /// <summary>The public requests among these case numbers (unknown and private ones are left out), newest first.</summary>
    public async Task<IReadOnlyList<Open311Request>> FindAsync(IReadOnlyCollection<string> numbers, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<Open311Request>(new CommandDefinition(ByNumberSql, new { numbers = numbers.ToArray() }, cancellationToken: cancellationToken));
        return [.. rows];
    }

    /// <summary>The number of the public request filed with this Open311 token, or null.</summary>
    public async Task<string?> NumberForTokenAsync(string token, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition("""
            select c.number from cases c join categories k on k.id = c.category_id
            where c.open311_token = @token and c.line = '311' and k.is_public
            """, new { token }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// The public history of these requests, oldest first per request. A merge into a case Open311 does not show
    /// (a private category) keeps its entry but loses the other case's number, as <c>duplicate_of</c> does.
    /// </summary>
    public async Task<ILookup<long, Open311Note>> NotesAsync(IReadOnlyCollection<long> caseIds, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<Open311Note>(new CommandDefinition("""
            select e.case_id, e.at, e.kind,
                   case when e.kind = 'merged' and not exists (
                            select 1 from cases d join categories dk on dk.id = d.category_id
                            where d.number = e.data ->> 'into' and d.line = '311' and dk.is_public)
                        then (e.data - 'into')::text
                        else e.data::text end as data
            from case_events e
            where e.case_id = any(@ids) and e.is_public
            order by e.case_id, e.id
            """, new { ids = caseIds.ToArray() }, cancellationToken: cancellationToken));
        return rows.ToLookup(n => n.CaseId);
    }

    /// <summary>
    /// Every public 311 category by code, retired ones included: a request stays open data after its category is
    /// withdrawn from the catalog.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, int>> PublicCategoriesAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Code, int Id)>(new CommandDefinition(
            "select code, id from categories where line = '311' and is_public", cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.Code, r => r.Id, StringComparer.Ordinal);
    }

    /// <summary>When the catalog last changed (discovery's changeset): the latest catalog import or migration.</summary>
    public async Task<DateTimeOffset> CatalogChangedAtAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<DateTimeOffset>(new CommandDefinition("""
            select greatest((select max(applied_at) from seed_state), (select max(applied_at) from schema_migrations))
            """, cancellationToken: cancellationToken));
    }
}
