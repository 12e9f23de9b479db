using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Contact.Benchmarks.Infrastructure;
using Contact.Core.Staff;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Contact.Benchmarks.Desktop;

/// <summary>How the desktop benchmark runs: <c>--agents 200 --cases 40 --claim-cases 2000</c>.</summary>
/// <param name="Agents">Signed-in agents, each with a desktop connection (and as many bare echo connections).</param>
/// <param name="Cases">Cases filed one at a time for the fan-out latency (and as many echo rounds).</param>
/// <param name="ClaimCases">Cases filed before all agents claim at once.</param>
public sealed record DesktopBenchOptions(int Agents, int Cases, int ClaimCases)
{
    /// <summary>200 agents, 40 cases, 2000 cases to claim.</summary>
    public static DesktopBenchOptions Default { get; } = new(200, 40, 2000);

    /// <summary>The options as usage text shows them.</summary>
    public const string Usage = "[--agents 200] [--cases 40] [--claim-cases 2000]";

    /// <summary>Reads <c>--name value</c> or <c>--name=value</c> pairs; anything else is an error.</summary>
    public static bool TryParse(IReadOnlyList<string> args, out DesktopBenchOptions options, out string? error) =>
        OptionPairs.TryApply(args, Default, new Dictionary<string, Func<DesktopBenchOptions, string, DesktopBenchOptions?>>(StringComparer.Ordinal)
        {
            ["--agents"] = (o, v) => OptionPairs.Int(v, 1, 10_000) is int n ? o with { Agents = n } : null,
            ["--cases"] = (o, v) => OptionPairs.Int(v, 1, 100_000) is int n ? o with { Cases = n } : null,
            ["--claim-cases"] = (o, v) => OptionPairs.Int(v, 0, 10_000_000) is int n ? o with { ClaimCases = n } : null,
        }, out options, out error);
}

/// <summary>
/// The agent desktop's push path (a case filed over HTTP → database trigger → LISTEN → SignalR to every agent
/// in the queue) against a bare SignalR echo hub in the same host, and how fast many agents claim at once.
/// </summary>
public static class DesktopBenchmark
{
    private const string Password = "bench-password";
    private static readonly TimeSpan ArrivalTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RoundPause = TimeSpan.FromMilliseconds(100);
    private static readonly Uri CasesUri = new("api/cases", UriKind.Relative);
    private static readonly Uri AntiforgeryUri = new("api/staff/antiforgery", UriKind.Relative);
    private static readonly Uri SignInUri = new("api/staff/signin", UriKind.Relative);
    private static readonly byte[] CaseBody = Encoding.UTF8.GetBytes(
        """{"category":"pothole","language":"en","address":"100 Queen St","answers":{"size":"small"}}""");

    /// <summary>Runs the benchmark and prints the table; 0 when it ran.</summary>
    public static async Task<int> RunAsync(DesktopBenchOptions options, CancellationToken cancellationToken)
    {
        Progress.Say($"Desktop benchmark: {options.Agents} agents, {options.Cases} cases for fan-out, {options.ClaimCases} cases to claim");
        await using var cluster = await BenchCluster.StartAsync("bench", cancellationToken: cancellationToken);
        Progress.Say($"PostgreSQL {cluster.ShortServerVersion} (fsync {cluster.Fsync}) ready; database {cluster.Database} migrated, demo catalog loaded");
        await using var host = await ContactHost.StartAsync(ContactHost.BenchmarkEnvironment(cluster.ConnectionString), cancellationToken: cancellationToken);
        // The baseline: the same work on bare ASP.NET Core and SignalR, in a process of its own.
        await using var bareHost = await ContactHost.StartBareAsync(cancellationToken);
        using var client = host.CreateClient(16);

        // Accounts, straight into the bench database.
        var directory = new StaffDirectory(cluster.DataSource, TimeProvider.System, new Contact.Core.Infrastructure.ChangeFeed(cluster.DataSource));
        var names = Enumerable.Range(0, options.Agents).Select(i => string.Create(CultureInfo.InvariantCulture, $"bench{i}")).ToArray();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(names, parallel, async (name, ct) =>
            await directory.CreateAsync(new NewStaffMember(name, "Bench " + name, Roles.Agent, Password, Lines: ["311", "211"], Languages: ["en"]), ct));
        Progress.Say($"{names.Length} agents created");

        var agents = new Agent[options.Agents];
        var echoes = new Echo[options.Agents];
        try
        {
            // Sign in like the browser, then connect the desktops and the bare echo connections.
            var cookies = new string[options.Agents];
            await Parallel.ForEachAsync(Enumerable.Range(0, options.Agents), parallel, async (i, ct) =>
                cookies[i] = await SignInAsync(client, names[i], ct));
            Progress.Say($"{names.Length} agents signed in");
            var connect = new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(Enumerable.Range(0, options.Agents), connect, async (i, ct) =>
            {
                agents[i] = new Agent(Connection(host, "hubs/agent", cookies[i]));
                await agents[i].Connection.StartAsync(ct);
                echoes[i] = new Echo(Connection(bareHost, "hubs/echo", cookie: null));
                await echoes[i].Connection.StartAsync(ct);
            });
            Progress.Say($"{agents.Length} desktop and {echoes.Length} echo connections open");

            // 1. Fan-out: one case at a time to every agent (one uncounted warm-up round).
            var desktopSamples = new List<long>(options.Agents * options.Cases);
            long desktopMissing = 0;
            for (var round = -1; round < options.Cases; round++)
            {
                var t0 = Stopwatch.GetTimestamp();
                var number = await PostCaseAsync(client, cancellationToken);
                await WaitAsync(() => agents.All(a => a.Arrivals.ContainsKey(number)), cancellationToken);
                if (round >= 0)
                {
                    foreach (var agent in agents)
                    {
                        if (agent.Arrivals.TryGetValue(number, out var arrival))
                        {
                            desktopSamples.Add(arrival - t0);
                        }
                        else
                        {
                            desktopMissing++;
                        }
                    }
                }
                await Task.Delay(RoundPause, cancellationToken);
            }
            host.ThrowIfExited();
            var desktop = new LatencySummary(desktopSamples);
            Progress.Say($"Desktop fan-out: {desktop.Count} deliveries, {desktopMissing} missing; p50 {desktop.P50Ms:F2} ms, p99 {desktop.P99Ms:F2} ms");

            // 2. The bare substrate: one connection broadcasts a stamp, every echo connection receives it.
            var echoSamples = new List<long>(options.Agents * options.Cases);
            long echoMissing = 0;
            for (var round = -1; round < options.Cases; round++)
            {
                var t0 = Stopwatch.GetTimestamp();
                await echoes[0].Connection.InvokeAsync("Broadcast", t0, cancellationToken);
                await WaitAsync(() => echoes.All(e => e.Arrivals.ContainsKey(t0)), cancellationToken);
                if (round >= 0)
                {
                    foreach (var echo in echoes)
                    {
                        if (echo.Arrivals.TryGetValue(t0, out var arrival))
                        {
                            echoSamples.Add(arrival - t0);
                        }
                        else
                        {
                            echoMissing++;
                        }
                    }
                }
                await Task.Delay(RoundPause, cancellationToken);
            }
            host.ThrowIfExited();
            var bare = new LatencySummary(echoSamples);
            Progress.Say($"Bare echo: {bare.Count} deliveries, {echoMissing} missing; p50 {bare.P50Ms:F2} ms, p99 {bare.P99Ms:F2} ms");

            // 3. Claims: file the cases in one statement (the trigger queues and numbers each), then everyone claims at once.
            foreach (var agent in agents)
            {
                agent.Recording = false;
            }
            if (options.ClaimCases > 0)
            {
                await using var insert = cluster.DataSource.CreateCommand("""
                    insert into cases (line, channel, category_id, description, language, created_at, updated_at)
                    select '311', 'web', (select id from categories where code = 'pothole'), 'bench', 'en', now(), now()
                    from generate_series(1, $1)
                    """);
                insert.Parameters.Add(new Npgsql.NpgsqlParameter { Value = options.ClaimCases });
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }
            var waiting = await ScalarAsync(cluster, "select count(*) from cases where assigned_to is null and status not in ('resolved', 'closed')", cancellationToken);
            Progress.Say($"{waiting} cases waiting; letting the desktops take the new-case pushes first");
            await WaitForQuietAsync(agents, cancellationToken);

            var claimErrors = new ErrorSamples();
            var clock = Stopwatch.StartNew();
            var claimedBy = await Task.WhenAll(agents.Select(a => ClaimAllAsync(a, claimErrors, cancellationToken)));
            clock.Stop();
            host.ThrowIfExited();
            claimErrors.Print("ClaimNext");
            var claims = claimedBy.Sum();
            var rate = clock.Elapsed > TimeSpan.Zero ? claims / clock.Elapsed.TotalSeconds : double.NaN;

            var assigned = await ScalarAsync(cluster, "select count(*) from cases where assigned_to is not null", cancellationToken);
            var holders = await ScalarAsync(cluster, "select count(distinct assigned_to) from cases where assigned_to is not null", cancellationToken);
            var claimedEvents = await ScalarAsync(cluster, "select count(*) from case_events where kind = 'claimed'", cancellationToken);
            var claimedCases = await ScalarAsync(cluster, "select count(distinct case_id) from case_events where kind = 'claimed'", cancellationToken);
            var doubleClaims = claimedEvents - claimedCases;
            Progress.Say($"{claims} claims in {clock.Elapsed.TotalSeconds:F2} s by {claimedBy.Count(c => c > 0)} agents; database: {assigned} cases assigned to {holders} agents, {claimedEvents} claim events on {claimedCases} cases");
            if (assigned != claims || claimedEvents != claims || assigned != waiting)
            {
                Progress.Say($"Warning: {claims} claims answered, {waiting} cases were waiting, {assigned} cases assigned, {claimedEvents} claim events");
            }
            if (desktopMissing + echoMissing > 0 || doubleClaims > 0)
            {
                Progress.Say($"Warning: {desktopMissing} desktop and {echoMissing} echo deliveries missing, {doubleClaims} double claims");
            }

            var table = new ResultTable("p50 ms", "p99 ms")
                .Row("case to every agent (SignalR desktop)", ResultTable.Number(desktop.P50Ms, 2), ResultTable.Number(desktop.P99Ms, 2))
                .Row("bare SignalR echo", ResultTable.Number(bare.P50Ms, 2), ResultTable.Number(bare.P99Ms, 2))
                .Row("ratio (desktop / bare)", ResultTable.Number(desktop.P50Ms / bare.P50Ms, 2), ResultTable.Number(desktop.P99Ms / bare.P99Ms, 2))
                .Count("missing deliveries", desktopMissing + echoMissing)
                .Value(string.Create(CultureInfo.InvariantCulture, $"claims/s with {options.Agents} agents claiming at once"), rate, 1)
                .Count("double claims", doubleClaims);
            var title = string.Create(CultureInfo.InvariantCulture,
                $"Contact desktop benchmark — {options.Agents} agents, {options.Cases} cases, {claims} claims, PostgreSQL {cluster.ShortServerVersion} (fsync {cluster.Fsync}), {Environment.ProcessorCount} cores");
            Console.Out.Write(table.Render(title));
            return 0;
        }
        finally
        {
            await Task.WhenAll(agents.Concat<Peer?>(echoes).OfType<Peer>().Select(p => p.Connection.DisposeAsync().AsTask()));
        }
    }

    private static HubConnection Connection(ContactHost host, string path, string? cookie) =>
        new HubConnectionBuilder()
            .WithUrl(new Uri(host.BaseAddress, path), HttpTransportType.WebSockets, o =>
            {
                o.SkipNegotiation = true;
                if (cookie is not null)
                {
                    o.Headers["Cookie"] = cookie;
                }
            })
            .Build();

    /// <summary>GET the antiforgery token and cookie, POST the sign-in; the contact-staff cookie as a Cookie header value.</summary>
    private static async Task<string> SignInAsync(HttpClient client, string userName, CancellationToken ct)
    {
        using var tokenResponse = await client.GetAsync(AntiforgeryUri, ct);
        tokenResponse.EnsureSuccessStatusCode();
        var token = (await tokenResponse.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("token").GetString()
            ?? throw new HostFailedException("GET /api/staff/antiforgery answered no token.");
        var antiforgeryCookies = CookiesOf(tokenResponse, _ => true);

        using var request = new HttpRequestMessage(HttpMethod.Post, SignInUri)
        {
            Content = JsonContent.Create(new { userName, password = Password }),
        };
        request.Headers.Add("X-CSRF-TOKEN", token);
        request.Headers.Add("Cookie", antiforgeryCookies);
        using var response = await client.SendAsync(request, ct);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var answer = await response.Content.ReadAsStringAsync(ct);
            throw new HostFailedException(string.Create(CultureInfo.InvariantCulture,
                $"Sign-in of {userName} answered {(int)response.StatusCode}: {answer}"));
        }
        var staffCookie = CookiesOf(response, c => c.StartsWith("contact-staff", StringComparison.Ordinal));
        return staffCookie.Length > 0 ? staffCookie : throw new HostFailedException($"Sign-in of {userName} set no contact-staff cookie.");
    }

    /// <summary>The name=value parts of the response's Set-Cookie headers that <paramref name="keep"/> accepts, joined for a Cookie header.</summary>
    private static string CookiesOf(HttpResponseMessage response, Func<string, bool> keep) =>
        response.Headers.TryGetValues("Set-Cookie", out var values)
            ? string.Join("; ", values.Select(v => v.Split(';', 2)[0].Trim()).Where(keep))
            : "";

    private static async Task<string> PostCaseAsync(HttpClient client, CancellationToken ct)
    {
        using var content = new ByteArrayContent(CaseBody);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await client.PostAsync(CasesUri, content, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new HostFailedException(string.Create(CultureInfo.InvariantCulture, $"POST /api/cases answered {(int)response.StatusCode}: {body}"));
        }
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("number").GetString() ?? throw new HostFailedException("POST /api/cases answered no number: " + body);
    }

    /// <summary>Waits until <paramref name="done"/> or <see cref="ArrivalTimeout"/>; arrivals are stamped by the handlers, not here.</summary>
    private static async Task WaitAsync(Func<bool> done, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (!done() && clock.Elapsed < ArrivalTimeout)
        {
            await Task.Delay(1, ct);
        }
    }

    /// <summary>Waits until no desktop push has arrived for a second (at most a minute).</summary>
    private static async Task WaitForQuietAsync(Agent[] agents, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var last = -1L;
        while (clock.Elapsed < TimeSpan.FromMinutes(1))
        {
            var now = agents.Sum(a => Interlocked.Read(ref a.Pushes));
            if (now == last)
            {
                return;
            }
            last = now;
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
        }
    }

    /// <summary>ClaimNext until nothing waits; the number of cases this agent claimed.</summary>
    private static async Task<int> ClaimAllAsync(Agent agent, ErrorSamples errors, CancellationToken ct)
    {
        var claimed = 0;
        var failures = 0;
        while (failures < 10)
        {
            try
            {
                await agent.Connection.InvokeAsync<JsonElement>("ClaimNext", ct);
                claimed++;
            }
            catch (HubException e) when (e.Message.Contains("No case is waiting", StringComparison.Ordinal))
            {
                break;
            }
            catch (HubException e)
            {
                errors.Add("HubException: " + e.Message);
                failures++;
            }
        }
        return claimed;
    }

    private static async Task<long> ScalarAsync(BenchCluster cluster, string sql, CancellationToken ct)
    {
        await using var command = cluster.DataSource.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }

    private abstract class Peer(HubConnection connection)
    {
        public HubConnection Connection { get; } = connection;
    }

    /// <summary>A signed-in desktop: when each case's QueueItemChanged first arrived.</summary>
    private sealed class Agent : Peer
    {
        public readonly ConcurrentDictionary<string, long> Arrivals = new(StringComparer.Ordinal);
        public long Pushes;
        public volatile bool Recording = true;

        public Agent(HubConnection connection)
            : base(connection) =>
            connection.On<JsonElement>("QueueItemChanged", item =>
            {
                var now = Stopwatch.GetTimestamp();
                Interlocked.Increment(ref Pushes);
                if (Recording && item.TryGetProperty("number", out var number) && number.GetString() is { } n)
                {
                    Arrivals.TryAdd(n, now);
                }
            });
    }

    /// <summary>A bare echo connection: when each stamp arrived.</summary>
    private sealed class Echo : Peer
    {
        public readonly ConcurrentDictionary<long, long> Arrivals = new();

        public Echo(HubConnection connection)
            : base(connection) =>
            connection.On<long>("Echo", stamp => Arrivals.TryAdd(stamp, Stopwatch.GetTimestamp()));
    }
}
