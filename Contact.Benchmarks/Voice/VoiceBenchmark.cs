using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Contact.Benchmarks.Infrastructure;

namespace Contact.Benchmarks.Voice;

/// <summary>How the voice benchmark runs: <c>--rate 460 --seconds 20</c>.</summary>
/// <param name="Rate">Requests per second sent on a fixed timetable (open loop).</param>
/// <param name="Duration">How long each measurement lasts.</param>
public sealed record VoiceBenchOptions(double Rate, TimeSpan Duration)
{
    /// <summary>460 requests/s (ten times NYC 311's busiest hour at about five webhooks a call) for 20 s.</summary>
    public static VoiceBenchOptions Default { get; } = new(460, TimeSpan.FromSeconds(20));

    /// <summary>The options as usage text shows them.</summary>
    public const string Usage = "[--rate 460] [--seconds 20]";

    /// <summary>Reads <c>--name value</c> or <c>--name=value</c> pairs; anything else is an error.</summary>
    public static bool TryParse(IReadOnlyList<string> args, out VoiceBenchOptions options, out string? error) =>
        OptionPairs.TryApply(args, Default, new Dictionary<string, Func<VoiceBenchOptions, string, VoiceBenchOptions?>>(StringComparer.Ordinal)
        {
            ["--rate"] = (o, v) => OptionPairs.Number(v, 1, 100_000) is double n ? o with { Rate = n } : null,
            ["--seconds"] = (o, v) => OptionPairs.Number(v, double.Epsilon, 86_400) is double n ? o with { Duration = TimeSpan.FromSeconds(n) } : null,
        }, out options, out error);
}

/// <summary>
/// A mid-call IVR step (a signed Twilio webhook to /twilio/voice/menu, keyed 3 for the status prompt) against a
/// bare TwiML endpoint in the same host that only reads the posted form, both at the same steady open-loop rate:
/// sends follow a fixed timetable whatever the responses do, and latency counts from the scheduled send time.
/// </summary>
public static class VoiceBenchmark
{
    private const int Calls = 2000;
    private const int SetupConcurrency = 32;
    private const int MaxInFlight = 512;
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(2);
    private const string From = "+16135550123";
    private const string To = "+16135550311";

    /// <summary>Runs the benchmark and prints the table; 0 when it ran.</summary>
    public static async Task<int> RunAsync(VoiceBenchOptions options, CancellationToken cancellationToken)
    {
        Progress.Say($"Voice benchmark: open loop at {options.Rate} requests/s for {options.Duration.TotalSeconds} s per endpoint, {Calls} calls");
        await using var cluster = await BenchCluster.StartAsync("bench", cancellationToken: cancellationToken);
        Progress.Say($"PostgreSQL {cluster.ShortServerVersion} (fsync {cluster.Fsync}) ready; database {cluster.Database} migrated, demo catalog loaded");
        await using var host = await ContactHost.StartAsync(ContactHost.BenchmarkEnvironment(cluster.ConnectionString), cancellationToken: cancellationToken);
        // The baseline: the same work on bare ASP.NET Core and SignalR, in a process of its own.
        await using var bareHost = await ContactHost.StartBareAsync(cancellationToken);
        using var client = host.CreateClient(MaxInFlight);

        // Setup (untimed): every call answered and its language chosen, so it waits at the main menu.
        var sids = Enumerable.Range(0, Calls).Select(_ => "CA" + Guid.NewGuid().ToString("N")).ToArray();
        var setupErrors = new ErrorSamples();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = SetupConcurrency, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(sids, parallel, async (sid, ct) =>
        {
            var start = await SendAsync(client, Webhook.Create(host.BaseAddress, "twilio/voice", sid, digits: null), ct);
            if (start.Status != HttpStatusCode.OK || !start.Body.Contains("/twilio/voice/language", StringComparison.Ordinal))
            {
                setupErrors.Add(Describe("POST /twilio/voice", start));
                return;
            }
            var language = await SendAsync(client, Webhook.Create(host.BaseAddress, "twilio/voice/language", sid, digits: "1"), ct);
            if (language.Status != HttpStatusCode.OK || !language.Body.Contains("/twilio/voice/menu", StringComparison.Ordinal))
            {
                setupErrors.Add(Describe("POST /twilio/voice/language", language));
            }
        });
        setupErrors.Print("Setup");
        if (setupErrors.Seen > 0)
        {
            throw new HostFailedException(host.Describe(string.Create(CultureInfo.InvariantCulture, $"{setupErrors.Seen} of {Calls} calls could not be brought to the main menu.")));
        }
        Progress.Say($"{Calls} calls at the main menu");

        // The requests, built and signed ahead so the load generator only sends.
        var menu = sids.Select(sid => Webhook.Create(host.BaseAddress, "twilio/voice/menu", sid, digits: "3")).ToArray();
        var bare = sids.Select(sid => Webhook.Create(bareHost.BaseAddress, "bench/twiml", sid, digits: "3")).ToArray();

        // One check that keying 3 at the menu is the status prompt, not an apology or a retry.
        var probe = await SendAsync(client, menu[0], cancellationToken);
        if (probe.Status != HttpStatusCode.OK || !probe.Body.Contains("/twilio/voice/status", StringComparison.Ordinal))
        {
            throw new HostFailedException(host.Describe(Describe("The menu step did not answer the status prompt", probe)));
        }

        var ivrErrors = new ErrorSamples();
        Progress.Say($"Warming up /twilio/voice/menu for {Warmup.TotalSeconds} s");
        var ivrWarmup = await OpenLoop.RunAsync(client, menu, options.Rate, Warmup, ivrErrors, cancellationToken);
        Progress.Say($"Measuring /twilio/voice/menu at {options.Rate} requests/s for {options.Duration.TotalSeconds} s");
        var ivr = await OpenLoop.RunAsync(client, menu, options.Rate, options.Duration, ivrErrors, cancellationToken);
        host.ThrowIfExited();
        Progress.Say($"/twilio/voice/menu: {ivr.Successes} ok, {ivr.Failures} failed in {ivr.Elapsed.TotalSeconds:F2} s");
        ivrErrors.Print("POST /twilio/voice/menu");

        var bareErrors = new ErrorSamples();
        Progress.Say($"Warming up /bench/twiml for {Warmup.TotalSeconds} s");
        var bareWarmup = await OpenLoop.RunAsync(client, bare, options.Rate, Warmup, bareErrors, cancellationToken);
        Progress.Say($"Measuring /bench/twiml at {options.Rate} requests/s for {options.Duration.TotalSeconds} s");
        var raw = await OpenLoop.RunAsync(client, bare, options.Rate, options.Duration, bareErrors, cancellationToken);
        host.ThrowIfExited();
        Progress.Say($"/bench/twiml: {raw.Successes} ok, {raw.Failures} failed in {raw.Elapsed.TotalSeconds:F2} s");
        bareErrors.Print("POST /bench/twiml");

        var table = new ResultTable("rate/s", "p50 ms", "p99 ms")
            .Row("mid-call IVR step (/twilio/voice/menu)", ResultTable.Number(ivr.Rate, 1), ResultTable.Number(ivr.Latency.P50Ms, 2), ResultTable.Number(ivr.Latency.P99Ms, 2))
            .Row("bare TwiML endpoint", ResultTable.Number(raw.Rate, 1), ResultTable.Number(raw.Latency.P50Ms, 2), ResultTable.Number(raw.Latency.P99Ms, 2))
            .Row("ratio (IVR / bare)", "",
                ResultTable.Number(ivr.Latency.P50Ms / raw.Latency.P50Ms, 2),
                ResultTable.Number(ivr.Latency.P99Ms / raw.Latency.P99Ms, 2))
            .Count("errors", ivrWarmup.Failures + ivr.Failures + bareWarmup.Failures + raw.Failures);
        var title = string.Create(CultureInfo.InvariantCulture,
            $"Contact voice benchmark — open loop {options.Rate} requests/s, {options.Duration.TotalSeconds} s each (after {Warmup.TotalSeconds} s warm-up), {Calls} calls, target p99 ≤ 2× bare, PostgreSQL {cluster.ShortServerVersion} (fsync {cluster.Fsync}), {Environment.ProcessorCount} cores");
        Console.Out.Write(table.Render(title));
        return 0;
    }

    private readonly record struct Answer(HttpStatusCode Status, string Body);

    private static async Task<Answer> SendAsync(HttpClient client, Webhook webhook, CancellationToken ct)
    {
        using var request = webhook.ToRequest();
        using var response = await client.SendAsync(request, ct);
        return new Answer(response.StatusCode, await response.Content.ReadAsStringAsync(ct));
    }

    private static string Describe(string what, Answer answer) =>
        string.Create(CultureInfo.InvariantCulture, $"{what}: HTTP {(int)answer.Status}: {answer.Body}");

    /// <summary>A Twilio webhook ready to send: the form body and its signature for the URL it is posted to.</summary>
    private sealed class Webhook
    {
        private static readonly MediaTypeHeaderValue FormType = new("application/x-www-form-urlencoded");

        private Webhook(Uri uri, byte[] body, string signature)
        {
            Uri = uri;
            Body = body;
            Signature = signature;
        }

        public Uri Uri { get; }

        public byte[] Body { get; }

        public string Signature { get; }

        /// <summary>Twilio's fields for <paramref name="sid"/>, signed with the benchmark token for exactly the URL posted to.</summary>
        public static Webhook Create(Uri baseAddress, string path, string sid, string? digits)
        {
            var fields = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["CallSid"] = sid,
                ["AccountSid"] = "ACbenchmark",
                ["From"] = From,
                ["To"] = To,
                ["CallStatus"] = "in-progress",
                ["Direction"] = "inbound",
            };
            if (digits is not null)
            {
                fields["Digits"] = digits;
            }
            var uri = new Uri(baseAddress, path);
            var body = string.Join('&', fields.Select(f => Uri.EscapeDataString(f.Key) + "=" + Uri.EscapeDataString(f.Value)));
            return new Webhook(uri, Encoding.UTF8.GetBytes(body), Sign(ContactHost.BenchmarkTwilioToken, uri.AbsoluteUri, fields));
        }

        /// <summary>Twilio's signature: HMAC-SHA1 over the URL and the fields sorted by name, base64.</summary>
        private static string Sign(string token, string url, IEnumerable<KeyValuePair<string, string>> fields)
        {
            var data = new StringBuilder(url);
            foreach (var (key, value) in fields.OrderBy(f => f.Key, StringComparer.Ordinal))
            {
                data.Append(key).Append(value);
            }
#pragma warning disable CA5350 // Twilio signs webhooks with HMAC-SHA1; the benchmark must do the same.
            return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(data.ToString())));
#pragma warning restore CA5350
        }

        public HttpRequestMessage ToRequest()
        {
            var content = new ByteArrayContent(Body);
            content.Headers.ContentType = FormType;
            var request = new HttpRequestMessage(HttpMethod.Post, Uri) { Content = content };
            request.Headers.Add("X-Twilio-Signature", Signature);
            return request;
        }
    }

    /// <summary>
    /// An open loop: request i is due at start + i / rate, sent then whether or not earlier ones have answered
    /// (up to <see cref="MaxInFlight"/> in flight), and its latency runs from when it was due until its
    /// response was fully read, so queueing delay counts.
    /// </summary>
    private static class OpenLoop
    {
        public static async Task<LoadResult> RunAsync(
            HttpClient client, IReadOnlyList<Webhook> webhooks, double rate, TimeSpan duration, ErrorSamples errors, CancellationToken ct)
        {
            var count = (int)Math.Max(1, Math.Round(rate * duration.TotalSeconds));
            var latencies = new long[count];
            var ok = new bool[count];
            var tasks = new Task[count];
            using var gate = new SemaphoreSlim(MaxInFlight, MaxInFlight);
            var interval = Stopwatch.Frequency / rate;
            long lastDone = 0;

            async Task SendOneAsync(int i, long due)
            {
                try
                {
                    using var request = webhooks[i % webhooks.Count].ToRequest();
                    using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
                    var body = await response.Content.ReadAsByteArrayAsync(ct);
                    var done = Stopwatch.GetTimestamp();
                    latencies[i] = done - due;
                    InterlockedMax(ref lastDone, done);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        ok[i] = true;
                    }
                    else
                    {
                        errors.Add(string.Create(CultureInfo.InvariantCulture,
                            $"HTTP {(int)response.StatusCode} {response.ReasonPhrase} from {request.RequestUri}: {Encoding.UTF8.GetString(body)}"));
                    }
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                }
#pragma warning disable CA1031 // A failed request is counted and shown, never allowed to end the run.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    InterlockedMax(ref lastDone, Stopwatch.GetTimestamp());
                    errors.Add($"{e.GetType().Name}: {e.Message}");
                }
                finally
                {
                    gate.Release();
                }
            }

            // The timetable runs on a thread of its own, so neither the thread pool nor the responses can delay it.
            var start = Stopwatch.GetTimestamp();
            var scheduler = new Thread(() =>
            {
                for (var i = 0; i < count; i++)
                {
                    var due = start + (long)(i * interval);
                    while (true)
                    {
                        var wait = due - Stopwatch.GetTimestamp();
                        if (wait <= 0)
                        {
                            break;
                        }
                        if (wait > Stopwatch.Frequency / 500)
                        {
                            Thread.Sleep(1);
                        }
                        else
                        {
                            Thread.SpinWait(50);
                        }
                    }
                    if (ct.IsCancellationRequested)
                    {
                        for (var j = i; j < count; j++)
                        {
                            tasks[j] = Task.CompletedTask;
                        }
                        return;
                    }
                    gate.Wait(CancellationToken.None);
                    var index = i;
                    tasks[i] = Task.Run(() => SendOneAsync(index, due), CancellationToken.None);
                }
            })
            {
                IsBackground = true,
                Name = "open-loop scheduler",
                Priority = ThreadPriority.AboveNormal,
            };
            scheduler.Start();
            await Task.Run(scheduler.Join, CancellationToken.None);
            await Task.WhenAll(tasks);
            ct.ThrowIfCancellationRequested();

            var successes = ok.Count(o => o);
            var elapsed = Stopwatch.GetElapsedTime(start, Math.Max(lastDone, start + 1));
            return new LoadResult(successes, count - successes, elapsed,
                new LatencySummary(Enumerable.Range(0, count).Where(i => ok[i]).Select(i => latencies[i])));
        }

        private static void InterlockedMax(ref long target, long value)
        {
            var current = Interlocked.Read(ref target);
            while (value > current)
            {
                var seen = Interlocked.CompareExchange(ref target, value, current);
                if (seen == current)
                {
                    return;
                }
                current = seen;
            }
        }
    }
}
