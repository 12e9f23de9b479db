using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Contact.Core.Infrastructure;
using Dapper;
using Npgsql;

namespace Contact.Core.ResourceDirectory;

/// <summary>What someone needs and where: every field optional and combined with AND.</summary>
/// <param name="Terms">Taxonomy codes, e.g. "BD-1800"; a term finds its children ("BD-1800.2000"). Service codes
/// are alternatives (any of them); target-population Y-codes narrow further (any of them, and a service code).</param>
/// <param name="Text">Free text, PostgreSQL full-text search in English and French.</param>
/// <param name="Language">en | fr: the language the results are shown in.</param>
/// <param name="Latitude">A point ...</param>
/// <param name="Longitude">... with its longitude.</param>
/// <param name="PostalCode">... or a postal code (full "K1P 1J1" or FSA "K1P"), located by its FSA centroid.</param>
/// <param name="WithinKm">A radius around the point, when given.</param>
/// <param name="OpenNow">Only services with a schedule open at the clock's now.</param>
/// <param name="ServiceLanguage">Only services offered in this language (ISO 639-1 "fr", or HSDS language name).</param>
/// <param name="Age">Only services whose minimum_age/maximum_age admit this age.</param>
/// <param name="Offset">Hits to skip.</param>
/// <param name="Limit">Hits to return.</param>
/// <param name="BeyondKm">Only services at a place farther than this from the point (a ring, with <paramref name="WithinKm"/>);
/// services without a place are then left out (a search of the inner circle has them).</param>
public sealed record DirectoryQuery(
    IReadOnlyList<string>? Terms = null,
    string? Text = null,
    string Language = "en",
    double? Latitude = null,
    double? Longitude = null,
    string? PostalCode = null,
    double? WithinKm = null,
    bool OpenNow = false,
    string? ServiceLanguage = null,
    int? Age = null,
    int Offset = 0,
    int Limit = 10,
    double? BeyondKm = null);

/// <summary>One service at one location (a service with no location is one hit with null location fields).</summary>
/// <param name="ServiceId">The service's HSDS id.</param>
/// <param name="LocationId">The location's HSDS id, if any.</param>
/// <param name="ServiceAtLocationId">The service-at-location's HSDS id, if any.</param>
/// <param name="ServiceName">In the requested language when the directory has it.</param>
/// <param name="OrganizationName">In the requested language when the directory has it.</param>
/// <param name="Description">In the requested language when the directory has it.</param>
/// <param name="LocationName">The location's name.</param>
/// <param name="Address">The location's physical (else first) address on one line.</param>
/// <param name="PostalCode">That address's postal code.</param>
/// <param name="Latitude">The location's latitude.</param>
/// <param name="Longitude">The location's longitude.</param>
/// <param name="DistanceKm">From the query's point, when it had one.</param>
/// <param name="Phone">The service-at-location's, else the service's, else the location's, else the organization's first phone.</param>
/// <param name="Hours">Opening hours as short text in the requested language, e.g. "Mon–Fri 9:00–17:00".</param>
/// <param name="OpenNow">Whether a schedule is open at the clock's now; null when the service has no schedule.</param>
/// <param name="Eligibility">Eligibility description.</param>
/// <param name="Fees">Fees description.</param>
/// <param name="ApplicationProcess">How to apply.</param>
/// <param name="TaxonomyCodes">The service's taxonomy codes.</param>
/// <param name="Languages">The languages the service is offered in (ISO codes where given, else names).</param>
/// <param name="Rank">Fit: one per requested term group matched, plus the text's rank (0–1).</param>
public sealed record DirectoryHit(
    string ServiceId, string? LocationId, string? ServiceAtLocationId,
    string ServiceName, string OrganizationName, string Description,
    string? LocationName, string? Address, string? PostalCode, double? Latitude, double? Longitude,
    double? DistanceKm, string? Phone, string? Hours, bool? OpenNow,
    string? Eligibility, string? Fees, string? ApplicationProcess,
    IReadOnlyList<string> TaxonomyCodes, IReadOnlyList<string> Languages, double Rank);

/// <summary>The answer: the hits (best first: fit, then distance), whether more exist, and why nothing
/// was searched (e.g. an unknown postal code) when that happens.</summary>
/// <param name="Hits">This page of hits.</param>
/// <param name="More">Whether hits exist past this page.</param>
/// <param name="Problem">postal_code.unknown or postal_code.invalid when nothing was searched.</param>
public sealed record DirectoryResult(IReadOnlyList<DirectoryHit> Hits, bool More, string? Problem);

/// <summary>Where a nearby search stands: the ring it reached (0 is the nearest) and how many of that ring's hits were
/// listed. A new search starts at (0, 0); the next page starts where the last hit listed left it.</summary>
/// <param name="Ring">The ring: 0 within the first radius of <see cref="DirectorySearch.NearbyRingsKm"/>, 1 between the first
/// and the second, and so on; the last ends at the last radius.</param>
/// <param name="Offset">Hits of that ring already listed.</param>
public sealed record NearbyCursor(int Ring, int Offset)
{
    /// <summary>The start of a search.</summary>
    public static NearbyCursor Start { get; } = new(0, 0);
}

/// <summary>A page of a nearby search.</summary>
/// <param name="Hits">This page's hits, nearest ring first.</param>
/// <param name="After">For each hit, where the search stands once the hits up to it were listed.</param>
/// <param name="More">Whether hits exist past this page (in this ring or a wider one).</param>
/// <param name="Problem">postal_code.unknown or postal_code.invalid when nothing was searched.</param>
public sealed record NearbyPage(IReadOnlyList<DirectoryHit> Hits, IReadOnlyList<NearbyCursor> After, bool More, string? Problem)
{
    /// <summary>Where the search stands after the first <paramref name="listed"/> hits; <paramref name="from"/> when none.</summary>
    public NearbyCursor Next(int listed, NearbyCursor from) => listed <= 0 ? from : After[Math.Min(listed, After.Count) - 1];
}

/// <summary>A taxonomy term for a needs picker.</summary>
/// <param name="Code">Its code, e.g. BD-1800.2000.</param>
/// <param name="Name">Its name in the requested language when the directory has it.</param>
/// <param name="ParentCode">Its parent's code, if any.</param>
public sealed record TaxonomyTermView(string Code, string Name, string? ParentCode);

/// <summary>
/// Searches the resource directory in the database: taxonomy terms with their descendants, full-text
/// in English and French, distance from a point or postal code, open now, language, age.
/// </summary>
/// <param name="dataSource">The case store's database.</param>
/// <param name="clock">Now, for "open now".</param>
/// <param name="timeZone">The zone schedules are read in (setting Directory:TimeZone); America/Toronto when null.</param>
public sealed partial class DirectorySearch(NpgsqlDataSource dataSource, TimeProvider clock, string? timeZone = null)
{
    /// <summary>The time zone used when Directory:TimeZone is not set.</summary>
    public const string DefaultTimeZone = "America/Toronto";

    /// <summary>The most hits one search returns.</summary>
    public const int MaxLimit = 100;

    private const double EarthRadiusKm = 6371.0088;
    private const double KmPerDegree = 111.195;

    private readonly TimeZoneInfo _zone = TimeZoneInfo.TryFindSystemTimeZoneById(string.IsNullOrWhiteSpace(timeZone) ? DefaultTimeZone : timeZone, out var zone)
        ? zone
        : throw new ArgumentException($"Directory:TimeZone '{timeZone}' is not a time zone this system knows (e.g. America/Toronto).", nameof(timeZone));

    /// <summary>The directory's time zone.</summary>
    public TimeZoneInfo Zone => _zone;

    /// <summary>Now on the directory's wall clock (what "open now" is evaluated at).</summary>
    public DateTime LocalNow() => TimeZoneInfo.ConvertTime(clock.GetUtcNow(), _zone).DateTime;

    /// <summary>Searches: the query's fields combined with AND, best fit first, then nearest.</summary>
    public async Task<DirectoryResult> SearchAsync(DirectoryQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var latitude = query.Latitude;
        var longitude = query.Longitude;
        if ((latitude is null || longitude is null) && !string.IsNullOrWhiteSpace(query.PostalCode))
        {
            if (Fsa(query.PostalCode) is null)
            {
                return new DirectoryResult([], false, "postal_code.invalid");
            }
            var located = await LocatePostalCodeAsync(query.PostalCode, cancellationToken);
            if (located is null)
            {
                return new DirectoryResult([], false, "postal_code.unknown");
            }
            (latitude, longitude) = located.Value;
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var (rows, more) = await RowsAsync(connection, query with { Latitude = latitude, Longitude = longitude }, cancellationToken);
        return new DirectoryResult(await ToHitsAsync(connection, rows, query.Language, cancellationToken), more, null);
    }

    /// <summary>A page's rows (without their hours) and whether more exist.</summary>
    private async Task<(List<HitRow> Rows, bool More)> RowsAsync(NpgsqlConnection connection, DirectoryQuery query, CancellationToken cancellationToken)
    {
        var plan = Plan(query, LocalNow());
        var rows = (await connection.QueryAsync<HitRow>(new CommandDefinition(plan.Sql, plan.Parameters, cancellationToken: cancellationToken))).AsList();
        var more = rows.Count > Math.Clamp(query.Limit, 1, MaxLimit);
        if (more)
        {
            rows.RemoveAt(rows.Count - 1);
        }
        return (rows, more);
    }

    /// <summary>The radii a nearby search widens through, in km; it lists nothing past the last one.</summary>
    public static IReadOnlyList<double> NearbyRingsKm { get; } = [5, 15, 50];

    /// <summary>
    /// A bounded search around the query's point or postal code, for self-serve: the services within 5 km first (the
    /// services without a place that serve the point among them), then, only when those do not fill the page, the ones
    /// from 5 to 15 km, then from 15 to 50 km, and none farther: a service hours away is not "near" anyone (a postal code
    /// far from every service gets no hits, which the caller says plainly). Each ring is ranked as <see cref="SearchAsync"/>
    /// ranks; the query's radius and offset are not used: <paramref name="from"/> says where the previous page ended.
    /// </summary>
    public async Task<NearbyPage> SearchNearbyAsync(DirectoryQuery query, NearbyCursor from, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(from);
        // One connection for the whole page: the postal area, each ring's statement, and the page's hours once.
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var located = query with { WithinKm = null, BeyondKm = null, Offset = 0 };
        if ((query.Latitude is null || query.Longitude is null) && !string.IsNullOrWhiteSpace(query.PostalCode))
        {
            if (Fsa(query.PostalCode) is not { } fsa)
            {
                return new NearbyPage([], [], false, "postal_code.invalid");
            }
            if (await LocateAsync(connection, fsa, cancellationToken) is not { } point)
            {
                return new NearbyPage([], [], false, "postal_code.unknown");
            }
            located = located with { Latitude = point.Latitude, Longitude = point.Longitude };
        }
        if (located.Latitude is null || located.Longitude is null)
        {
            throw new ArgumentException("A nearby search needs a point or a postal code.", nameof(query));
        }
        DirectoryQuery Ring(int ring) => located with
        {
            WithinKm = NearbyRingsKm[ring],
            BeyondKm = ring > 0 ? NearbyRingsKm[ring - 1] : null,
        };

        var limit = Math.Clamp(query.Limit, 1, MaxLimit);
        var rows = new List<HitRow>();
        var after = new List<NearbyCursor>();
        var more = false;
        var (current, offset) = (Math.Clamp(from.Ring, 0, NearbyRingsKm.Count - 1), Math.Max(0, from.Offset));
        while (true)
        {
            var (ringRows, ringMore) = await RowsAsync(connection, Ring(current) with { Offset = offset, Limit = limit - rows.Count }, cancellationToken);
            for (var i = 0; i < ringRows.Count; i++)
            {
                rows.Add(ringRows[i]);
                after.Add(new NearbyCursor(current, offset + i + 1));
            }
            if (ringMore)
            {
                more = true;
                break;
            }
            if (current == NearbyRingsKm.Count - 1)
            {
                break;
            }
            if (rows.Count == limit)
            {
                // The page is full and this ring has no more: whether a wider ring has any tells MORE.
                for (var next = current + 1; next < NearbyRingsKm.Count && !more; next++)
                {
                    more = (await RowsAsync(connection, Ring(next) with { Offset = 0, Limit = 1 }, cancellationToken)).Rows.Count > 0;
                }
                break;
            }
            (current, offset) = (current + 1, 0);
        }
        return new NearbyPage(await ToHitsAsync(connection, rows, query.Language, cancellationToken), after, more, null);
    }

    /// <summary>The SQL a query runs and its parameters (what <see cref="SearchAsync"/> executes, for benchmarks and plans).</summary>
    public (string Sql, DynamicParameters Parameters) Plan(DirectoryQuery query, DateTime localNow) =>
        Plan(query, localNow, ServiceScope.Active);

    /// <summary>
    /// The SQL a query runs over the services of <paramref name="scope"/>: the same parts (terms, text, point,
    /// filters, ranking, the page, the projection) whichever services they look at.
    /// </summary>
    public (string Sql, DynamicParameters Parameters) Plan(DirectoryQuery query, DateTime localNow, ServiceScope scope)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(scope);
        var p = new DynamicParameters();
        var fr = Language.French.Is(query.Language);
        p.Add("fr", fr);
        p.Add("offset", Math.Max(0, query.Offset));
        p.Add("take", Math.Clamp(query.Limit, 1, MaxLimit) + 1);

        var ctes = new List<string>();
        var joins = new StringBuilder();
        var where = new StringBuilder(scope.Filter(p));
        var rank = new List<string>();

        var codes = (query.Terms ?? []).Select(t => t.Trim().ToUpperInvariant()).Where(t => t.Length > 0).Distinct(StringComparer.Ordinal).ToArray();
        if (codes.Length > 0)
        {
            // Service codes are alternatives; target populations (Y-codes) narrow them further.
            var needs = codes.Where(c => !c.StartsWith('Y')).ToArray();
            var populations = codes.Where(c => c.StartsWith('Y')).ToArray();
            p.Add("need_codes", needs);
            p.Add("population_codes", populations);
            p.Add("kinds", (needs.Length > 0 ? 1 : 0) + (populations.Length > 0 ? 1 : 0));
            ctes.Add("""
                wanted (id, root, kind) as (
                    select t.id, q.code, case when starts_with(q.code, 'Y') then 'population' else 'need' end
                    from directory.taxonomy_terms t
                    join unnest(@need_codes || @population_codes) as q (code)
                      on t.code = q.code or starts_with(t.code, q.code || '.') or starts_with(t.code, q.code || '-')
                    union
                    select c.id, w.root, w.kind
                    from directory.taxonomy_terms c join wanted w on c.parent_id = w.id
                )
                """);
            if (query.WithinKm is not null && query.Latitude is not null && query.Longitude is not null)
            {
                // A radius is the narrower filter: each service near the point is checked for the terms (one
                // semi-join per kind of term), and its fit counted only once it passed every filter.
                foreach (var (kind, codesOfKind) in new[] { ("need", needs), ("population", populations) })
                {
                    if (codesOfKind.Length > 0)
                    {
                        where.Append(CultureInfo.InvariantCulture, $"""
                             and exists (select 1 from directory.attributes a join wanted w on w.id = a.taxonomy_term_id
                                         where a.link_id = s.id and a.link_entity = 'service' and w.kind = '{kind}')
                            """);
                    }
                }
                rank.Add("""
                    select count(distinct w.root) from directory.attributes a join wanted w on w.id = a.taxonomy_term_id
                    where a.link_id = s.id and a.link_entity = 'service'
                    """);
            }
            else
            {
                // Otherwise the terms are: their services are gathered from the attributes' term index.
                ctes.Add("""
                    need as (
                        select a.link_id as service_id, count(distinct w.root) as fit
                        from wanted w
                        join directory.attributes a on a.taxonomy_term_id = w.id and a.link_entity = 'service'
                        group by a.link_id
                        having count(distinct w.kind) = @kinds
                    )
                    """);
                joins.Append(" join need n on n.service_id = s.id");
                rank.Add("n.fit");
            }
        }

        if (!string.IsNullOrWhiteSpace(query.Text))
        {
            p.Add("text", query.Text.Trim());
            ctes.Add("""
                words as (select websearch_to_tsquery('directory.en', @text) as en, websearch_to_tsquery('directory.fr', @text) as fr)
                """);
            joins.Append(" cross join words");
            where.Append(" and (s.search_en @@ words.en or s.search_fr @@ words.fr)");
            // The shown language's match counts a little more than the other's.
            rank.Add("""
                round(greatest(ts_rank(s.search_en, words.en, 32) * case when @fr then 0.9 else 1 end,
                               ts_rank(s.search_fr, words.fr, 32) * case when @fr then 1 else 0.9 end)::numeric, 1)
                """);
        }

        var distance = "null::double precision";
        var located = new StringBuilder(" and l.latitude is not null and l.longitude is not null");
        var point = query.Latitude is not null && query.Longitude is not null;
        if (query.Latitude is { } lat && query.Longitude is { } lon)
        {
            p.Add("lat", lat);
            p.Add("lon", lon);
            distance = $"""
                {EarthRadiusKm.ToString(CultureInfo.InvariantCulture)} * 2 * asin(sqrt(least(1,
                    power(sin(radians(l.latitude - @lat) / 2), 2)
                    + cos(radians(@lat)) * cos(radians(l.latitude)) * power(sin(radians(l.longitude - @lon) / 2), 2))))
                """;
            if (query.WithinKm is { } km)
            {
                // A box a little larger than the circle, for the GiST index; the exact distance decides.
                var dLat = km / KmPerDegree * 1.01;
                var dLon = km / (KmPerDegree * Math.Max(0.01, Math.Cos(lat * Math.PI / 180))) * 1.01;
                p.Add("min_lon", lon - dLon);
                p.Add("min_lat", lat - dLat);
                p.Add("max_lon", lon + dLon);
                p.Add("max_lat", lat + dLat);
                p.Add("km", km);
                located.Append(" and point(l.longitude, l.latitude) <@ box(point(@min_lon, @min_lat), point(@max_lon, @max_lat))")
                       .Append(CultureInfo.InvariantCulture, $" and ({distance}) <= @km");
            }
            if (query.BeyondKm is { } beyond)
            {
                p.Add("beyond_km", beyond);
                located.Append(CultureInfo.InvariantCulture, $" and ({distance}) > @beyond_km");
            }
        }

        if (query.OpenNow)
        {
            p.Add("now_local", localNow);
            where.Append("""
                 and exists (
                    select 1 from directory.schedules sc
                    where (sc.service_at_location_id = sal.id or (sc.service_id = s.id and sc.service_at_location_id is null))
                      and directory.schedule_open(sc.freq, sc.byday, sc.bymonthday, sc.interval, sc.dtstart, sc.valid_from,
                                                  sc.valid_to, sc.until, sc.opens_at, sc.closes_at, @now_local))
                """);
        }
        p.Add("at_local", localNow);

        if (!string.IsNullOrWhiteSpace(query.ServiceLanguage))
        {
            p.Add("service_language", query.ServiceLanguage.Trim());
            where.Append("""
                 and exists (
                    select 1 from directory.languages lg
                    where lg.service_id = s.id and (lower(lg.code) = lower(@service_language) or lower(lg.name) = lower(@service_language)))
                """);
        }

        if (query.Age is { } age)
        {
            p.Add("age", age);
            where.Append(" and (s.minimum_age is null or s.minimum_age <= @age) and (s.maximum_age is null or s.maximum_age >= @age)");
        }

        var with = ctes.Count == 0 ? "" : "with recursive " + string.Join(",\n", ctes);
        var rankSql = rank.Count == 0 ? "0::numeric" : string.Join(" + ", rank.Select(r => $"({r})"));
        string Branch(string from, string conditions, string distanceSql) => $"""
            select s.id as service_id, sal.id as service_at_location_id, l.id as location_id,
                   ({distanceSql})::double precision as distance_km, ({rankSql})::double precision as rank,
                   case when @fr then coalesce(s.name_fr, s.name) else s.name end as service_name
            from directory.services s
            {from}
            {joins}
            where {where}{conditions}
            """;
        string hits;
        if (!point)
        {
            hits = Branch("left join directory.service_at_location sal on sal.service_id = s.id left join directory.locations l on l.id = sal.location_id",
                "", "null::double precision");
        }
        else
        {
            // Around a point, the services at a place near it (from the GiST index when there is a radius), and then
            // the services without a place (phone lines, online services) whose service areas cover the point, from
            // the partial index of services without a place: they have no distance and rank after the located ones.
            hits = Branch("join directory.service_at_location sal on sal.service_id = s.id join directory.locations l on l.id = sal.location_id",
                located.ToString(), distance);
            if (query.BeyondKm is null)
            {
                hits += "\nunion all\n" + Branch(
                    "left join directory.service_at_location sal on sal.service_id = s.id left join directory.locations l on l.id = sal.location_id",
                    " and not s.has_place and directory.serves_point(s.id, @lon, @lat)", "null::double precision");
            }
        }
        var sql = $"""
            {with}
            select s.id as service_id, l.id as location_id, sal.id as service_at_location_id,
                   h.service_name,
                   case when @fr then coalesce(o.name_fr, o.name) else o.name end as organization_name,
                   coalesce(case when @fr then coalesce(s.description_fr, s.description) else s.description end, '') as description,
                   case when @fr then coalesce(l.name_fr, l.name) else l.name end as location_name,
                   (select concat_ws(', ', ad.address_1, nullif(ad.address_2, ''), ad.city, ad.state_province) || coalesce(' ' || ad.postal_code, '')
                      from directory.addresses ad where ad.location_id = l.id
                     order by (ad.address_type = 'physical') desc, ad.id limit 1) as address,
                   (select ad.postal_code from directory.addresses ad where ad.location_id = l.id
                     order by (ad.address_type = 'physical') desc, ad.id limit 1) as postal_code,
                   l.latitude, l.longitude,
                   h.distance_km,
                   -- The most specific phone: the service at this location's, the service's, the location's, the organization's.
                   (select case when ph.extension is null then ph.number else ph.number || ' x' || ph.extension end
                      from (select * from (select 1 as k, p1.number, p1.extension from directory.phones p1
                                           where p1.service_at_location_id = sal.id order by p1.id limit 1) a
                            union all
                            select * from (select 2, p2.number, p2.extension from directory.phones p2
                                           where p2.service_id = s.id order by p2.id limit 1) b
                            union all
                            select * from (select 3, p3.number, p3.extension from directory.phones p3
                                           where p3.location_id = l.id and p3.service_id is null order by p3.id limit 1) c
                            union all
                            select * from (select 4, p4.number, p4.extension from directory.phones p4
                                           where p4.organization_id = s.organization_id and p4.service_id is null and p4.location_id is null
                                           order by p4.id limit 1) d) ph
                     order by ph.k limit 1) as phone,
                   (select bool_or(directory.schedule_open(sc.freq, sc.byday, sc.bymonthday, sc.interval, sc.dtstart, sc.valid_from,
                                                           sc.valid_to, sc.until, sc.opens_at, sc.closes_at, @at_local))
                      from directory.schedules sc
                     where sc.service_at_location_id = sal.id or (sc.service_id = s.id and sc.service_at_location_id is null)) as open_now,
                   case when @fr then coalesce(s.eligibility_description_fr, s.eligibility_description) else s.eligibility_description end as eligibility,
                   case when @fr then coalesce(s.fees_description_fr, s.fees_description) else s.fees_description end as fees,
                   case when @fr then coalesce(s.application_process_fr, s.application_process) else s.application_process end as application_process,
                   array(select distinct t.code from directory.attributes a join directory.taxonomy_terms t on t.id = a.taxonomy_term_id
                          where a.link_entity = 'service' and a.link_id = s.id and t.code is not null order by t.code) as taxonomy_codes,
                   array(select distinct coalesce(nullif(lower(lg.code), ''), lg.name) from directory.languages lg
                          where lg.service_id = s.id and coalesce(nullif(lg.code, ''), lg.name) is not null
                          order by 1) as languages,
                   h.rank
            from (
                -- The page is chosen from ids and sort keys alone; only its rows are read in full below.
                select * from (
            {hits}
                ) found
                order by rank desc, distance_km nulls last, service_name, service_id, service_at_location_id
                offset @offset limit @take
            ) h
            join directory.services s on s.id = h.service_id
            join directory.organizations o on o.id = s.organization_id
            left join directory.service_at_location sal on sal.id = h.service_at_location_id
            left join directory.locations l on l.id = h.location_id
            order by h.rank desc, h.distance_km nulls last, h.service_name, h.service_id, h.service_at_location_id
            """;
        return (sql, p);
    }

    /// <summary>The centroid of a postal code's FSA, or null when unknown or malformed.</summary>
    public async Task<(double Latitude, double Longitude)?> LocatePostalCodeAsync(string postalCode, CancellationToken cancellationToken = default)
    {
        if (Fsa(postalCode) is not { } fsa)
        {
            return null;
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await LocateAsync(connection, fsa, cancellationToken);
    }

    private static Task<(double Latitude, double Longitude)?> LocateAsync(NpgsqlConnection connection, string fsa, CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync<(double Latitude, double Longitude)?>(new CommandDefinition(
            "select latitude, longitude from directory.postal_areas where fsa = @fsa", new { fsa }, cancellationToken: cancellationToken));

    /// <summary>The forward sortation area of a Canadian postal code ("k1p 1j1" → "K1P"), or null when malformed.</summary>
    public static string? Fsa(string? postalCode)
    {
        var compact = (postalCode ?? "").Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).ToUpperInvariant();
        return PostalCodePattern().IsMatch(compact) ? compact[..3] : null;
    }

    [GeneratedRegex("^[ABCEGHJ-NPRSTVXY][0-9][ABCEGHJ-NPRSTV-Z]([0-9][ABCEGHJ-NPRSTV-Z][0-9])?$")]
    private static partial Regex PostalCodePattern();

    /// <summary>Taxonomy terms whose code or name (either language) matches, for a needs picker.</summary>
    public async Task<IReadOnlyList<TaxonomyTermView>> FindTermsAsync(string text, string language, int limit, CancellationToken cancellationToken = default)
    {
        var q = (text ?? "").Trim();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<TaxonomyTermView>(new CommandDefinition("""
            select t.code, case when @fr then coalesce(t.name_fr, t.name) else t.name end as name, p.code as parent_code
            from directory.taxonomy_terms t
            left join directory.taxonomy_terms p on p.id = t.parent_id
            where t.code is not null
              and (@q = ''
                   or starts_with(upper(t.code), upper(@q))
                   or strpos(unaccent(lower(t.name)), unaccent(lower(@q))) > 0
                   or strpos(unaccent(lower(coalesce(t.name_fr, ''))), unaccent(lower(@q))) > 0)
            order by (upper(t.code) = upper(@q)) desc, starts_with(upper(t.code), upper(@q)) desc, t.code
            limit @limit
            """, new { q, fr = Language.French.Is(language), limit = Math.Clamp(limit, 1, MaxLimit) }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>One service at one location as it stands now (for a referral's snapshot); null if unknown.
    /// Without a location, the service alone (null location fields).</summary>
    public async Task<DirectoryHit?> FindAsync(string serviceId, string? locationId, string language, CancellationToken cancellationToken = default)
    {
        // The same projection as a search, over one service (at one location), whatever its status.
        var (sql, p) = Plan(new DirectoryQuery(Language: language), LocalNow(), ServiceScope.One(serviceId, locationId));
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<HitRow>(new CommandDefinition(sql, p, cancellationToken: cancellationToken))).AsList();
        if (rows.Count == 0)
        {
            return null;
        }
        var hit = (await ToHitsAsync(connection, rows.Take(1).ToList(), language, cancellationToken))[0];
        return locationId is null
            ? hit with { LocationId = null, ServiceAtLocationId = null, LocationName = null, Address = null, PostalCode = null, Latitude = null, Longitude = null, DistanceKm = null }
            : hit;
    }

    private async Task<IReadOnlyList<DirectoryHit>> ToHitsAsync(NpgsqlConnection connection, List<HitRow> rows, string language, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return [];
        }
        var schedules = (await connection.QueryAsync<ScheduleRow>(new CommandDefinition("""
            select sc.service_id, sc.service_at_location_id, sc.freq, sc.byday, sc.bymonthday, sc.opens_at, sc.closes_at,
                   sc.description, sc.description_fr
            from directory.schedules sc
            where (sc.service_id = any(@services) or sc.service_at_location_id = any(@sals))
              and (sc.valid_to is null or sc.valid_to >= @today)
            order by sc.id
            """, new
        {
            services = rows.Select(r => r.ServiceId).Distinct().ToArray(),
            sals = rows.Where(r => r.ServiceAtLocationId is not null).Select(r => r.ServiceAtLocationId!).Distinct().ToArray(),
            today = LocalNow().Date,
        }, cancellationToken: cancellationToken))).AsList();

        return [.. rows.Select(r =>
        {
            var own = schedules.Where(s => s.ServiceAtLocationId is not null && s.ServiceAtLocationId == r.ServiceAtLocationId).ToList();
            if (own.Count == 0)
            {
                own = [.. schedules.Where(s => s.ServiceId == r.ServiceId && s.ServiceAtLocationId is null)];
            }
            return new DirectoryHit(r.ServiceId, r.LocationId, r.ServiceAtLocationId, r.ServiceName, r.OrganizationName, r.Description,
                r.LocationName, r.Address, r.PostalCode, r.Latitude, r.Longitude, r.DistanceKm, r.Phone,
                OpeningHours.Describe(own, language), r.OpenNow, r.Eligibility, r.Fees, r.ApplicationProcess,
                r.TaxonomyCodes, r.Languages, r.Rank);
        })];
    }

    private sealed record HitRow(
        string ServiceId, string? LocationId, string? ServiceAtLocationId,
        string ServiceName, string OrganizationName, string Description,
        string? LocationName, string? Address, string? PostalCode, double? Latitude, double? Longitude,
        double? DistanceKm, string? Phone, bool? OpenNow,
        string? Eligibility, string? Fees, string? ApplicationProcess,
        string[] TaxonomyCodes, string[] Languages, double Rank);
}

/// <summary>A schedule row as opening hours need it.</summary>
internal sealed record ScheduleRow(
    string? ServiceId, string? ServiceAtLocationId, string? Freq, string? Byday, string? Bymonthday,
    TimeSpan? OpensAt, TimeSpan? ClosesAt, string? Description, string? DescriptionFr);

/// <summary>
/// The services a directory plan reads: every active one (a search), or one service whatever its status (a
/// referral's snapshot of what it was referred to), at one of its locations or, without one, at its first.
/// </summary>
public sealed class ServiceScope
{
    private readonly string? _serviceId;
    private readonly string? _locationId;

    private ServiceScope(string? serviceId, string? locationId) => (_serviceId, _locationId) = (serviceId, locationId);

    /// <summary>Every active service: what residents and agents search.</summary>
    public static ServiceScope Active { get; } = new(null, null);

    /// <summary>One service at <paramref name="locationId"/> (or at its first location, or at none), whatever its status.</summary>
    public static ServiceScope One(string serviceId, string? locationId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceId);
        return new(serviceId, locationId);
    }

    /// <summary>The plan's first condition on <c>s</c> (the service) and <c>l</c>/<c>sal</c> (its place), with its parameters added.</summary>
    internal string Filter(DynamicParameters parameters)
    {
        if (_serviceId is null)
        {
            return "s.status = 'active'";
        }
        parameters.Add("scope_service_id", _serviceId);
        if (_locationId is null)
        {
            return "s.id = @scope_service_id and (sal.id is null or sal.id = (select min(x.id) from directory.service_at_location x where x.service_id = s.id))";
        }
        parameters.Add("scope_location_id", _locationId);
        return "s.id = @scope_service_id and l.id = @scope_location_id";
    }
}
