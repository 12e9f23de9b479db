using System.Diagnostics;
using System.Globalization;
using System.Text;
using Contact.Benchmarks.Infrastructure;
using Contact.Core.ResourceDirectory;
using Dapper;
using Npgsql;

namespace Contact.Benchmarks.ResourceDirectory;

/// <summary>How the directory benchmark runs: <c>--services 100000 --searches 200 --km 10</c>.</summary>
/// <param name="Services">Services in the directory (each at its own location, with schedules and taxonomy terms).</param>
/// <param name="Searches">Timed searches of each kind (after a tenth as many untimed warm-up searches).</param>
/// <param name="Km">The search radius.</param>
public sealed record DirectoryBenchOptions(int Services, int Searches, double Km)
{
    /// <summary>100,000 services, 200 searches, 10 km.</summary>
    public static DirectoryBenchOptions Default { get; } = new(100_000, 200, 10);

    /// <summary>The options as usage text shows them.</summary>
    public const string Usage = "[--services 100000] [--searches 200] [--km 10]";

    /// <summary>Reads <c>--name value</c> or <c>--name=value</c> pairs; anything else is an error.</summary>
    public static bool TryParse(IReadOnlyList<string> args, out DirectoryBenchOptions options, out string? error) =>
        OptionPairs.TryApply(args, Default, new Dictionary<string, Func<DirectoryBenchOptions, string, DirectoryBenchOptions?>>(StringComparer.Ordinal)
        {
            ["--services"] = (o, v) => OptionPairs.Int(v, 100, 10_000_000) is int n ? o with { Services = n } : null,
            ["--searches"] = (o, v) => OptionPairs.Int(v, 10, 100_000) is int n ? o with { Searches = n } : null,
            ["--km"] = (o, v) => OptionPairs.Int(v, 1, 500) is int n ? o with { Km = n } : null,
        }, out options, out error);
}

/// <summary>
/// A need + place + open-now search (emergency food within a radius of downtown Ottawa, open at 11:00 on a
/// weekday) through <see cref="DirectorySearch"/> against the bare SQL it runs, executed and read with Npgsql
/// alone, on a directory of generated services; then self-serve's search (food near a postal code, open now, a page
/// of 4, nearest ring first) against its bare statements; then the first query's plan with EXPLAIN (ANALYZE, BUFFERS)
/// and the execution times of self-serve's statement and of the unbounded one it replaced.
/// </summary>
public static class DirectoryBenchmark
{
    // Parliament Hill.
    private const double Latitude = 45.4236;
    private const double Longitude = -75.7009;

    // Downtown Ottawa's postal area, as a resident texts it.
    private const string PostalCode = "K1P";

    /// <summary>Runs the benchmark and prints the table; 0 when it ran.</summary>
    public static async Task<int> RunAsync(DirectoryBenchOptions options, CancellationToken ct)
    {
        Progress.Say($"Directory benchmark: {options.Services} services, {options.Searches} searches of each kind, {options.Km} km");
        await using var cluster = await BenchCluster.StartAsync("directory", cancellationToken: ct);
        var server = $"{cluster.ShortServerVersion} (fsync {cluster.Fsync})";
        Progress.Say($"PostgreSQL {server} ready; loading the demo directory's taxonomy and generating services");
        var imported = await new HsdsImporter(cluster.DataSource).ImportDemoAsync(ct);
        if (!imported.Imported)
        {
            throw new InvalidOperationException("The demo directory does not import: " + string.Join("; ", imported.Errors));
        }
        var clock = Stopwatch.StartNew();
        await GenerateAsync(cluster.DataSource, options.Services, ct);
        Progress.Say($"{options.Services} services generated in {clock.Elapsed.TotalSeconds:F1} s");

        // Wednesday 2 December 2026, 11:00 in Ottawa.
        var now = new FixedClock(new DateTimeOffset(2026, 12, 2, 16, 0, 0, TimeSpan.Zero));
        await using var dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(cluster.ConnectionString)
        {
            ApplicationName = "contact-bench-directory",
            MaxAutoPrepare = 32,
        }.ConnectionString);
        var search = new DirectorySearch(dataSource, now);
        var query = new DirectoryQuery(Terms: ["BD-1800"], Latitude: Latitude, Longitude: Longitude, WithinKm: options.Km, OpenNow: true, Limit: 10);
        var (sql, parameters) = search.Plan(query, search.LocalNow());

        var hits = 0;
        var contact = await TimeAsync(options.Searches, async () =>
        {
            var result = await search.SearchAsync(query, ct);
            hits = result.Hits.Count;
        });
        var rows = 0;
        var bare = await TimeAsync(options.Searches, async () =>
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(sql, parameters, cancellationToken: ct));
            var count = 0;
            while (await reader.ReadAsync(ct))
            {
                count++;
            }
            rows = count;
        });
        if (hits == 0)
        {
            Progress.Say($"Warning: the search found nothing; the figures measure an empty answer");
        }

        // Self-serve's shape: FOOD near a postal code, open now, a page of 4, through the bounded nearby search (the
        // postal area's centre, then the first ring); the bare side runs the same two statements on one connection.
        var selfServe = new DirectoryQuery(Terms: ["BD-1800", "BD-5000"], PostalCode: PostalCode, OpenNow: true, Limit: 4);
        var centre = await search.LocatePostalCodeAsync(PostalCode, ct)
            ?? throw new InvalidOperationException($"The postal area {PostalCode} is not in directory.postal_areas.");
        var ring = selfServe with { PostalCode = null, Latitude = centre.Latitude, Longitude = centre.Longitude, WithinKm = DirectorySearch.NearbyRingsKm[0] };
        var (ringSql, ringParameters) = search.Plan(ring, search.LocalNow());
        var nearbyHits = 0;
        var nearby = await TimeAsync(options.Searches, async () =>
        {
            var page = await search.SearchNearbyAsync(selfServe, NearbyCursor.Start, ct);
            nearbyHits = page.Hits.Count;
        });
        var nearbyRows = 0;
        var nearbyBare = await TimeAsync(options.Searches, async () =>
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            await connection.QuerySingleAsync<(double, double)>(new CommandDefinition(
                "select latitude, longitude from directory.postal_areas where fsa = @fsa", new { fsa = PostalCode }, cancellationToken: ct));
            await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(ringSql, ringParameters, cancellationToken: ct));
            var count = 0;
            while (await reader.ReadAsync(ct))
            {
                count++;
            }
            nearbyRows = count;
        });

        await using (var connection = await dataSource.OpenConnectionAsync(ct))
        {
            var plan = await connection.QueryAsync<string>(new CommandDefinition("explain (analyze, buffers) " + sql, parameters, cancellationToken: ct));
            var text = new StringBuilder("Plan of the search's SQL (EXPLAIN ANALYZE, BUFFERS):" + Environment.NewLine);
            foreach (var line in plan)
            {
                text.Append("  ").AppendLine(line);
            }
            Console.Out.Write(text.ToString());

            // The self-serve statement, and for comparison the unbounded one self-serve ran before (every service of
            // the need, sorted by distance from the postal area's centre): their execution times.
            var (unboundedSql, unboundedParameters) = search.Plan(ring with { WithinKm = null }, search.LocalNow());
            foreach (var (label, statement, statementParameters) in new[] { ("self-serve, first ring", ringSql, ringParameters), ("self-serve, no radius", unboundedSql, unboundedParameters) })
            {
                var lines = await connection.QueryAsync<string>(new CommandDefinition("explain (analyze, buffers) " + statement, statementParameters, cancellationToken: ct));
                Console.Out.WriteLine($"Plan of the {label} statement: {lines.Last(l => l.StartsWith("Execution Time", StringComparison.Ordinal))}");
            }
        }

        var table = new ResultTable("Contact", "bare SQL", "ratio")
            .Row("search p50 ms", ResultTable.Number(contact.P50Ms, 2), ResultTable.Number(bare.P50Ms, 2), ResultTable.Number(contact.P50Ms / bare.P50Ms, 2))
            .Row("search p99 ms", ResultTable.Number(contact.P99Ms, 2), ResultTable.Number(bare.P99Ms, 2), ResultTable.Number(contact.P99Ms / bare.P99Ms, 2))
            .Row("hits (bare: rows incl. one to tell 'more')", hits.ToString(CultureInfo.InvariantCulture), rows.ToString(CultureInfo.InvariantCulture))
            .Row("self-serve p50 ms", ResultTable.Number(nearby.P50Ms, 2), ResultTable.Number(nearbyBare.P50Ms, 2), ResultTable.Number(nearby.P50Ms / nearbyBare.P50Ms, 2))
            .Row("self-serve p99 ms", ResultTable.Number(nearby.P99Ms, 2), ResultTable.Number(nearbyBare.P99Ms, 2), ResultTable.Number(nearby.P99Ms / nearbyBare.P99Ms, 2))
            .Row("self-serve hits (bare: rows)", nearbyHits.ToString(CultureInfo.InvariantCulture), nearbyRows.ToString(CultureInfo.InvariantCulture));
        var title = string.Create(CultureInfo.InvariantCulture,
            $"Contact directory benchmark — {options.Services} services; search: need BD-1800 + {options.Km} km of downtown Ottawa + open now; self-serve: FOOD near {PostalCode} + open now, 4 a page, nearest ring first ({DirectorySearch.NearbyRingsKm[0]} km); {options.Searches} searches of each one at a time, PostgreSQL {server}, {Environment.ProcessorCount} cores");
        Console.Out.Write(table.Render(title));
        return 0;
    }

    private static async Task<LatencySummary> TimeAsync(int searches, Func<Task> search)
    {
        for (var i = 0; i < Math.Max(5, searches / 10); i++)
        {
            await search();
        }
        var ticks = new long[searches];
        for (var i = 0; i < searches; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await search();
            ticks[i] = Stopwatch.GetTimestamp() - start;
        }
        return new LatencySummary(ticks);
    }

    /// <summary>
    /// Services spread over southern Ontario and Quebec, a fifth of them in Ottawa, each at one location with an
    /// address, a phone, languages, one or two taxonomy terms and weekly hours of one of a few common shapes.
    /// </summary>
    private static async Task GenerateAsync(NpgsqlDataSource dataSource, int services, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("""
            insert into directory.organizations (id, name, description)
            select 'bench-org-' || o, 'Benchmark Organization ' || o, 'Generated for the benchmark'
            from generate_series(1, greatest(1, @services / 100)) o;

            create temporary table bench_terms as
            select row_number() over (order by code) - 1 as n, id from directory.taxonomy_terms where code not like 'Y%';
            create temporary table bench_populations as
            select row_number() over (order by code) - 1 as n, id from directory.taxonomy_terms where code like 'Y%';

            -- Places first, as an import writes them: each service then knows it has a place as it is inserted.
            insert into directory.locations (id, location_type, name, latitude, longitude)
            select 'bench-l-' || i, 'physical', 'Location ' || i,
                   case when i % 5 = 0 then 45.20 + random() * 0.45 else 43.0 + random() * 3.5 end,
                   case when i % 5 = 0 then -76.05 + random() * 0.70 else -80.0 + random() * 7.0 end
            from generate_series(1, @services) i;

            insert into directory.service_at_location (id, service_id, location_id)
            select 'bench-sal-' || i, 'bench-s-' || i, 'bench-l-' || i from generate_series(1, @services) i;

            insert into directory.services (id, organization_id, name, description, status, minimum_age, name_fr, description_fr)
            select 'bench-s-' || i, 'bench-org-' || (1 + i % greatest(1, @services / 100)),
                   'Community service ' || i, 'Help with food, housing, counselling or work, service number ' || i,
                   case when i % 50 = 0 then 'inactive' else 'active' end,
                   case when i % 10 = 0 then 18 end,
                   'Service communautaire ' || i, 'Aide pour la nourriture, le logement, le counseling ou l''emploi, service ' || i
            from generate_series(1, @services) i;

            insert into directory.addresses (id, location_id, address_1, city, state_province, postal_code, country, address_type)
            select 'bench-a-' || i, 'bench-l-' || i, i || ' Main Street', 'Ottawa', 'ON', 'K1P 1J1', 'CA', 'physical'
            from generate_series(1, @services) i;

            insert into directory.phones (id, service_id, number)
            select 'bench-p-' || i, 'bench-s-' || i, '+1 613-555-' || lpad((i % 10000)::text, 4, '0') from generate_series(1, @services) i;

            insert into directory.languages (id, service_id, name, code)
            select 'bench-lg-en-' || i, 'bench-s-' || i, 'English', 'en' from generate_series(1, @services) i
            union all
            select 'bench-lg-fr-' || i, 'bench-s-' || i, 'French', 'fr' from generate_series(1, @services) i where i % 5 < 2;

            insert into directory.attributes (id, link_id, taxonomy_term_id, link_entity)
            select 'bench-at-' || i, 'bench-s-' || i, t.id, 'service'
            from generate_series(1, @services) i join bench_terms t on t.n = i % (select count(*) from bench_terms)
            union all
            select 'bench-ap-' || i, 'bench-s-' || i, p.id, 'service'
            from generate_series(1, @services) i join bench_populations p on p.n = i % (select count(*) from bench_populations)
            where i % 3 = 0;

            -- Weekday office hours, evenings, weekends, or day and night, by turns.
            insert into directory.schedules (id, service_id, service_at_location_id, freq, byday, opens_at, closes_at)
            select 'bench-sc-' || i, 'bench-s-' || i, 'bench-sal-' || i, 'WEEKLY',
                   (array['MO,TU,WE,TH,FR', 'MO,TU,WE,TH', 'SA,SU', 'MO,TU,WE,TH,FR,SA,SU'])[1 + i % 4],
                   (array['09:00', '17:00', '10:00', '00:00'])[1 + i % 4]::time,
                   (array['17:00', '21:00', '14:00', '00:00'])[1 + i % 4]::time
            from generate_series(1, @services) i;

            analyze;
            """, new { services }, cancellationToken: ct, commandTimeout: 600));
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
