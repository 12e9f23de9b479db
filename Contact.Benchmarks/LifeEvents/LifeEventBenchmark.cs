using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Contact.Benchmarks.Infrastructure;
using Npgsql;
using NpgsqlTypes;

namespace Contact.Benchmarks.LifeEvents;

/// <summary>
/// Tell us once against telling seven times: a 7-service move through POST /api/life-events/moving (one case, seven
/// referrals with their packets) next to the same seven services as seven POST /api/cases one after another, at the
/// same concurrency on the same host and database, and the bare substrate (one case row and seven referral rows in
/// one statement); commits per request from the server's statistics.
/// </summary>
public static class LifeEventBenchmark
{
    private static readonly Uri LifeEventUri = new("api/life-events/moving", UriKind.Relative);
    private static readonly Uri CasesUri = new("api/cases", UriKind.Relative);

    // Moving's services that reach their provider at once (RAMQ waits for an agent's review), with the answers a single
    // intake of each needs.
    private static readonly (string Category, Dictionary<string, string> Answers)[] Services =
    [
        ("water-account", new() { ["request"] = "start" }),
        ("property-tax", new() { ["request"] = "address" }),
        ("waste-new-address", new()),
        ("parking-permit", new() { ["plate"] = "CABC 123", ["permit"] = "new" }),
        ("health-card", new() { ["need"] = "address" }),
        ("driver-licence", new() { ["need"] = "address" }),
        ("cra-address", new()),
    ];

    /// <summary>Runs the benchmark and prints the table; 0 when it ran, 1 when the host failed or more than 1% of requests failed.</summary>
    public static async Task<int> RunAsync(LoadOptions options, CancellationToken cancellationToken)
    {
        Progress.Say($"Life event benchmark: concurrency {options.Concurrency}, {options.Duration.TotalSeconds} s measured after {options.Warmup.TotalSeconds} s warm-up");
        await using var cluster = await BenchCluster.StartAsync("bench", cancellationToken: cancellationToken);
        Progress.Say($"PostgreSQL {cluster.ShortServerVersion} (fsync {cluster.Fsync}) ready; database {cluster.Database} migrated, demo catalog loaded");
        await using var host = await ContactHost.StartAsync(ContactHost.BenchmarkEnvironment(cluster.ConnectionString), cancellationToken: cancellationToken);
        using var client = host.CreateClient(options.Concurrency);
        await using var counter = await CommitCounter.OpenAsync(cluster.ConnectionString, cancellationToken: cancellationToken);

        var errors = new ErrorSamples();
        var lifeEvent = new PostLifeEvent(client, errors);
        var (lifeWarmup, life, lifeCommits) = await MeasureAsync(options, "POST /api/life-events/moving", lifeEvent.RunAsync, errors, counter, cancellationToken);
        host.ThrowIfExited();
        var referrals = await counter.ScalarAsync("select count(*) from referrals where packet is not null", cancellationToken);
        if (referrals != (life.Successes + lifeWarmup.Successes) * Services.Length)
        {
            Progress.Say($"Warning: {referrals} referrals stored for {life.Successes + lifeWarmup.Successes} life events of {Services.Length} services");
        }
        errors.Print("POST /api/life-events/moving");

        var singleErrors = new ErrorSamples();
        var seven = new PostSeven(client, singleErrors);
        var (sevenWarmup, sevenResult, sevenCommits) = await MeasureAsync(options, "7 × POST /api/cases", seven.RunAsync, singleErrors, counter, cancellationToken);
        host.ThrowIfExited();
        singleErrors.Print("7 × POST /api/cases");

        var rawErrors = new ErrorSamples();
        LoadResult raw;
        LoadResult rawWarmup;
        await using (var insert = await RawLifeEvent.CreateAsync(cluster, options.Concurrency, cancellationToken))
        {
            rawWarmup = await ClosedLoop.WarmUpAsync(options, insert.RunAsync, rawErrors, cancellationToken);
            Progress.Say($"Measuring the bare insert for {options.Duration.TotalSeconds} s");
            raw = await ClosedLoop.RunAsync(options.Concurrency, options.Duration, insert.RunAsync, rawErrors, cancellationToken);
        }
        rawErrors.Print("raw insert");

        var table = new ResultTable("rate/s", "p50 ms", "p99 ms")
            .Rate("life event, 7 services (POST /api/life-events)", life)
            .Rate("the same 7 services as 7 × POST /api/cases", sevenResult)
            .Rate("raw: 1 case + 7 referral rows, one statement", raw)
            .Value("cost of one life event, in single intakes", life.Rate > 0 ? 7 * sevenResult.Rate / life.Rate : double.NaN, 2)
            .Value("ratio (life event / raw)", raw.Rate > 0 ? life.Rate / raw.Rate : double.NaN, 3)
            .Value("database commits per life event", life.Successes > 0 ? (double)lifeCommits / life.Successes : double.NaN, 2)
            .Value("database commits per single intake", sevenResult.Successes > 0 ? (double)sevenCommits / (7 * sevenResult.Successes) : double.NaN, 2)
            .Count("errors", lifeWarmup.Failures + life.Failures + sevenWarmup.Failures + sevenResult.Failures + rawWarmup.Failures + raw.Failures);
        var title = string.Create(CultureInfo.InvariantCulture,
            $"Contact life event benchmark — concurrency {options.Concurrency}, {options.Duration.TotalSeconds} s, PostgreSQL {cluster.ShortServerVersion} (fsync {cluster.Fsync}), {Environment.ProcessorCount} cores");
        Console.Out.Write(table.Render(title));

        var failed = new[] { (lifeWarmup, life), (sevenWarmup, sevenResult), (rawWarmup, raw) }
            .Select(p => p.Item1.Attempts + p.Item2.Attempts == 0 ? 1 : (double)(p.Item1.Failures + p.Item2.Failures) / (p.Item1.Attempts + p.Item2.Attempts));
        if (failed.Any(f => f > 0.01))
        {
            await Console.Error.WriteLineAsync("More than 1% of operations failed: the figures above are not valid.");
            return 1;
        }
        return 0;
    }

    private static async Task<(LoadResult Warmup, LoadResult Measured, long Commits)> MeasureAsync(
        LoadOptions options, string what, LoadOperation operation, ErrorSamples errors, CommitCounter counter, CancellationToken ct)
    {
        var warmup = await ClosedLoop.WarmUpAsync(options, operation, errors, ct);
        Progress.Say($"Waiting {counter.Settle.TotalSeconds} s for the server's statistics to settle");
        var before = await counter.ReadAsync(ct);
        Progress.Say($"Measuring {what} for {options.Duration.TotalSeconds} s");
        var measured = await ClosedLoop.RunAsync(options.Concurrency, options.Duration, operation, errors, ct);
        Progress.Say($"{measured.Successes} done, {measured.Failures} failed; waiting {counter.Settle.TotalSeconds} s for the statistics");
        var after = await counter.ReadAsync(ct);
        return (warmup, measured, after - before);
    }


    private static ByteArrayContent Json(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static async ValueTask<bool> PostAsync(HttpClient client, Uri uri, byte[] body, ErrorSamples errors, CancellationToken ct)
    {
        using var content = Json(body);
        using var response = await client.PostAsync(uri, content, ct);
        if (response.StatusCode == HttpStatusCode.Created)
        {
            return true;
        }
        var answer = await response.Content.ReadAsStringAsync(ct);
        errors.Add(string.Create(CultureInfo.InvariantCulture,
            $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}: {answer}{Environment.NewLine}request: {Encoding.UTF8.GetString(body)}"));
        return false;
    }

    /// <summary>One move told once, in English and French in turn.</summary>
    private sealed class PostLifeEvent(HttpClient client, ErrorSamples errors)
    {
        private readonly byte[][] _bodies = [.. new[] { "en", "fr" }.Select(language => JsonSerializer.SerializeToUtf8Bytes(new
        {
            language,
            shared = new Dictionary<string, object>
            {
                ["old_address"] = "12 Old Road, Gatineau QC",
                ["new_address"] = "340 Laurier Ave W, Ottawa ON K1P 1J1",
                ["date"] = "2026-12-20",
                ["people"] = 2,
            },
            services = Services.Select(s => s.Category).ToArray(),
            // The move answers the property tax's, the health card's and the licence's own questions (an address change).
            answers = Services.Where(s => s.Category is "water-account" or "parking-permit").ToDictionary(s => s.Category, s => s.Answers),
            name = "Bench Mover",
            phone = "613-555-0123",
            notify = false,
        }))];

        private long _next = -1;

        public ValueTask<bool> RunAsync(int worker, CancellationToken ct) =>
            PostAsync(client, LifeEventUri, _bodies[(int)((ulong)Interlocked.Increment(ref _next) % 2)], errors, ct);
    }

    /// <summary>The same seven services told seven times, one request after another, as a resident would without tell us once.</summary>
    private sealed class PostSeven(HttpClient client, ErrorSamples errors)
    {
        private readonly byte[][] _bodies = [.. Services.Select(s => JsonSerializer.SerializeToUtf8Bytes(new
        {
            category = s.Category,
            language = "en",
            description = "Moving to 340 Laurier Ave W, Ottawa on 2026-12-20.",
            answers = s.Answers,
            name = "Bench Mover",
            phone = "613-555-0123",
            notify = false,
        }))];

        public async ValueTask<bool> RunAsync(int worker, CancellationToken ct)
        {
            foreach (var body in _bodies)
            {
                if (!await PostAsync(client, CasesUri, body, errors, ct))
                {
                    return false;
                }
            }
            return true;
        }
    }

    /// <summary>The bare substrate: one prepared statement per worker inserting a case row and its seven referral rows.</summary>
    private sealed class RawLifeEvent(PreparedWorkers workers) : IAsyncDisposable
    {
        public static async Task<RawLifeEvent> CreateAsync(BenchCluster cluster, int workers, CancellationToken ct)
        {
            await using (var create = cluster.DataSource.CreateCommand("""
                create table bench_raw_cases (id bigint generated always as identity primary key, answers jsonb not null, created_at timestamptz not null);
                create table bench_raw_referrals (id bigint generated always as identity primary key, case_id bigint not null references bench_raw_cases (id),
                                                  service text not null, packet jsonb not null, created_at timestamptz not null);
                """))
            {
                await create.ExecuteNonQueryAsync(ct);
            }
            var services = Services.Select(s => s.Category).ToArray();
            var packets = Services.Select(s => JsonSerializer.Serialize(new { shared = new { new_address = "340 Laurier Ave W", date = "2026-12-20" }, answers = s.Answers })).ToArray();
            var answers = JsonSerializer.Serialize(new { shared = new { old_address = "12 Old Road", new_address = "340 Laurier Ave W", date = "2026-12-20" } });
            return new RawLifeEvent(await PreparedWorkers.OpenAsync(cluster, workers, """
                with c as (insert into bench_raw_cases (answers, created_at) values ($1::jsonb, now()) returning id, created_at)
                insert into bench_raw_referrals (case_id, service, packet, created_at)
                select c.id, x.service, x.packet::jsonb, c.created_at from c, unnest($2::text[], $3::text[]) as x(service, packet)
                """, parameters =>
            {
                parameters.Add(new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Text, TypedValue = answers });
                parameters.Add(new NpgsqlParameter<string[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, TypedValue = services });
                parameters.Add(new NpgsqlParameter<string[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, TypedValue = packets });
            }, ct));
        }

        public async ValueTask<bool> RunAsync(int worker, CancellationToken ct) => await workers[worker].ExecuteNonQueryAsync(ct) == Services.Length;

        public ValueTask DisposeAsync() => workers.DisposeAsync();
    }
}
