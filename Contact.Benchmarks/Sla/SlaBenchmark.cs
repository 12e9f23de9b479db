using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Contact.Benchmarks.Infrastructure;
using Contact.Core.Sla;
using Npgsql;
using NpgsqlTypes;

namespace Contact.Benchmarks.Sla;

/// <summary>How the SLA benchmark runs: <c>--cases 1000000 --breaching 200000 --timers 10000 --idle-seconds 30</c>.</summary>
/// <param name="Cases">Open cases in the sweep's table.</param>
/// <param name="Breaching">How many of them are due (their next step in the past).</param>
/// <param name="Timers">Cases filed through the host whose six steps fall due within 90 s.</param>
/// <param name="IdleSeconds">How long the idle host (and the bare server) is watched.</param>
public sealed record SlaBenchOptions(int Cases, int Breaching, int Timers, int IdleSeconds)
{
    /// <summary>A million cases, 200,000 due, 10,000 timers, 30 s idle.</summary>
    public static SlaBenchOptions Default { get; } = new(1_000_000, 200_000, 10_000, 30);

    /// <summary>The options as usage text shows them.</summary>
    public const string Usage = "[--cases 1000000] [--breaching 200000] [--timers 10000] [--idle-seconds 30]";

    /// <summary>Reads <c>--name value</c> or <c>--name=value</c> pairs; anything else is an error.</summary>
    public static bool TryParse(IReadOnlyList<string> args, out SlaBenchOptions options, out string? error)
    {
        if (!OptionPairs.TryApply(args, Default, new Dictionary<string, Func<SlaBenchOptions, string, SlaBenchOptions?>>(StringComparer.Ordinal)
            {
                ["--cases"] = (o, v) => OptionPairs.Int(v, 1, 50_000_000) is int n ? o with { Cases = n } : null,
                ["--breaching"] = (o, v) => OptionPairs.Int(v, 1, 50_000_000) is int n ? o with { Breaching = n } : null,
                ["--timers"] = (o, v) => OptionPairs.Int(v, 1, 1_000_000) is int n ? o with { Timers = n } : null,
                ["--idle-seconds"] = (o, v) => OptionPairs.Int(v, 1, 3600) is int n ? o with { IdleSeconds = n } : null,
            }, out options, out error))
        {
            return false;
        }
        if (options.Breaching > options.Cases)
        {
            error = "--breaching cannot exceed --cases.";
            return false;
        }
        return true;
    }
}

/// <summary>
/// The SLA clocks, each next to its bare substrate: (1) the sweep (DueAsync + CheckAsync) draining every due
/// case of a large table against a bare indexed FOR UPDATE SKIP LOCKED drain of the same rows; (2) how late the
/// host's Hangfire timers fire the steps of cases filed through POST /api/cases against in-process Task.Delay
/// timers for the same instants; (3) the transactions an idle host costs the database against no client at all.
/// </summary>
public static class SlaBenchmark
{
    private const int Workers = 4;
    private const int Batch = 1000;
    private const int StepsPerCase = 6;
    private static readonly TimeSpan FilingWindow = TimeSpan.FromSeconds(20);
    // The last step (resolution second breach, 150% of 60 s) is due 90 s after a case is filed.
    private static readonly TimeSpan LastStepAfter = TimeSpan.FromSeconds(90);
    // How long after the last step is due a step still counts as fired (later ones are "not fired").
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);
    // Step offsets of the benchmark policy: first response 40 s, resolution 60 s, warning 50%, second breach 150%.
    private static readonly double[] StepOffsetsSeconds = [20, 40, 60, 30, 60, 90];
    private static readonly Uri CasesUri = new("api/cases", UriKind.Relative);

    /// <summary>Runs the benchmark and prints the table; 0 when it ran.</summary>
    public static async Task<int> RunAsync(SlaBenchOptions options, CancellationToken cancellationToken)
    {
        Progress.Say($"SLA benchmark: {options.Cases} cases ({options.Breaching} due), {options.Timers} timers, {options.IdleSeconds} s idle, {Workers} sweep workers");
        var sweep = await SweepAsync(options, cancellationToken);
        var timers = await TimersAndIdleAsync(options, cancellationToken);

        Console.Out.Write(sweep.Plan);
        var table = new ResultTable("value", "bare", "ratio")
            .Row("sweep: cases checked", Whole(sweep.Checked), Whole(sweep.Drained))
            .Row("sweep: seconds", ResultTable.Number(sweep.SweepTime.TotalSeconds, 1), ResultTable.Number(sweep.DrainTime.TotalSeconds, 1),
                ResultTable.Number(sweep.SweepTime.TotalSeconds / sweep.DrainTime.TotalSeconds, 1))
            .Row("sweep: cases/s (bare: rows/s)", ResultTable.Number(sweep.SweepRate, 0), ResultTable.Number(sweep.DrainRate, 0),
                ResultTable.Number(sweep.DrainRate / sweep.SweepRate, 1))
            .Row("sweep: steps fired", Whole(sweep.StepsFired))
            .Row("timer lateness p50 ms", ResultTable.Number(timers.Hangfire.P50, 0), ResultTable.Number(timers.Bare.P50, 1),
                timers.Bare.P50 > 0 ? ResultTable.Number(timers.Hangfire.P50 / timers.Bare.P50, 0) : "n/a")
            .Row("timer lateness p95 ms", ResultTable.Number(timers.Hangfire.P95, 0), ResultTable.Number(timers.Bare.P95, 1),
                timers.Bare.P95 > 0 ? ResultTable.Number(timers.Hangfire.P95 / timers.Bare.P95, 0) : "n/a")
            .Row("timer lateness max ms", ResultTable.Number(timers.Hangfire.Max, 0), ResultTable.Number(timers.Bare.Max, 1),
                timers.Bare.Max > 0 ? ResultTable.Number(timers.Hangfire.Max / timers.Bare.Max, 0) : "n/a")
            .Row("steps fired (all, after backlog) / expected", $"{Whole(timers.Fired)}/{Whole(timers.Expected)}", $"{Whole(timers.Bare.Count)}/{Whole(timers.Expected)}")
            .Row("steps fired by 120 s after last filing", $"{Whole(timers.FiredInTime)}/{Whole(timers.Expected)}")
            .Row("cases filed (HTTP 201) / asked", $"{Whole(timers.Filed)}/{Whole(options.Timers)}")
            .Row("filing took s", ResultTable.Number(timers.FilingTime.TotalSeconds, 1))
            .Row("idle transactions/s per host", ResultTable.Number(timers.IdleHostRate, 2), ResultTable.Number(timers.IdleBareRate, 2),
                timers.IdleBareRate > 0 ? ResultTable.Number(timers.IdleHostRate / timers.IdleBareRate, 0) : "n/a");
        var title = string.Create(CultureInfo.InvariantCulture,
            $"Contact SLA benchmark — {options.Cases} cases ({options.Breaching} due), {Workers} sweep workers, {options.Timers} timers, {options.IdleSeconds} s idle, PostgreSQL {sweep.Server}, {Environment.ProcessorCount} cores — target: p95 lateness ≤ 1 s, idle ≤ 5 transactions/s per host");
        Console.Out.Write(table.Render(title));
        return 0;
    }

    private static string Whole(long n) => n.ToString(CultureInfo.InvariantCulture);

    private sealed record SweepResult(long Checked, TimeSpan SweepTime, long StepsFired, long Drained, TimeSpan DrainTime, string Plan, string Server)
    {
        public double SweepRate => Checked / SweepTime.TotalSeconds;
        public double DrainRate => Drained / DrainTime.TotalSeconds;
    }

    // 1. The sweep at scale, against a bare indexed SKIP LOCKED drain of the same rows.
    private static async Task<SweepResult> SweepAsync(SlaBenchOptions options, CancellationToken ct)
    {
        await using var cluster = await BenchCluster.StartAsync("sla", cancellationToken: ct);
        var server = $"{cluster.ShortServerVersion} (fsync {cluster.Fsync})";
        Progress.Say($"PostgreSQL {server} ready; database {cluster.Database} migrated, demo catalog loaded");
        await new DemoSla(cluster.DataSource).EnsureAsync(ct);

        var clock = Stopwatch.StartNew();
        var firstId = await InsertCasesAsync(cluster.DataSource, options, ct);
        Progress.Say($"{options.Cases} cases inserted in {clock.Elapsed.TotalSeconds:F1} s; analysing");
        await ExecuteAsync(cluster.DataSource, "vacuum analyze cases", ct);
        var plan = await ExplainAsync(cluster.DataSource, ct);
        if (!plan.Contains("cases_sla_next_check", StringComparison.Ordinal))
        {
            Progress.Say($"Warning: the sweep's select does not use cases_sla_next_check");
        }

        var loadConnectionString = new NpgsqlConnectionStringBuilder(cluster.ConnectionString)
        {
            ApplicationName = "contact-bench-sla",
            MaxPoolSize = Workers + 4,
            NoResetOnClose = true,
            MaxAutoPrepare = 64,
        }.ConnectionString;
        await using var loadDataSource = NpgsqlDataSource.Create(loadConnectionString);
        // The escalations' texts are written to the outbox in their transactions and left there: delivery is not measured.
        var escalator = new SlaEscalator(loadDataSource, new SlaStore(loadDataSource, TimeProvider.System), TimeProvider.System,
            new Contact.Core.Infrastructure.ChangeFeed(loadDataSource), new UndeliveredOutbox());

        // (a) The sweep: due cases a thousand at a time, each batch checked by a few workers, until none is due.
        Progress.Say($"Sweeping {options.Breaching} due cases with {Workers} workers");
        long checkedCases = 0;
        var errors = new ErrorSamples();
        var maxRounds = options.Breaching / Batch * 3 + 20;
        clock.Restart();
        for (var round = 0; round < maxRounds; round++)
        {
            var due = await escalator.DueAsync(Batch, ct);
            if (due.Count == 0)
            {
                break;
            }
            await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = Workers, CancellationToken = ct }, async (id, token) =>
            {
                try
                {
                    await escalator.CheckAsync(id, token);
                    Interlocked.Increment(ref checkedCases);
                }
                catch (NpgsqlException e)
                {
                    errors.Add(string.Create(CultureInfo.InvariantCulture, $"{id}: {e.Message}"));
                }
            });
            if (round % 20 == 19)
            {
                Progress.Say($"  {checkedCases} checked in {clock.Elapsed.TotalSeconds:F1} s");
            }
        }
        var sweepTime = clock.Elapsed;
        errors.Print("sweep");
        var stepsFired = await ScalarAsync(cluster.DataSource, "select count(*) from sla_escalations", ct);
        var stillDue = await ScalarAsync(cluster.DataSource, "select count(*) from cases where sla_next_check_at <= now()", ct);
        Progress.Say($"Sweep: {checkedCases} checks in {sweepTime.TotalSeconds:F1} s, {stepsFired} steps fired, {stillDue} still due");

        // (b) The bare substrate: the same rows due again, drained by an indexed SKIP LOCKED update.
        await ExecuteAsync(cluster.DataSource, string.Create(CultureInfo.InvariantCulture,
            $"update cases set sla_next_check_at = now() - random() * interval '10 days' where id between {firstId} and {firstId + options.Breaching - 1}"), ct);
        await ExecuteAsync(cluster.DataSource, "vacuum analyze cases", ct);
        Progress.Say($"Draining the same {options.Breaching} rows bare with {Workers} workers");
        long drained = 0;
        clock.Restart();
        var drains = Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
        {
            await using var connection = await loadDataSource.OpenConnectionAsync(ct);
            await using var command = new NpgsqlCommand("""
                with c as (select id from cases where sla_next_check_at <= now() order by sla_next_check_at limit 1000 for update skip locked)
                update cases set sla_next_check_at = null from c where cases.id = c.id
                """, connection);
            while (true)
            {
                var rows = await command.ExecuteNonQueryAsync(ct);
                if (rows == 0)
                {
                    break;
                }
                Interlocked.Add(ref drained, rows);
            }
        }, ct));
        await Task.WhenAll(drains);
        var drainTime = clock.Elapsed;
        Progress.Say($"Bare drain: {drained} rows in {drainTime.TotalSeconds:F2} s");
        return new SweepResult(checkedCases, sweepTime, stepsFired, drained, drainTime, plan, server);
    }

    /// <summary>Inserts the open cases (the first <c>Breaching</c> of them due); returns the first id.</summary>
    private static async Task<long> InsertCasesAsync(NpgsqlDataSource dataSource, SlaBenchOptions options, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            with cat as (
                select c.id as category_id, p.id as policy_id, p.first_response, p.resolution
                from categories c join sla_policies p on p.category_id = c.id and p.priority is null
                where c.line = '311' and c.active order by c.id limit 1
            ), g as (
                select i, now() - random() * interval '30 days' as created from generate_series(1, $1) i
            )
            insert into cases (line, channel, category_id, language, status, priority, created_at, updated_at,
                               sla_policy_id, first_response_due_at, resolution_due_at, sla_next_check_at)
            select '311', 'web', cat.category_id, 'en', 'new', 'normal', g.created, g.created,
                   cat.policy_id, g.created + cat.first_response, g.created + cat.resolution,
                   case when g.i <= $2 then now() - random() * interval '10 days'
                        else now() + interval '1 day' + random() * interval '30 days' end
            from g cross join cat
            order by g.i
            """);
        command.CommandTimeout = 0;
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = options.Cases, NpgsqlDbType = NpgsqlDbType.Integer });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = options.Breaching, NpgsqlDbType = NpgsqlDbType.Integer });
        var inserted = await command.ExecuteNonQueryAsync(ct);
        if (inserted != options.Cases)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"Inserted {inserted} cases, not {options.Cases}: no 311 category with a policy?"));
        }
        return await ScalarAsync(dataSource, "select min(id) from cases", ct);
    }

    private static async Task<string> ExplainAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            "explain select id from cases where sla_next_check_at <= now() order by sla_next_check_at limit 1000");
        var text = new System.Text.StringBuilder("Plan of the sweep's select (DueAsync):" + Environment.NewLine);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            text.Append("  ").AppendLine(reader.GetString(0));
        }
        return text.ToString();
    }

    private sealed record Lateness(int Count, double P50, double P95, double Max)
    {
        public static Lateness Of(List<double> ms)
        {
            ms.Sort();
            double At(double p) => ms.Count == 0 ? double.NaN : ms[Math.Clamp((int)Math.Ceiling(p / 100 * ms.Count) - 1, 0, ms.Count - 1)];
            return new(ms.Count, At(50), At(95), ms.Count == 0 ? double.NaN : ms[^1]);
        }
    }

    private sealed record TimerResult(long Filed, TimeSpan FilingTime, long FiredInTime, long Fired, long Expected, Lateness Hangfire, Lateness Bare,
        double IdleHostRate, double IdleBareRate);

    // 2 and 3. Timer lateness through the host, then the idle host's load, each next to its bare substrate.
    private static async Task<TimerResult> TimersAndIdleAsync(SlaBenchOptions options, CancellationToken ct)
    {
        await using var cluster = await BenchCluster.StartAsync("timers", cancellationToken: ct);
        Progress.Say($"Second cluster ready; database {cluster.Database} migrated, demo catalog loaded");
        await new DemoSla(cluster.DataSource).EnsureAsync(ct);
        await ExecuteAsync(cluster.DataSource, """
            update sla_policies set calendar_id = (select id from business_calendars where code = 'always-open'),
                   first_response = interval '40 seconds', resolution = interval '60 seconds', warning_percent = 50
            where category_id = (select id from categories where code = 'graffiti')
            """, ct);

        ContactHost? host = await ContactHost.StartAsync(ContactHost.BenchmarkEnvironment(cluster.ConnectionString), cancellationToken: ct);
        try
        {
            using var client = host.CreateClient(32);
            Progress.Say($"Filing {options.Timers} graffiti cases over {FilingWindow.TotalSeconds} s");
            var errors = new ErrorSamples();
            var (filed, filingTime) = await FileCasesAsync(client, options.Timers, errors, ct);
            errors.Print("POST /api/cases");
            host.ThrowIfExited();
            var expected = filed * StepsPerCase;
            Progress.Say($"{filed} cases filed in {filingTime.TotalSeconds:F1} s; waiting for their {expected} steps");

            // Until every step fired, or the last one is more than the grace late.
            var deadline = Stopwatch.StartNew();
            var wait = LastStepAfter + Grace;
            long fired = 0;
            while (deadline.Elapsed < wait)
            {
                await Task.Delay(TimeSpan.FromSeconds(2), ct);
                fired = await ScalarAsync(cluster.DataSource, "select count(*) from sla_escalations", ct);
                if (fired >= expected && deadline.Elapsed >= LastStepAfter)
                {
                    break;
                }
            }
            var firedInTime = fired;
            // Let a backlog drain before anything is read (and before the idle reading): until all fired or no progress for 10 s.
            var backlog = Stopwatch.StartNew();
            var lastChange = Stopwatch.StartNew();
            while (fired < expected && lastChange.Elapsed < TimeSpan.FromSeconds(10) && backlog.Elapsed < TimeSpan.FromMinutes(5))
            {
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
                var now = await ScalarAsync(cluster.DataSource, "select count(*) from sla_escalations", ct);
                if (now != fired)
                {
                    fired = now;
                    lastChange.Restart();
                }
            }
            Progress.Say($"{firedInTime} steps fired within {wait.TotalSeconds:F0} s of the window; {fired} after the backlog drained for {backlog.Elapsed.TotalSeconds:F0} s more");
            host.ThrowIfExited();
            var hangfire = Lateness.Of(await DoublesAsync(cluster.DataSource,
                "select extract(epoch from done_at - due_at) * 1000 from sla_escalations", ct));
            var offsets = await DoublesAsync(cluster.DataSource,
                "select extract(epoch from created_at - (select min(created_at) from cases)) from cases", ct);
            Progress.Say($"Hangfire: {hangfire.Count} of {expected} steps fired after {deadline.Elapsed.TotalSeconds:F0} s; p95 late {hangfire.P95:F0} ms");

            // 3. Idle: the host running, nothing happening.
            await using var counter = await CommitCounter.OpenAsync(cluster.ConnectionString, cancellationToken: ct);
            var hostRate = await IdleRateAsync(counter, options.IdleSeconds, "host running", ct);
            host.ThrowIfExited();
            await host.DisposeAsync();
            host = null;
            Progress.Say($"Host stopped; bare timers for the same instants, and the bare server idle");
            var bareTimers = BareTimersAsync(offsets, ct);
            var bareRate = await IdleRateAsync(counter, options.IdleSeconds, "no client", ct);
            var bare = await bareTimers;
            return new TimerResult(filed, filingTime, firedInTime, hangfire.Count, expected, hangfire, bare, hostRate, bareRate);
        }
        finally
        {
            if (host is not null)
            {
                await host.DisposeAsync();
            }
        }
    }

    private sealed record Filing(string Category, string Language, string Description, Dictionary<string, string[]> Answers,
        string Address, double Latitude, double Longitude, string Phone, bool Notify);

    /// <summary>Files <paramref name="count"/> graffiti cases, case i at i/count of the filing window (open loop, at most 32 in flight).</summary>
    private static async Task<(long Filed, TimeSpan Elapsed)> FileCasesAsync(HttpClient client, int count, ErrorSamples errors, CancellationToken ct)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new Filing("graffiti", "en", "Benchmark: tags on a wall.",
            new Dictionary<string, string[]>(StringComparer.Ordinal) { ["surfaces"] = ["wall"] },
            "100 Queen St, Ottawa", 45.4215, -75.6972, "613-555-0123", false), new JsonSerializerOptions(JsonSerializerDefaults.Web));
        using var inFlight = new SemaphoreSlim(32);
        long filed = 0;
        var clock = Stopwatch.StartNew();
        var posts = new List<Task>(count);
        for (var i = 0; i < count; i++)
        {
            var at = FilingWindow * ((double)i / count);
            if (at > clock.Elapsed)
            {
                await Task.Delay(at - clock.Elapsed, ct);
            }
            await inFlight.WaitAsync(ct);
            posts.Add(Task.Run(async () =>
            {
                try
                {
                    using var content = new ByteArrayContent(body);
                    content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                    using var response = await client.PostAsync(CasesUri, content, ct);
                    if (response.StatusCode == HttpStatusCode.Created)
                    {
                        Interlocked.Increment(ref filed);
                    }
                    else
                    {
                        var text = await response.Content.ReadAsStringAsync(ct);
                        errors.Add(string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)response.StatusCode}: {text}"));
                    }
                }
                catch (HttpRequestException e)
                {
                    errors.Add(e.Message);
                }
                finally
                {
                    inFlight.Release();
                }
            }, ct));
        }
        await Task.WhenAll(posts);
        return (filed, clock.Elapsed);
    }

    /// <summary>In-process timers for every step of every case (same offsets from the first case), and how late each fired.</summary>
    private static async Task<Lateness> BareTimersAsync(List<double> caseOffsetsSeconds, CancellationToken ct)
    {
        var lateness = new ConcurrentBag<double>();
        var clock = Stopwatch.StartNew();
        var start = TimeSpan.FromSeconds(1);
        var timers = caseOffsetsSeconds.SelectMany(c => StepOffsetsSeconds.Select(s => start + TimeSpan.FromSeconds(c + s))).Select(async due =>
        {
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, ct);
            }
            lateness.Add((clock.Elapsed - due).TotalMilliseconds);
        }).ToList();
        await Task.WhenAll(timers);
        return Lateness.Of([.. lateness]);
    }

    private static async Task<double> IdleRateAsync(CommitCounter counter, int idleSeconds, string what, CancellationToken ct)
    {
        Progress.Say($"Idle ({what}): settling {counter.Settle.TotalSeconds} s, then {idleSeconds} s");
        var before = await counter.ReadAsync(ct);
        var clock = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(idleSeconds), ct);
        // The read waits the settle time too, so the window runs from one read to the other.
        var after = await counter.ReadAsync(ct);
        var rate = (after - before) / clock.Elapsed.TotalSeconds;
        Progress.Say($"Idle ({what}): {after - before} transactions in {clock.Elapsed.TotalSeconds:F1} s = {rate:F2}/s");
        return rate;
    }

    private static async Task ExecuteAsync(NpgsqlDataSource dataSource, string sql, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<long> ScalarAsync(NpgsqlDataSource dataSource, string sql, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.CommandTimeout = 0;
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }

    private static async Task<List<double>> DoublesAsync(NpgsqlDataSource dataSource, string sql, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(sql);
        var values = new List<double>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            values.Add(Convert.ToDouble(reader.GetValue(0), CultureInfo.InvariantCulture));
        }
        return values;
    }
}

/// <summary>Leaves outbox rows undelivered: the SLA benchmark measures the escalation checks, not text delivery.</summary>
internal sealed class UndeliveredOutbox : Contact.Core.Notifications.IOutboxDispatcher
{
    /// <inheritdoc />
    public void Dispatch(long outboxId) { }
}
