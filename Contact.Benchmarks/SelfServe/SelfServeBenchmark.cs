using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Contact.Benchmarks.Infrastructure;
using Contact.Core.ResourceDirectory;
using Npgsql;

namespace Contact.Benchmarks.SelfServe;

/// <summary>
/// Self-serve by text through the real host ("FOOD K1P" posted to the signed Twilio messaging webhook: the number's
/// lock, its conversation, the directory search, the fitted reply, the reply remembered) against the directory search
/// alone (<see cref="DirectorySearch.SearchNearbyAsync"/>, what a text runs, in-process with the same query) on the same database.
/// </summary>
public static class SelfServeBenchmark
{
    /// <summary>Services generated around the Ottawa postal areas.</summary>
    private const int Services = 5000;

    private static readonly MediaTypeHeaderValue FormType = new("application/x-www-form-urlencoded");

    /// <summary>Runs the benchmark and prints the table; 0 when it ran, 1 when more than 1% of operations failed.</summary>
    public static async Task<int> RunAsync(LoadOptions options, CancellationToken cancellationToken)
    {
        Progress.Say($"Self-serve benchmark: concurrency {options.Concurrency}, {options.Duration.TotalSeconds} s measured after {options.Warmup.TotalSeconds} s warm-up");
        await using var cluster = await BenchCluster.StartAsync("bench", cancellationToken: cancellationToken);
        var fsas = await SeedAsync(cluster.DataSource, cancellationToken);
        Progress.Say($"PostgreSQL {cluster.ShortServerVersion} (fsync {cluster.Fsync}); {Services} services around {fsas.Count} Ottawa postal areas");
        await using var host = await ContactHost.StartAsync(ContactHost.BenchmarkEnvironment(cluster.ConnectionString), cancellationToken: cancellationToken);
        using var client = host.CreateClient(options.Concurrency);

        // What residents text: every need word, in English and French, with an area or a full postal code.
        var texts = (from need in NeedWords.All
                     from language in new[] { "en", "fr" }
                     from fsa in fsas
                     select (Body: need.WordIn(Contact.Core.Infrastructure.Language.Of(language)) + " " + fsa + (fsa[1] % 2 == 0 ? " 1A1" : ""), Need: need, Language: language, Fsa: fsa)).ToList();
        var next = -1L;
        (string Body, Need Need, string Language, string Fsa) Pick() => texts[(int)(Interlocked.Increment(ref next) % texts.Count)];

        // 1. Through the host.
        var smsErrors = new ErrorSamples();
        var webhook = new Uri(host.BaseAddress, "twilio/sms");
        async ValueTask<bool> TextAsync(int worker, CancellationToken ct)
        {
            var text = Pick();
            var sid = "SM" + Guid.NewGuid().ToString("N");
            var fields = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["MessageSid"] = sid,
                ["AccountSid"] = "ACbenchmark",
                ["From"] = "+1613555" + (1000 + worker).ToString(CultureInfo.InvariantCulture),
                ["To"] = "+16135550211",
                ["Body"] = text.Body,
                ["NumMedia"] = "0",
            };
            var content = new ByteArrayContent(Encoding.UTF8.GetBytes(string.Join('&', fields.Select(f => Uri.EscapeDataString(f.Key) + "=" + Uri.EscapeDataString(f.Value)))));
            content.Headers.ContentType = FormType;
            using var request = new HttpRequestMessage(HttpMethod.Post, webhook) { Content = content };
            request.Headers.Add("X-Twilio-Signature", Sign(webhook.AbsoluteUri, fields));
            using var response = await client.SendAsync(request, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            // A reply that lists services: the search ran and found some (every area has services open at any hour).
            if (response.StatusCode == HttpStatusCode.OK && body.Contains("\n1. ", StringComparison.Ordinal))
            {
                return true;
            }
            smsErrors.Add(string.Create(CultureInfo.InvariantCulture, $"{text.Body}: HTTP {(int)response.StatusCode}: {body}"));
            return false;
        }
        var smsWarmup = await ClosedLoop.WarmUpAsync(options, TextAsync, smsErrors, cancellationToken);
        Progress.Say($"Measuring POST /twilio/sms for {options.Duration.TotalSeconds} s");
        var sms = await ClosedLoop.RunAsync(options.Concurrency, options.Duration, TextAsync, smsErrors, cancellationToken);
        host.ThrowIfExited();
        smsErrors.Print("POST /twilio/sms");

        // 2. The search alone: same database, same queries, same concurrency, no HTTP and no conversation.
        var search = new DirectorySearch(cluster.DataSource, TimeProvider.System);
        var searchErrors = new ErrorSamples();
        async ValueTask<bool> SearchAsync(int worker, CancellationToken ct)
        {
            var text = Pick();
            var result = await search.SearchNearbyAsync(new DirectoryQuery(Terms: text.Need.Terms, Language: text.Language, PostalCode: text.Fsa,
                OpenNow: true, Limit: 3), NearbyCursor.Start, ct);
            if (result.Hits.Count > 0)
            {
                return true;
            }
            searchErrors.Add(text.Body + ": no hits " + result.Problem);
            return false;
        }
        var searchWarmup = await ClosedLoop.WarmUpAsync(options, SearchAsync, searchErrors, cancellationToken);
        Progress.Say($"Measuring DirectorySearch.SearchNearbyAsync for {options.Duration.TotalSeconds} s");
        var bare = await ClosedLoop.RunAsync(options.Concurrency, options.Duration, SearchAsync, searchErrors, cancellationToken);
        searchErrors.Print("DirectorySearch.SearchNearbyAsync");

        var table = new ResultTable("rate/s", "p50 ms", "p99 ms")
            .Rate("POST /twilio/sms \"FOOD K1P\"", sms)
            .Rate("DirectorySearch alone", bare)
            .Value("ratio (text / search)", bare.Rate > 0 ? sms.Rate / bare.Rate : double.NaN, 2)
            .Count("errors", smsWarmup.Failures + sms.Failures + searchWarmup.Failures + bare.Failures);
        var title = string.Create(CultureInfo.InvariantCulture,
            $"Contact self-serve benchmark — concurrency {options.Concurrency}, {options.Duration.TotalSeconds} s, {Services} services, PostgreSQL {cluster.ShortServerVersion} (fsync {cluster.Fsync}), {Environment.ProcessorCount} cores");
        Console.Out.Write(table.Render(title));

        var failures = new[] { (smsWarmup, sms), (searchWarmup, bare) }
            .Select(p => (double)(p.Item1.Failures + p.Item2.Failures) / Math.Max(1, p.Item1.Attempts + p.Item2.Attempts)).Max();
        if (failures > 0.01)
        {
            await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"More than 1% of operations failed ({failures:P2}): the figures above are not valid."));
            return 1;
        }
        return 0;
    }


    /// <summary>Twilio's signature with the benchmark host's token: HMAC-SHA1 over the URL and the sorted fields, base64.</summary>
    private static string Sign(string url, IEnumerable<KeyValuePair<string, string>> fields)
    {
        var data = new StringBuilder(url);
        foreach (var (key, value) in fields.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            data.Append(key).Append(value);
        }
#pragma warning disable CA5350 // Twilio signs webhooks with HMAC-SHA1; the benchmark must do the same.
        return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(ContactHost.BenchmarkTwilioToken), Encoding.UTF8.GetBytes(data.ToString())));
#pragma warning restore CA5350
    }

    /// <summary>
    /// Generates services for every need around the Ottawa postal areas: each at a location near an area's centroid,
    /// with an address, a phone and weekly hours (a third open around the clock, so every search finds some open now).
    /// Returns the areas.
    /// </summary>
    private static async Task<IReadOnlyList<string>> SeedAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        var codes = NeedWords.All.SelectMany(n => n.Terms).Distinct(StringComparer.Ordinal).ToArray();
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand("""
            insert into directory.taxonomy_terms (id, code, name, description)
            select 'bench-' || code, code, code, code from unnest(@codes) as code
            on conflict do nothing;
            insert into directory.organizations (id, name, description) values ('bench-org', 'Benchmark Community Services', 'Generated.');
            with areas as (
                select fsa, latitude, longitude, row_number() over (order by fsa) - 1 as n, count(*) over () as total
                from directory.postal_areas where fsa like 'K1%' or fsa like 'K2%'),
            made as (
                select i, a.fsa, a.latitude + ((i * 37) % 100 - 50) * 0.0002 as latitude, a.longitude + ((i * 53) % 100 - 50) * 0.0003 as longitude,
                       (@codes)[1 + i % cardinality(@codes)] as code,
                       -- Every term gets every kind of hours: around the clock, weekdays, or weekdays and Saturday.
                       (i / cardinality(@codes)) % 3 as kind
                from generate_series(0, @services - 1) as i
                join areas a on a.n = i % a.total),
            services as (
                insert into directory.services (id, organization_id, name, name_fr, description, status)
                select 'bench-s' || i, 'bench-org', 'Service ' || i, 'Service ' || i, 'Generated service ' || i || ' for ' || code, 'active' from made),
            locations as (
                insert into directory.locations (id, location_type, organization_id, name, latitude, longitude)
                select 'bench-l' || i, 'physical', 'bench-org', 'Location ' || i, latitude, longitude from made),
            links as (
                insert into directory.service_at_location (id, service_id, location_id)
                select 'bench-sal' || i, 'bench-s' || i, 'bench-l' || i from made),
            addresses as (
                insert into directory.addresses (id, location_id, address_1, city, state_province, postal_code, country, address_type)
                select 'bench-a' || i, 'bench-l' || i, (10 + i % 900) || ' Bank St', 'Ottawa', 'ON', fsa || ' 1A1', 'CA', 'physical' from made),
            phones as (
                insert into directory.phones (id, service_id, location_id, number)
                select 'bench-p' || i, 'bench-s' || i, 'bench-l' || i, '613-555-' || lpad((i % 10000)::text, 4, '0') from made),
            schedules as (
                insert into directory.schedules (id, service_id, freq, byday, opens_at, closes_at)
                select 'bench-h' || i, 'bench-s' || i, 'WEEKLY',
                       case kind when 0 then null when 1 then 'MO,TU,WE,TH,FR' else 'MO,TU,WE,TH,FR,SA' end,
                       case kind when 0 then time '00:00' when 1 then time '09:00' else time '08:00' end,
                       case kind when 0 then time '00:00' when 1 then time '17:00' else time '20:00' end
                from made)
            insert into directory.attributes (id, link_id, taxonomy_term_id, link_type, link_entity)
            select 'bench-t' || i, 'bench-s' || i, t.id, 'service', 'service' from made join directory.taxonomy_terms t on t.code = made.code;
            analyze;
            select fsa from directory.postal_areas where fsa like 'K1%' or fsa like 'K2%' order by fsa;
            """, connection);
        command.Parameters.AddWithValue("codes", codes);
        command.Parameters.AddWithValue("services", Services);
        var fsas = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        do
        {
            while (await reader.ReadAsync(ct))
            {
                fsas.Add(reader.GetString(0));
            }
        }
        while (await reader.NextResultAsync(ct));
        return fsas;
    }
}
