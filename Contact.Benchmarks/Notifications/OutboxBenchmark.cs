using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Contact.Benchmarks.Infrastructure;
using Contact.Core.Notifications;
using Contact.Ivr.Twilio;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Twilio.Clients;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;

namespace Contact.Benchmarks.Notifications;

/// <summary>How the outbox benchmark runs: <c>--messages 5000 --concurrency 16</c>.</summary>
/// <param name="Messages">Outbox rows delivered (and as many direct API calls for the stub's ceiling).</param>
/// <param name="Concurrency">Workers, each with one delivery in flight at a time.</param>
public sealed record OutboxBenchOptions(int Messages, int Concurrency)
{
    /// <summary>5000 messages by 16 workers.</summary>
    public static OutboxBenchOptions Default { get; } = new(5000, 16);

    /// <summary>The options as usage text shows them.</summary>
    public const string Usage = "[--messages 5000] [--concurrency 16]";

    /// <summary>Reads <c>--name value</c> or <c>--name=value</c> pairs; anything else is an error.</summary>
    public static bool TryParse(IReadOnlyList<string> args, out OutboxBenchOptions options, out string? error) =>
        OptionPairs.TryApply(args, Default, new Dictionary<string, Func<OutboxBenchOptions, string, OutboxBenchOptions?>>(StringComparer.Ordinal)
        {
            ["--messages"] = (o, v) => OptionPairs.Int(v, 1, 1_000_000) is int n ? o with { Messages = n } : null,
            // Each worker holds at most one database session; PostgreSQL allows 100 by default.
            ["--concurrency"] = (o, v) => OptionPairs.Int(v, 1, 64) is int n ? o with { Concurrency = n } : null,
        }, out options, out error);
}

/// <summary>
/// Outbox delivery (claim the row, send through Twilio's SDK, record the outcome) against a local stub of
/// Twilio's Messages API, and the stub's own ceiling: the same SDK call alone at the same concurrency. Every
/// row must end 'sent' and the stub must have been asked once per row.
/// </summary>
public static class OutboxBenchmark
{
    private const string AccountSid = "ACbench";
    private const string From = "+16135550311";
    private const int MessagesPerCase = 100;
    private const int WarmupPerWorker = 4;

    private sealed record Message(long Id, string To, string Body);

    /// <summary>Runs the benchmark and prints the table; 0 when it ran.</summary>
    public static async Task<int> RunAsync(OutboxBenchOptions options, CancellationToken cancellationToken)
    {
        var warmup = options.Concurrency * WarmupPerWorker;
        Progress.Say($"Outbox benchmark: {options.Messages} messages (after {warmup} warm-up), concurrency {options.Concurrency}");
        await using var cluster = await BenchCluster.StartAsync("bench", cancellationToken: cancellationToken);
        Progress.Say($"PostgreSQL {cluster.ShortServerVersion} (fsync {cluster.Fsync}) ready; database {cluster.Database} migrated, demo catalog loaded");
        await using var stub = await TwilioStubServer.StartAsync(cancellationToken);
        Progress.Say($"Twilio stub listening on {stub.BaseAddress}");
        var stubClient = stub.Client(AccountSid);

        // Untimed: the rows, and the cases they belong to.
        var clock = Stopwatch.StartNew();
        var ids = await InsertMessagesAsync(cluster.DataSource, warmup + options.Messages, cancellationToken);
        var warmupIds = ids[..warmup];
        var measuredIds = ids[warmup..];
        Progress.Say($"{ids.Length} outbox rows in {(ids.Length + MessagesPerCase - 1) / MessagesPerCase} cases inserted in {clock.Elapsed.TotalSeconds:F1} s");

        // One data source for the deliveries, apart from the cluster's (setup and checks), set as the host's
        // case store sets its own (CasesDatabase): no reset on reuse, statements prepared once per connection.
        var loadConnectionString = new NpgsqlConnectionStringBuilder(cluster.ConnectionString)
        {
            ApplicationName = "contact-bench-outbox",
            MaxPoolSize = options.Concurrency + 4,
            NoResetOnClose = true,
            MaxAutoPrepare = 64,
        }.ConnectionString;
        await using var loadDataSource = NpgsqlDataSource.Create(loadConnectionString);
        var sender = new TwilioSmsSender(stubClient, Options.Create(new TwilioOptions
        {
            AccountSid = AccountSid,
            AuthToken = "x",
            Lines = { [From] = "311" },
        }));
        var delivery = new OutboxDelivery(loadDataSource, sender, TimeProvider.System);

        // 1. Delivery: a warm-up on rows of its own (JIT, pools), then the measured rows.
        var deliveryErrors = new ErrorSamples();
        var requestsBefore = stub.Requests;
        Progress.Say($"Warming up: delivering {warmup} rows");
        var warm = await DrainAsync(options.Concurrency, warmupIds, (id, ct) => DeliverAsync(delivery, id, ct), deliveryErrors, cancellationToken);
        var warmupRequests = stub.Requests - requestsBefore;

        await using var counter = await CommitCounter.OpenAsync(cluster.ConnectionString, cancellationToken: cancellationToken);
        Progress.Say($"Waiting {counter.Settle.TotalSeconds} s for the server's statistics to settle");
        var commitsBefore = await counter.ReadAsync(cancellationToken);
        var measuredBefore = stub.Requests;
        Progress.Say($"Delivering {measuredIds.Length} rows with {options.Concurrency} workers");
        var delivered = await DrainAsync(options.Concurrency, measuredIds, (id, ct) => DeliverAsync(delivery, id, ct), deliveryErrors, cancellationToken);
        var measuredRequests = stub.Requests - measuredBefore;
        var recipients = stub.Recipients;
        var textedTwice = stub.RecipientsTextedTwice;
        Progress.Say($"{delivered.Successes} delivered, {delivered.Failures} not, in {delivered.Elapsed.TotalSeconds:F2} s; waiting {counter.Settle.TotalSeconds} s for the statistics");
        var commitsAfter = await counter.ReadAsync(cancellationToken);
        var commits = commitsAfter - commitsBefore;
        deliveryErrors.Print("outbox delivery");

        // Every row sent, once: by the rows, their history, and what the stub was asked.
        var rows = await counter.ScalarAsync("select count(*) from outbox", cancellationToken);
        var notSent = await counter.ScalarAsync("select count(*) from outbox where status <> 'sent'", cancellationToken);
        var sids = await counter.ScalarAsync("select count(distinct provider_message_id) from outbox where status = 'sent'", cancellationToken);
        var attempts = await counter.ScalarAsync("select count(*) from outbox_attempts", cancellationToken);
        var doubleSends = warmupRequests + measuredRequests - rows;
        if (measuredRequests != options.Messages)
        {
            Progress.Say($"Warning: the stub was asked {measuredRequests} times for {options.Messages} measured messages");
        }
        if (notSent != 0 || sids != rows || attempts != rows || recipients != rows || textedTwice != 0)
        {
            Progress.Say($"Warning: {rows} rows, {notSent} not sent, {sids} distinct sids, {attempts} attempts, {recipients} numbers texted, {textedTwice} of them more than once");
        }
        else
        {
            Progress.Say($"Checked: all {rows} rows sent, each with its own sid, one attempt each; the stub texted {recipients} numbers once each");
        }

        // 2. The stub's ceiling: the same SDK call alone, same concurrency, same count, same messages.
        var messages = await ReadMessagesAsync(cluster.DataSource, measuredIds, cancellationToken);
        var stubErrors = new ErrorSamples();
        Progress.Say($"Calling the stub directly {messages.Count} times with {options.Concurrency} workers");
        var byId = messages.ToDictionary(m => m.Id);
        var ceiling = await DrainAsync(options.Concurrency, measuredIds, (id, ct) => CreateAsync(stubClient, byId[id]), stubErrors, cancellationToken);
        stubErrors.Print("stub ceiling");

        var table = new ResultTable("rate/s", "p50 ms", "p99 ms")
            .Rate("outbox delivery (claim, send, record)", delivered)
            .Rate("stub ceiling (Twilio API call alone)", ceiling)
            .Value("ratio (delivery / stub)", ceiling.Rate > 0 ? delivered.Rate / ceiling.Rate : double.NaN, 2)
            .Value("database commits per delivered message", delivered.Successes > 0 ? (double)commits / delivered.Successes : double.NaN, 2)
            .Count("double sends", doubleSends)
            .Count("rows not sent", notSent);
        var title = string.Create(CultureInfo.InvariantCulture,
            $"Contact outbox benchmark — {options.Messages} messages, concurrency {options.Concurrency}, PostgreSQL {cluster.ShortServerVersion} (fsync {cluster.Fsync}), {Environment.ProcessorCount} cores");
        Console.Out.Write(table.Render(title));
        Progress.Say($"Measured: {delivered.Successes} deliveries in {delivered.Elapsed.TotalSeconds:F2} s, {commits} commits by others; {ceiling.Successes} stub calls in {ceiling.Elapsed.TotalSeconds:F2} s; warm-up {warm.Successes} deliveries");
        return 0;
    }

    private static async Task<bool> DeliverAsync(OutboxDelivery delivery, long id, CancellationToken ct) =>
        // Null: sent (or, wrongly, not claimed: the checks afterwards tell). A wait: the send failed and is retried later.
        await delivery.DeliverAsync(id, ct) is null;

    private static async Task<bool> CreateAsync(ITwilioRestClient client, Message message)
    {
        var created = await MessageResource.CreateAsync(to: new PhoneNumber(message.To), from: new PhoneNumber(From), body: message.Body, client: client);
        return created.Sid is not null;
    }

    /// <summary>
    /// Inserts <paramref name="count"/> pending outbox rows, due now, each to a number of its own, in cases of
    /// <see cref="MessagesPerCase"/> rows on the 311 line; returns their ids in order.
    /// </summary>
    private static async Task<long[]> InsertMessagesAsync(NpgsqlDataSource dataSource, int count, CancellationToken ct)
    {
        // The text a resident gets when a case is made, with the case's own number and category.
        var template = Outbox.Render("created", "en", "{case}", "{category}");
        await using var command = dataSource.CreateCommand("""
            with category as (
                select id, name_en from categories where line = '311' and active order by id limit 1
            ), new_cases as (
                insert into cases (line, channel, category_id, language, resident_phone, notify_consent, created_at, updated_at)
                select '311', 'sms', category.id, 'en', '+1613' || lpad(g::text, 7, '0'), true, now(), now()
                from generate_series(1, ($1 + $2 - 1) / $2) g cross join category
                returning id, number
            ), numbered as (
                select id, number, row_number() over (order by id) as n from new_cases
            )
            insert into outbox (case_id, to_address, language, kind, body, next_attempt_at, created_at, updated_at)
            select c.id, '+1613' || lpad(i::text, 7, '0'), 'en', 'created',
                   replace(replace($3, '{case}', c.number), '{category}', category.name_en),
                   now() - interval '1 minute', now(), now()
            from generate_series(1, $1) i
            join numbered c on c.n = (i - 1) / $2 + 1
            cross join category
            returning id
            """);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = count, NpgsqlDbType = NpgsqlDbType.Integer });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = MessagesPerCase, NpgsqlDbType = NpgsqlDbType.Integer });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = template, NpgsqlDbType = NpgsqlDbType.Text });
        var ids = new List<long>(count);
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                ids.Add(reader.GetInt64(0));
            }
        }
        if (ids.Count != count)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"Inserted {ids.Count} outbox rows, not {count}: the demo catalog has no active 311 category?"));
        }
        ids.Sort();
        return [.. ids];
    }

    private static async Task<List<Message>> ReadMessagesAsync(NpgsqlDataSource dataSource, long[] ids, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("select id, to_address, body from outbox where id = any($1) order by id");
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = ids, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
        var messages = new List<Message>(ids.Length);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            messages.Add(new Message(reader.GetInt64(0), reader.GetString(1), reader.GetString(2)));
        }
        return messages;
    }

    /// <summary>
    /// <paramref name="concurrency"/> workers, each taking the next id from one shared queue until it is empty;
    /// the elapsed time runs from the start until the last operation finished.
    /// </summary>
    private static async Task<LoadResult> DrainAsync(
        int concurrency, IReadOnlyList<long> ids, Func<long, CancellationToken, Task<bool>> operation, ErrorSamples errors, CancellationToken cancellationToken)
    {
        var queue = new ConcurrentQueue<long>(ids);
        var latencies = new List<long>[concurrency];
        var successes = new long[concurrency];
        var failures = new long[concurrency];
        var clock = Stopwatch.StartNew();

        async Task WorkAsync(int worker)
        {
            var mine = latencies[worker] = new List<long>(capacity: ids.Count / concurrency + 1);
            while (!cancellationToken.IsCancellationRequested && queue.TryDequeue(out var id))
            {
                var start = Stopwatch.GetTimestamp();
                bool ok;
                var threw = false;
                try
                {
                    ok = await operation(id, cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    break;
                }
#pragma warning disable CA1031 // A failed operation is counted and shown, never allowed to end the run.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    errors.Add(string.Create(CultureInfo.InvariantCulture, $"{id}: {e.GetType().Name}: {e.Message}"));
                    ok = false;
                    threw = true;
                }
                var ticks = Stopwatch.GetTimestamp() - start;
                if (ok)
                {
                    successes[worker]++;
                    mine.Add(ticks);
                }
                else
                {
                    failures[worker]++;
                    if (!threw)
                    {
                        errors.Add(string.Create(CultureInfo.InvariantCulture, $"{id}: not sent"));
                    }
                }
            }
        }

        var workers = new Task[concurrency];
        for (var i = 0; i < concurrency; i++)
        {
            var worker = i;
            workers[i] = Task.Run(() => WorkAsync(worker), CancellationToken.None);
        }
        await Task.WhenAll(workers);
        clock.Stop();
        cancellationToken.ThrowIfCancellationRequested();
        return new LoadResult(successes.Sum(), failures.Sum(), clock.Elapsed, new LatencySummary(latencies.SelectMany(l => l)));
    }
}
