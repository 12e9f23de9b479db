using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Contact.Benchmarks.Infrastructure;
using Npgsql;
using NpgsqlTypes;

namespace Contact.Benchmarks.Intake;

/// <summary>
/// Case intake through the real host (POST /api/cases) against the bare substrate (single-row autocommit
/// INSERTs) on the same durable PostgreSQL server and database, plus how many commits one case costs.
/// </summary>
public static class IntakeBenchmark
{
    private static readonly Uri CasesUri = new("api/cases", UriKind.Relative);
    private static readonly Uri CatalogUri = new("api/catalog", UriKind.Relative);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Runs the benchmark and prints the table; 0 when it ran, 1 when the host failed or more than 1% of requests failed.</summary>
    public static async Task<int> RunAsync(LoadOptions options, CancellationToken cancellationToken)
    {
        Progress.Say($"Intake benchmark: concurrency {options.Concurrency}, {options.Duration.TotalSeconds} s measured after {options.Warmup.TotalSeconds} s warm-up");
        await using var cluster = await BenchCluster.StartAsync("bench", cancellationToken: cancellationToken);
        Progress.Say($"PostgreSQL {cluster.ShortServerVersion} (fsync {cluster.Fsync}) ready; database {cluster.Database} migrated, demo catalog loaded");
        await using var host = await ContactHost.StartAsync(ContactHost.BenchmarkEnvironment(cluster.ConnectionString), cancellationToken: cancellationToken);
        using var client = host.CreateClient(options.Concurrency);

        // 1. Through the host.
        var submissions = await BuildSubmissionsAsync(client, cancellationToken);
        Progress.Say($"{submissions.Count} submissions built from the catalog");
        var intakeErrors = new ErrorSamples();
        var post = new PostCase(client, submissions, intakeErrors);
        var intakeWarmup = await ClosedLoop.WarmUpAsync(options, post.RunAsync, intakeErrors, cancellationToken);

        await using var counter = await CommitCounter.OpenAsync(cluster.ConnectionString, cancellationToken: cancellationToken);
        Progress.Say($"Waiting {counter.Settle.TotalSeconds} s for the server's statistics to settle");
        var commitsBefore = await counter.ReadAsync(cancellationToken);
        Progress.Say($"Measuring POST /api/cases for {options.Duration.TotalSeconds} s");
        var intake = await ClosedLoop.RunAsync(options.Concurrency, options.Duration, post.RunAsync, intakeErrors, cancellationToken);
        host.ThrowIfExited();
        Progress.Say($"{intake.Successes} cases created, {intake.Failures} failures; waiting {counter.Settle.TotalSeconds} s for the statistics");
        var commitsAfter = await counter.ReadAsync(cancellationToken);
        var commits = commitsAfter - commitsBefore;
        var casesStored = await counter.ScalarAsync("select count(*) from cases", cancellationToken);
        var casesAnswered = intakeWarmup.Successes + intake.Successes;
        if (casesStored != casesAnswered)
        {
            Progress.Say($"Warning: the database holds {casesStored} cases but the host answered 201 {casesAnswered} times");
        }
        intakeErrors.Print("POST /api/cases");

        // 2. The bare substrate: same server, same database, same load shape.
        var rawErrors = new ErrorSamples();
        LoadResult raw;
        LoadResult rawWarmup;
        await using (var insert = await RawInsert.CreateAsync(cluster, options.Concurrency, submissions, cancellationToken))
        {
            rawWarmup = await ClosedLoop.WarmUpAsync(options, insert.RunAsync, rawErrors, cancellationToken);
            Progress.Say($"Measuring single-row INSERTs for {options.Duration.TotalSeconds} s");
            raw = await ClosedLoop.RunAsync(options.Concurrency, options.Duration, insert.RunAsync, rawErrors, cancellationToken);
        }
        rawErrors.Print("raw INSERT");
        host.ThrowIfExited();

        var table = new ResultTable("rate/s", "p50 ms", "p99 ms")
            .Rate("POST /api/cases (HTTP)", intake)
            .Rate("raw single-row INSERT", raw)
            .Value("ratio (intake / raw)", raw.Rate > 0 ? intake.Rate / raw.Rate : double.NaN, 2)
            .Value("database commits per case", intake.Successes > 0 ? (double)commits / intake.Successes : double.NaN, 2)
            .Count("errors", intakeWarmup.Failures + intake.Failures + rawWarmup.Failures + raw.Failures);
        var title = string.Create(CultureInfo.InvariantCulture,
            $"Contact intake benchmark — concurrency {options.Concurrency}, {options.Duration.TotalSeconds} s, PostgreSQL {cluster.ShortServerVersion} (fsync {cluster.Fsync}), {Environment.ProcessorCount} cores");
        Console.Out.Write(table.Render(title));
        Progress.Say($"Measured: {intake.Successes} cases in {intake.Elapsed.TotalSeconds:F2} s, {commits} commits by others; {raw.Successes} rows in {raw.Elapsed.TotalSeconds:F2} s");

        var intakeFailure = Ratio(intakeWarmup, intake);
        var rawFailure = Ratio(rawWarmup, raw);
        if (intakeFailure > 0.01 || rawFailure > 0.01)
        {
            await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"More than 1% of operations failed (intake {intakeFailure:P2}, raw {rawFailure:P2}): the figures above are not valid."));
            return 1;
        }
        return 0;
    }

    private static double Ratio(LoadResult warmup, LoadResult measured)
    {
        var attempts = warmup.Attempts + measured.Attempts;
        return attempts == 0 ? 1 : (double)(warmup.Failures + measured.Failures) / attempts;
    }


    /// <summary>A valid submission as the JSON API takes it.</summary>
    internal sealed record Submission(
        string Category, string Language, string Description, Dictionary<string, string> Answers,
        string? Address, double? Latitude, double? Longitude, string Phone, bool Notify);

    private sealed record CatalogJson(List<CategoryJson>? Categories);

    private sealed record CategoryJson(string Code, string Line, bool LocationRequired, List<QuestionJson>? Questions);

    private sealed record QuestionJson(string Code, string Datatype, bool Required, List<ChoiceJson>? Choices);

    private sealed record ChoiceJson(string Key);

    /// <summary>For every category of GET /api/catalog, one valid submission in English and one in French.</summary>
    private static async Task<IReadOnlyList<Submission>> BuildSubmissionsAsync(HttpClient client, CancellationToken ct)
    {
        var catalog = await client.GetFromJsonAsync<CatalogJson>(CatalogUri, Json, ct);
        var categories = catalog?.Categories ?? [];
        if (categories.Count == 0)
        {
            throw new HostFailedException("GET /api/catalog lists no categories: the demo catalog was not loaded.");
        }
        var submissions = new List<Submission>();
        foreach (var language in new[] { "en", "fr" })
        {
            foreach (var category in categories)
            {
                var answers = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var q in (category.Questions ?? []).Where(q => q.Required))
                {
                    answers[q.Code] = q.Datatype switch
                    {
                        "singlevaluelist" or "multivaluelist" => q.Choices?.FirstOrDefault()?.Key
                            ?? throw new HostFailedException($"Question {category.Code}.{q.Code} is a list without choices."),
                        "number" => "2",
                        "datetime" => "2026-11-20T08:00:00-05:00",
                        _ => "benchmark",
                    };
                }
                var located = category.LocationRequired;
                submissions.Add(new Submission(
                    category.Code, language,
                    $"Benchmark request for {category.Code} ({category.Line}), submitted in {language}.",
                    answers,
                    located ? "100 Queen St, Ottawa" : null,
                    located ? 45.4215 : null,
                    located ? -75.6972 : null,
                    "613-555-0123",
                    // Intake alone: the texts a consenting resident gets are the outbox benchmark's to measure.
                    Notify: false));
            }
        }
        // Alternate languages request by request.
        var half = submissions.Count / 2;
        return [.. Enumerable.Range(0, half).SelectMany(i => new[] { submissions[i], submissions[half + i] })];
    }

    /// <summary>POSTs the submissions in turn; 201 is a success, anything else a failure with its body kept.</summary>
    private sealed class PostCase(HttpClient client, IReadOnlyList<Submission> submissions, ErrorSamples errors)
    {
        private readonly byte[][] _bodies = [.. submissions.Select(s => JsonSerializer.SerializeToUtf8Bytes(s, Json))];
        private long _next = -1;

        public async ValueTask<bool> RunAsync(int worker, CancellationToken ct)
        {
            var body = _bodies[(int)((ulong)Interlocked.Increment(ref _next) % (ulong)_bodies.Length)];
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await client.PostAsync(CasesUri, content, ct);
            if (response.StatusCode == HttpStatusCode.Created)
            {
                return true;
            }
            var answer = await response.Content.ReadAsStringAsync(ct);
            errors.Add(string.Create(CultureInfo.InvariantCulture,
                $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}: {answer}{Environment.NewLine}request: {Encoding.UTF8.GetString(body)}"));
            return false;
        }
    }

    /// <summary>One connection per worker, each running a prepared single-row autocommit INSERT.</summary>
    private sealed class RawInsert(PreparedWorkers workers, IReadOnlyList<Submission> submissions) : IAsyncDisposable
    {
        private readonly string[] _categories = [.. submissions.Select(s => s.Category)];
        private readonly string[] _descriptions = [.. submissions.Select(s => s.Description)];
        private long _next = -1;

        public static async Task<RawInsert> CreateAsync(BenchCluster cluster, int workers, IReadOnlyList<Submission> submissions, CancellationToken ct)
        {
            await using (var create = cluster.DataSource.CreateCommand("""
                create table bench_raw (
                    id          bigint generated always as identity primary key,
                    category    text not null,
                    description text not null,
                    created_at  timestamptz not null
                )
                """))
            {
                await create.ExecuteNonQueryAsync(ct);
            }
            var prepared = await PreparedWorkers.OpenAsync(cluster, workers, "insert into bench_raw (category, description, created_at) values ($1, $2, now())", parameters =>
            {
                parameters.Add(new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Text });
                parameters.Add(new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Text });
            }, ct);
            return new RawInsert(prepared, submissions);
        }

        public async ValueTask<bool> RunAsync(int worker, CancellationToken ct)
        {
            var n = (int)((ulong)Interlocked.Increment(ref _next) % (ulong)_categories.Length);
            var command = workers[worker];
            ((NpgsqlParameter<string>)command.Parameters[0]).TypedValue = _categories[n];
            ((NpgsqlParameter<string>)command.Parameters[1]).TypedValue = _descriptions[n];
            return await command.ExecuteNonQueryAsync(ct) == 1;
        }

        public ValueTask DisposeAsync() => workers.DisposeAsync();
    }
}
