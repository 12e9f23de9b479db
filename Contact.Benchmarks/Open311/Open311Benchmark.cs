using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Contact.Benchmarks.Infrastructure;
using Contact.Core.Open311;
using Npgsql;
using NpgsqlTypes;

namespace Contact.Benchmarks.Open311;

/// <summary>How the Open311 benchmark runs: <c>--cases 1000000 --concurrency 8 --seconds 10 --warmup 2</c>.</summary>
/// <param name="Cases">Cases in the store, spread over a year and every category.</param>
/// <param name="Concurrency">Workers, each with one request (or query) in flight.</param>
/// <param name="Duration">How long each measurement lasts.</param>
/// <param name="Warmup">Uncounted load before each measurement.</param>
public sealed record Open311BenchOptions(int Cases, int Concurrency, TimeSpan Duration, TimeSpan Warmup)
{
    /// <summary>1 M cases, 8 workers, 10 s measured after 2 s of warm-up.</summary>
    public static Open311BenchOptions Default { get; } = new(1_000_000, 8, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2));

    /// <summary>The options as usage text shows them.</summary>
    public const string Usage = "[--cases 1000000] [--concurrency 8] [--seconds 10] [--warmup 2]";

    /// <summary>Reads <c>--name value</c> or <c>--name=value</c> pairs; anything else is an error.</summary>
    public static bool TryParse(IReadOnlyList<string> args, out Open311BenchOptions options, out string? error) =>
        OptionPairs.TryApply(args, Default, new Dictionary<string, Func<Open311BenchOptions, string, Open311BenchOptions?>>(StringComparer.Ordinal)
        {
            ["--cases"] = (o, v) => OptionPairs.Int(v, 1000, 50_000_000) is int n ? o with { Cases = n } : null,
            ["--concurrency"] = (o, v) => OptionPairs.Int(v, 1, 1024) is int n ? o with { Concurrency = n } : null,
            ["--seconds"] = (o, v) => OptionPairs.Number(v, double.Epsilon, 86_400) is double s ? o with { Duration = TimeSpan.FromSeconds(s) } : null,
            ["--warmup"] = (o, v) => OptionPairs.Number(v, 0, 86_400) is double w ? o with { Warmup = TimeSpan.FromSeconds(w) } : null,
        }, out options, out error);
}

/// <summary>
/// GET /open311/v2/requests.json with a service code and a 30-day window over a store of many cases, through the
/// real host over HTTP, next to the bare SQL statement the host runs for it (<see cref="Open311Queries.RequestsSql"/>,
/// same parameters, same server) at the same concurrency; then that statement's plan with EXPLAIN (ANALYZE, BUFFERS).
/// </summary>
public static class Open311Benchmark
{
    private const string ServiceCode = "pothole";
    private static readonly TimeSpan Window = TimeSpan.FromDays(30);

    /// <summary>Runs the benchmark and prints the table and the plan; 0 when it ran.</summary>
    public static async Task<int> RunAsync(Open311BenchOptions options, CancellationToken cancellationToken)
    {
        Progress.Say($"Open311 benchmark: {options.Cases} cases, concurrency {options.Concurrency}, {options.Duration.TotalSeconds} s measured after {options.Warmup.TotalSeconds} s warm-up");
        await using var cluster = await BenchCluster.StartAsync("open311", cancellationToken: cancellationToken);
        Progress.Say($"PostgreSQL {cluster.ShortServerVersion} (fsync {cluster.Fsync}) ready; database {cluster.Database} migrated, demo catalog loaded");

        var clock = Stopwatch.StartNew();
        await FillAsync(cluster.DataSource, options.Cases, cancellationToken);
        Progress.Say($"{options.Cases} cases and their history inserted in {clock.Elapsed.TotalSeconds:F1} s; vacuum analyze");
        await ExecuteAsync(cluster.DataSource, "vacuum analyze cases", cancellationToken);
        await ExecuteAsync(cluster.DataSource, "vacuum analyze case_events", cancellationToken);

        var now = DateTimeOffset.UtcNow;
        var start = now - Window;
        var categoryIds = await CategoryIdsAsync(cluster.DataSource, cancellationToken);
        var path = string.Create(CultureInfo.InvariantCulture,
            $"open311/v2/requests.json?service_code={ServiceCode}&start_date={Uri.EscapeDataString(W3C(start))}&end_date={Uri.EscapeDataString(W3C(now))}");

        var environment = new Dictionary<string, string>(ContactHost.BenchmarkEnvironment(cluster.ConnectionString))
        {
            ["RateLimits__Open311PerMinute"] = "100000000",
        };
        await using var host = await ContactHost.StartAsync(environment, cancellationToken: cancellationToken);
        using var client = host.CreateClient(options.Concurrency);
        var uri = new Uri(path, UriKind.Relative);
        var probe = await client.GetStringAsync(uri, cancellationToken);
        var rowsPerAnswer = System.Text.Json.JsonDocument.Parse(probe).RootElement.GetArrayLength();
        Progress.Say($"GET /{path} answers {rowsPerAnswer} requests");

        // 1. Through the host, over HTTP.
        var httpErrors = new ErrorSamples();
        async ValueTask<bool> GetAsync(int worker, CancellationToken ct)
        {
            using var response = await client.GetAsync(uri, HttpCompletionOption.ResponseContentRead, ct);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                var body = await response.Content.ReadAsStringAsync(ct);
                httpErrors.Add(string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)response.StatusCode}: {body}"));
                return false;
            }
            return true;
        }
        var httpWarmup = await ClosedLoop.RunAsync(options.Concurrency, options.Warmup, GetAsync, httpErrors, cancellationToken);
        Progress.Say($"Measuring GET /open311/v2/requests.json for {options.Duration.TotalSeconds} s");
        var http = await ClosedLoop.RunAsync(options.Concurrency, options.Duration, GetAsync, httpErrors, cancellationToken);
        host.ThrowIfExited();
        httpErrors.Print("GET /open311/v2/requests.json");

        // 2. The bare statement the host runs, straight through Npgsql on its own pool with the host's driver
        // settings (no reset on close, statements prepared automatically), reading every row.
        var sqlErrors = new ErrorSamples();
        var bareConnectionString = new NpgsqlConnectionStringBuilder(cluster.ConnectionString)
        {
            ApplicationName = "contact-bench-open311",
            MaxPoolSize = options.Concurrency + 2,
            NoResetOnClose = true,
            MaxAutoPrepare = 64,
        }.ConnectionString;
        await using var bare = NpgsqlDataSource.Create(bareConnectionString);
        long bareRows = 0;
        async ValueTask<bool> QueryAsync(int worker, CancellationToken ct)
        {
            await using var command = bare.CreateCommand(Open311Queries.RequestsSql);
            AddParameters(command, categoryIds, start, now);
            await using var reader = await command.ExecuteReaderAsync(ct);
            var rows = 0;
            while (await reader.ReadAsync(ct))
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    _ = reader.GetValue(i);
                }
                rows++;
            }
            Interlocked.Exchange(ref bareRows, rows);
            return true;
        }
        var sqlWarmup = await ClosedLoop.RunAsync(options.Concurrency, options.Warmup, QueryAsync, sqlErrors, cancellationToken);
        Progress.Say($"Measuring the bare statement for {options.Duration.TotalSeconds} s");
        var sql = await ClosedLoop.RunAsync(options.Concurrency, options.Duration, QueryAsync, sqlErrors, cancellationToken);
        sqlErrors.Print("bare SQL");
        if (bareRows != rowsPerAnswer)
        {
            Progress.Say($"Warning: the bare statement read {bareRows} rows but the host answered {rowsPerAnswer}");
        }

        var plan = await ExplainAsync(cluster.DataSource, categoryIds, start, now, cancellationToken);

        var table = new ResultTable("rate/s", "p50 ms", "p99 ms")
            .Rate("GET requests.json (HTTP)", http)
            .Rate("bare SQL statement (Npgsql)", sql)
            .Row("ratio (HTTP / bare)", ResultTable.Number(sql.Rate > 0 ? http.Rate / sql.Rate : double.NaN, 2),
                ResultTable.Number(http.Latency.P50Ms / sql.Latency.P50Ms, 2), ResultTable.Number(http.Latency.P99Ms / sql.Latency.P99Ms, 2))
            .Count("requests per answer", rowsPerAnswer)
            .Count("errors", httpWarmup.Failures + http.Failures + sqlWarmup.Failures + sql.Failures);
        var title = string.Create(CultureInfo.InvariantCulture,
            $"Contact Open311 benchmark — GET requests.json?service_code={ServiceCode} over {Window.TotalDays} days, {options.Cases} cases, concurrency {options.Concurrency}, {options.Duration.TotalSeconds} s each, PostgreSQL {cluster.ShortServerVersion} (fsync {cluster.Fsync}), {Environment.ProcessorCount} cores");
        Console.Out.Write(table.Render(title));
        Console.Out.WriteLine();
        Console.Out.Write(plan);
        return 0;
    }

    private static string W3C(DateTimeOffset at) => at.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// Cases over every active category (public and private, 311 and 211) and the last 365 days, newest last like
    /// a real store, in every status; each with its public "created" entry, as intake writes it.
    /// </summary>
    private static async Task FillAsync(NpgsqlDataSource dataSource, int cases, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            with k as (select array_agg(id order by id) as ids, count(*)::int as n from categories where active),
            g as (
                select i, k.ids[1 + (i::bigint * 7919) % k.n] as category_id,
                       now() - (($1 - i)::float8 / $1) * interval '365 days' as created
                from generate_series(1, $1) i, k
            ), c as (
                insert into cases (line, channel, category_id, description, address, latitude, longitude, language, status,
                                   priority, created_at, updated_at)
                select k.line, (array['web', 'phone', 'sms', 'open311', 'agent'])[1 + g.i % 5], g.category_id, 'Load case ' || g.i,
                       (g.i % 900 + 1) || ' Wellington St', 45.35 + (g.i % 1000) / 10000.0, -75.75 + (g.i % 997) / 10000.0,
                       case when g.i % 3 = 0 then 'fr' else 'en' end,
                       (array['new', 'in_progress', 'waiting_on_resident', 'referred', 'resolved', 'closed', 'resolved'])[1 + g.i % 7],
                       'normal', g.created, g.created + interval '2 hours'
                from g join categories k on k.id = g.category_id
                order by g.i
                returning id, channel, category_id, created_at
            )
            insert into case_events (case_id, at, kind, actor, is_public, data)
            select c.id, c.created_at, 'created', 'resident', true, jsonb_build_object('channel', c.channel, 'category', k.code)
            from c join categories k on k.id = c.category_id
            """);
        command.CommandTimeout = 0;
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = cases, NpgsqlDbType = NpgsqlDbType.Integer });
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<int[]> CategoryIdsAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("select array_agg(id) from categories where code = $1 and is_public and line = '311'");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = ServiceCode });
        return (int[])(await command.ExecuteScalarAsync(ct))!;
    }

    private static void AddParameters(NpgsqlCommand command, int[] categoryIds, DateTimeOffset start, DateTimeOffset end)
    {
        command.Parameters.AddWithValue("CategoryIds", categoryIds);
        command.Parameters.AddWithValue("Start", start.ToUniversalTime());
        command.Parameters.AddWithValue("End", end.ToUniversalTime());
        command.Parameters.AddWithValue("Statuses", Array.Empty<string>());
        command.Parameters.AddWithValue("Limit", 50);
        command.Parameters.AddWithValue("Offset", 0);
    }

    private static async Task<string> ExplainAsync(NpgsqlDataSource dataSource, int[] categoryIds, DateTimeOffset start, DateTimeOffset end, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("explain (analyze, buffers) " + Open311Queries.RequestsSql);
        AddParameters(command, categoryIds, start, end);
        var text = new StringBuilder("EXPLAIN (ANALYZE, BUFFERS) of the statement GET requests.json runs (Open311Queries.RequestsSql):" + Environment.NewLine);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            text.AppendLine("  " + reader.GetString(0));
        }
        return text.ToString();
    }

    private static async Task ExecuteAsync(NpgsqlDataSource dataSource, string sql, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync(ct);
    }
}
