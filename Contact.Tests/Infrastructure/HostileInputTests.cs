using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Contact.Core.Desktop;
using Contact.Tests.Desktop;
using Contact.Tests.Open311;
using Contact.Tests.Voice;
using Dapper;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Npgsql;

namespace Contact.Tests.Infrastructure;

/// <summary>
/// Hostile input on every public surface (forms, JSON, Open311, status pages, webhooks, hub calls, sign-in): each is
/// refused with a clear answer, writes nothing (the whole database is compared before and after each, leaving out
/// only what a refusal is meant to count: failed sign-ins and wrong codes), and no answer carries a private field of
/// the private cases on file. Prints the table the issue's note quotes.
/// </summary>
public sealed class HostileInputTests : AppFixture
{
    private const string Token = "hostile-input-token";

    // Private fields of the two private cases on file; none may appear in any answer below.
    private const string NoiseDescription = "Quentin Zephyrine next door plays drums at 3am";
    private const string NoiseAddress = "77 Quietude Crescent";
    private const string NoiseName = "Pat Xanthippe";
    private const string NoisePhone = "613-555-0188";
    private const string NoiseEmail = "pat.xanthippe@example.org";
    private const string ShelterDescription = "Sleeping in my car with Ysolde tonight";

    private static readonly string[] Private =
        [NoiseDescription, "Zephyrine", NoiseAddress, "Quietude", NoiseName, "Xanthippe", "5550188", "555-0188", NoiseEmail, ShelterDescription, "Ysolde"];

    // Tables a refusal is meant to write to (counting failures), and the host's own bookkeeping.
    private static readonly string[] Counted = ["sign_in_failures", "one_time_codes", "data_protection_keys"];

    private string _noise = "";
    private string _shelter = "";
    private string _claimed = "";
    private string _french = "";
    private DesktopClient _agent = null!;
    private DesktopClient _provider = null!;

    private sealed record Outcome(bool Refused, string Answer);

    private sealed record Probe(string Surface, string Input, Func<Task<Outcome>> Run);

    private sealed record Result(string Surface, string Input, bool Refused, bool Wrote, string[] Leaked, string Answer, string Tables);

    protected override Task<ContactFactory> CreateAppAsync() => ContactFactory.CreateAsync(new Dictionary<string, string?> { ["Twilio:AuthToken"] = Token });

    protected override async Task SetUpAppAsync()
    {
        var client = App.CreateClient();
        var noise = await client.PostAsJsonAsync("/api/cases", new
        {
            category = "noise-complaint", language = "en", description = NoiseDescription, address = NoiseAddress,
            latitude = 45.4215, longitude = -75.6972, answers = new { type = "music" }, name = NoiseName, phone = NoisePhone, email = NoiseEmail,
        });
        Assert.That(noise.StatusCode, Is.EqualTo(HttpStatusCode.Created), await noise.Content.ReadAsStringAsync());
        _noise = (await noise.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetString()!;
        var shelter = await client.PostAsJsonAsync("/api/cases", new { category = "general-211", language = "en", description = ShelterDescription, phone = "613-555-0177" });
        Assert.That(shelter.StatusCode, Is.EqualTo(HttpStatusCode.Created), await shelter.Content.ReadAsStringAsync());
        _shelter = (await shelter.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetString()!;
        _claimed = await App.FileAsync(address: "1 Hostile Way");
        _french = await App.FileAsync(language: "fr", address: "2 rue Hostile");
        _agent = await DesktopClient.ConnectAsync(App, "agent");
        _provider = await DesktopClient.ConnectAsync(App, "provider");
        await _agent.Hub.InvokeAsync<CaseDetail>("Claim", _claimed);
        // A code is on its way to the resident, so that wrong codes can be tried against it.
        Assert.That((await StatusStepAsync(_noise, ("step", "send"))).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    protected override async Task TearDownAppAsync()
    {
        await _agent.DisposeAsync();
        await _provider.DisposeAsync();
    }

    /// <summary>A digest of every row of every table but <see cref="Counted"/>: any write changes it.</summary>
    private async Task<string> DigestAsync()
    {
        await using var connection = new NpgsqlConnection(App.ConnectionString);
        await connection.OpenAsync();
        var tables = await connection.QueryAsync<string>("""
            select format('%I.%I', table_schema, table_name) from information_schema.tables
            where table_type = 'BASE TABLE' and table_schema in ('public', 'directory') and not (table_name = any(@Counted))
            order by 1
            """, new { Counted });
        var digest = new StringBuilder();
        foreach (var table in tables)
        {
            digest.Append(table).Append('=').Append(await connection.ExecuteScalarAsync<string>(
                $"select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from {table} t")).Append(';');
        }
        return digest.ToString();
    }

    /// <summary>Waits until nothing in the background (deliveries, timers) is still writing.</summary>
    private async Task<string> QuietDigestAsync()
    {
        var last = await DigestAsync();
        for (var i = 0; i < 50; i++)
        {
            await Task.Delay(200);
            var now = await DigestAsync();
            if (now == last)
            {
                return now;
            }
            last = now;
        }
        Assert.Fail("the database never went quiet");
        return last;
    }

    private static async Task<Outcome> Http(Task<HttpResponseMessage> send, params HttpStatusCode[] refusedAs)
    {
        var response = await send;
        var body = await response.Content.ReadAsStringAsync();
        var code = (int)response.StatusCode;
        var refused = refusedAs.Length > 0 ? refusedAs.Contains(response.StatusCode) : code is >= 400 and < 500;
        return new Outcome(refused, $"{code} {body}");
    }

    private static async Task<Outcome> Hub(Func<Task> call)
    {
        try
        {
            await call();
            return new Outcome(false, "accepted");
        }
        catch (HubException e)
        {
            return new Outcome(e.Message.Length > 0, e.Message);
        }
    }

    /// <summary>
    /// A status read: not refused, but it must answer without the case's details (or, as Open311 does for a case it
    /// does not publish, as if there were no such case).
    /// </summary>
    private static async Task<Outcome> Withheld(Task<HttpResponseMessage> send)
    {
        var response = await send;
        var body = await response.Content.ReadAsStringAsync();
        return new Outcome(response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.NotFound, $"{(int)response.StatusCode} {body}");
    }

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    private static FormUrlEncodedContent Form(IEnumerable<KeyValuePair<string, string>> fields) => new(fields);

    private async Task<Outcome> ReportAsync(string code, params (string Name, string Value)[] fields)
    {
        var browser = App.Browser("en");
        var page = await browser.GetAsync($"/report/{code}");
        if (!page.IsSuccessStatusCode)
        {
            return new Outcome(page.StatusCode == HttpStatusCode.NotFound, $"{(int)page.StatusCode} {await page.Content.ReadAsStringAsync()}");
        }
        var form = await Html.ParseAsync(page);
        var response = await browser.SubmitAsync(form, $"/report/{code}", fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));
        var body = await response.Content.ReadAsStringAsync();
        // Refused: no redirect to a new request, and the form says what is wrong.
        var refused = response.StatusCode != HttpStatusCode.Redirect && (int)response.StatusCode < 500 && body.Contains("error", StringComparison.OrdinalIgnoreCase);
        return new Outcome(refused, $"{(int)response.StatusCode} {body}");
    }

    /// <summary>Posts a step of the status page's code forms (send a code, verify one) as a browser would.</summary>
    private async Task<HttpResponseMessage> StatusStepAsync(string number, params (string Name, string Value)[] fields)
    {
        var browser = App.Browser("en");
        var page = await Html.ParseAsync(await browser.GetAsync($"/requests/{number}"));
        var token = page.QuerySelector("input[name=__RequestVerificationToken]")?.GetAttribute("value") ?? "";
        return await browser.PostAsync($"/requests/{number}",
            Form([new("__RequestVerificationToken", token), .. fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))]));
    }

    private async Task<Outcome> TwilioAsync(string path, IDictionary<string, string> fields, bool sign = true, string? signature = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields) };
        if (signature is not null || sign)
        {
            request.Headers.Add("X-Twilio-Signature", signature ?? TwilioCall.Sign(Token, "http://localhost" + path, fields));
        }
        return await Http(App.CreateClient().SendAsync(request));
    }

    private static Dictionary<string, string> Call(params (string Name, string Value)[] extra)
    {
        var fields = new Dictionary<string, string>
        {
            ["CallSid"] = "CA" + Guid.NewGuid().ToString("N"), ["AccountSid"] = "ACtest", ["From"] = "+16135550123", ["To"] = "+16135550311",
            ["CallStatus"] = "in-progress", ["Direction"] = "inbound",
        };
        foreach (var (name, value) in extra)
        {
            if (value.Length == 0)
            {
                fields.Remove(name);
            }
            else
            {
                fields[name] = value;
            }
        }
        return fields;
    }

    private IEnumerable<Probe> Probes()
    {
        var api = App.CreateClient();
        var longText = new string('x', 4001);
        const string form = "Web form (/report)";
        yield return new(form, "no antiforgery token", () => Http(App.Browser("en").PostAsync("/report/pothole", Form([new("description", "hole")]))));
        yield return new(form, "unknown category", () => ReportAsync("no-such-service"));
        yield return new(form, "description over 4000 characters", () => ReportAsync("graffiti", ("description", longText), ("address", "1 Main St")));
        yield return new(form, "phone that is not a number", () => ReportAsync("graffiti", ("description", "tag"), ("address", "1 Main St"), ("phone", "call me maybe")));
        yield return new(form, "email that is not an address", () => ReportAsync("graffiti", ("description", "tag"), ("address", "1 Main St"), ("email", "not-an-email")));
        yield return new(form, "script in the address, no description", () => ReportAsync("graffiti", ("address", "<script>alert(1)</script>")));

        const string json = "JSON API (POST /api/cases)";
        yield return new(json, "malformed JSON", () => Http(api.PostAsync("/api/cases", Json("{\"category\":"))));
        yield return new(json, "category of the wrong type", () => Http(api.PostAsync("/api/cases", Json("{\"category\":5,\"language\":\"en\"}"))));
        yield return new(json, "unknown category", () => Http(api.PostAsJsonAsync("/api/cases", new { category = "no-such", language = "en", description = "x" })));
        yield return new(json, "SQL in the category", () => Http(api.PostAsJsonAsync("/api/cases", new { category = "pothole'; drop table cases; --", language = "en" })));
        yield return new(json, "description over 4000 characters", () => Http(api.PostAsJsonAsync("/api/cases", new { category = "graffiti", language = "en", description = longText, address = "1 Main St" })));
        yield return new(json, "NUL character in the description", () => Http(api.PostAsJsonAsync("/api/cases", new { category = "graffiti", language = "en", description = "a\u0000b", address = "1 Main St" })));
        yield return new(json, "latitude 91", () => Http(api.PostAsJsonAsync("/api/cases", new { category = "pothole", language = "en", latitude = 91.0, longitude = 0.0, answers = new { size = "large" } })));
        yield return new(json, "invalid phone", () => Http(api.PostAsJsonAsync("/api/cases", new { category = "graffiti", language = "en", description = "tag", address = "1 Main St", phone = "12" })));
        yield return new(json, "invalid email", () => Http(api.PostAsJsonAsync("/api/cases", new { category = "graffiti", language = "en", description = "tag", address = "1 Main St", email = "@" })));
        yield return new(json, "unknown language", () => Http(api.PostAsJsonAsync("/api/cases", new { category = "graffiti", language = "xx", description = "tag", address = "1 Main St" })));
        yield return new(json, "answers as an array", () => Http(api.PostAsync("/api/cases", Json("{\"category\":\"pothole\",\"language\":\"en\",\"answers\":[1,2]}"))));
        yield return new(json, "answer not among the choices", () => Http(api.PostAsJsonAsync("/api/cases", new { category = "pothole", language = "en", address = "1 Main St", answers = new { size = "enormous" } })));
        yield return new(json, "a 2 MB body", () => Http(api.PostAsync("/api/cases", Json("{\"category\":\"graffiti\",\"description\":\"" + new string('y', 2_000_000) + "\"}"))));

        const string life = "Life events (POST /api/life-events/{code}, /life-events/{code})";
        var move = new { old_address = "1 Old Rd", new_address = "2 New Rd", date = "2026-12-20" };
        yield return new(life, "unknown life event", () => Http(api.PostAsJsonAsync("/api/life-events/no-such-event", new { language = "en", shared = move })));
        yield return new(life, "SQL in the life event's code", () => Http(api.PostAsJsonAsync("/api/life-events/moving'%3B%20drop%20table%20cases%3B--", new { language = "en", shared = move })));
        yield return new(life, "a service not in the life event", () => Http(api.PostAsJsonAsync("/api/life-events/moving", new { language = "en", shared = move, services = new[] { "pothole" }, name = "A" })));
        yield return new(life, "no service left", () => Http(api.PostAsJsonAsync("/api/life-events/moving", new { language = "en", shared = move, services = Array.Empty<string>(), name = "A" })));
        yield return new(life, "a missing shared answer", () => Http(api.PostAsJsonAsync("/api/life-events/moving", new { language = "en", shared = new { old_address = "1 Old Rd" }, services = new[] { "cra-address" }, name = "A" })));
        yield return new(life, "answers for a service not chosen", () => Http(api.PostAsJsonAsync("/api/life-events/moving",
            new { language = "en", shared = move, services = new[] { "cra-address" }, answers = new { parking_permit = new { plate = "X" } }, name = "A" })));
        yield return new(life, "a shared answer over 2000 characters", () => Http(api.PostAsJsonAsync("/api/life-events/moving",
            new { language = "en", shared = new { old_address = "1 Old Rd", new_address = new string('z', 2001), date = "2026-12-20" }, services = new[] { "cra-address" }, name = "A" })));
        yield return new(life, "a 2 MB body", () => Http(api.PostAsync("/api/life-events/moving", Json("{\"name\":\"" + new string('y', 2_000_000) + "\"}"))));
        yield return new(life, "the web steps without an antiforgery token", () => Http(App.Browser("en").PostAsync("/life-events/moving", Form([new("go", "submit")]))));

        const string reads = "Status reads (web, JSON)";
        yield return new(reads, "number with a wrong check digit", () => Http(api.GetAsync($"/api/cases/{_noise[..^1]}{(char)('0' + ((_noise[^1] - '0' + 1) % 10))}")));
        yield return new(reads, "letters for a number", () => Http(api.GetAsync("/api/cases/abcdefg")));
        yield return new(reads, "SQL for a number", () => Http(api.GetAsync("/api/cases/1%27%20or%201%3D1--")));
        yield return new(reads, "a 5000-character number", () => Http(api.GetAsync("/requests/" + new string('9', 5000))));
        yield return new(reads, "private 311 case by number (JSON)", () => Withheld(api.GetAsync($"/api/cases/{_noise}")));
        yield return new(reads, "211 case by number (JSON)", () => Withheld(api.GetAsync($"/api/cases/{_shelter}")));
        yield return new(reads, "private 311 case by number (page)", () => Withheld(App.Browser("en").GetAsync($"/requests/{_noise}")));
        yield return new(reads, "211 case by number (page)", () => Withheld(App.Browser("fr").GetAsync($"/requests/{_shelter}")));
        yield return new(reads, "a wrong one-time code", async () =>
        {
            var response = await StatusStepAsync(_noise, ("step", "verify"), ("code", "000000"));
            var body = await response.Content.ReadAsStringAsync();
            return new Outcome(response.StatusCode == HttpStatusCode.BadRequest && body.Contains("code-error", StringComparison.Ordinal), $"{(int)response.StatusCode} {body}");
        });
        yield return new(reads, "a code of letters and SQL", async () =>
        {
            var response = await StatusStepAsync(_noise, ("step", "verify"), ("code", "1' or '1'='1"));
            return new Outcome(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        });

        const string open311 = "Open311 GeoReport v2";
        yield return new(open311, "no api_key", () => Http(api.PostRequestAsync("json", Open311Client.Pothole(("api_key", null)))));
        yield return new(open311, "wrong api_key", () => Http(api.PostRequestAsync("json", Open311Client.Pothole(("api_key", "guess")))));
        yield return new(open311, "unknown service_code", () => Http(api.PostRequestAsync("json", Open311Client.Pothole(("service_code", "no-such")))));
        yield return new(open311, "lat that is not a number", () => Http(api.PostRequestAsync("json", Open311Client.Pothole(("lat", "north")))));
        yield return new(open311, "description over the limit", () => Http(api.PostRequestAsync("json", Open311Client.Pothole(("description", longText)))));
        yield return new(open311, "email that is not an address", () => Http(api.PostRequestAsync("xml", Open311Client.Pothole(("email", "nobody")))));
        yield return new(open311, "another jurisdiction", () => Http(api.PostRequestAsync("json", Open311Client.Pothole(("jurisdiction_id", "elsewhere.example")))));
        yield return new(open311, "private 311 case by id", () => Withheld(api.GetAsync($"{Open311Client.Base}requests/{_noise}.json")));
        yield return new(open311, "211 case by id", () => Withheld(api.GetAsync($"{Open311Client.Base}requests/{_shelter}.xml")));
        yield return new(open311, "every request listed", () => Withheld(api.GetAsync($"{Open311Client.Base}requests.json?service_request_id={_noise},{_shelter}")));

        const string twilio = "Twilio webhooks";
        yield return new(twilio, "voice without a signature", () => TwilioAsync("/twilio/voice", Call(), sign: false));
        yield return new(twilio, "voice with a forged signature", () => TwilioAsync("/twilio/voice", Call(), signature: Convert.ToBase64String(new byte[20])));
        yield return new(twilio, "voice signed for other fields", () => TwilioAsync("/twilio/voice", Call(), signature: TwilioCall.Sign(Token, "http://localhost/twilio/voice", Call())));
        yield return new(twilio, "voice body over 16 KB", () => TwilioAsync("/twilio/voice", Call(("Padding", new string('p', 17_000)))));
        yield return new(twilio, "voice without a CallSid", () => TwilioAsync("/twilio/voice", Call(("CallSid", ""))));
        yield return new(twilio, "text without a signature", () => TwilioAsync("/twilio/sms", new Dictionary<string, string> { ["MessageSid"] = "SMhostile", ["From"] = "+16135550123", ["To"] = "+16135550311", ["Body"] = "STATUS " + _noise }, sign: false));
        yield return new(twilio, "status callback without a signature", () => TwilioAsync("/twilio/status", new Dictionary<string, string> { ["MessageSid"] = "SMx", ["MessageStatus"] = "delivered" }, sign: false));

        const string hub = "Desktop hub calls";
        yield return new(hub, "open a case by letters", () => Hub(() => _agent.Hub.InvokeAsync<CaseDetail>("OpenCase", "abcdefg")));
        yield return new(hub, "note over 4000 characters", () => Hub(() => _agent.Hub.InvokeAsync<CaseDetail>("AddNote", _claimed, longText)));
        yield return new(hub, "unknown priority", () => Hub(() => _agent.Hub.InvokeAsync<CaseDetail>("ChangePriority", _claimed, "ultra")));
        yield return new(hub, "unknown category", () => Hub(() => _agent.Hub.InvokeAsync<CaseDetail>("ChangeCategory", _claimed, "no-such")));
        yield return new(hub, "refer to an unknown provider", () => Hub(() => _agent.Hub.InvokeAsync<CaseDetail>("Refer", _claimed, new[] { "no-such" }, "x")));
        yield return new(hub, "latitude 91", () => Hub(() => _agent.Hub.InvokeAsync<CaseDetail>("ChangeLocation", _claimed, null, 91.0, 0.0)));
        yield return new(hub, "merge a case into itself", () => Hub(() => _agent.Hub.InvokeAsync<CaseDetail>("Merge", _claimed, _claimed)));
        yield return new(hub, "merge into a case not theirs to see", () => Hub(() => _agent.Hub.InvokeAsync<CaseDetail>("Merge", _claimed, _french)));
        yield return new(hub, "follow-up in 1000 days", () => Hub(() => _agent.Hub.InvokeAsync<CaseDetail>("ScheduleFollowUp", _shelter, 1000, "text")));
        yield return new(hub, "an agent reassigns", () => Hub(() => _agent.Hub.InvokeAsync<object?>("Reassign", _claimed, "agent.fr")));
        yield return new(hub, "an agent answers a referral", () => Hub(() => _agent.Hub.InvokeAsync<ReferralView>("AcceptReferral", 1L, "mine")));
        yield return new(hub, "a provider opens a case not referred to it", () => Hub(() => _provider.Hub.InvokeAsync<CaseDetail>("OpenCase", _noise)));
        yield return new(hub, "a provider flags a crisis", () => Hub(() => _provider.Hub.InvokeAsync<CaseDetail>("SetCrisis", _shelter, true)));
        yield return new(hub, "a provider claims", () => Hub(() => _provider.Hub.InvokeAsync<CaseDetail>("Claim", _french)));
        yield return new(hub, "unknown state", () => Hub(() => _agent.Hub.InvokeAsync<JsonElement>("SetState", "asleep")));

        const string staff = "Staff sign-in and APIs";
        yield return new(staff, "sign-in without an antiforgery token", () => Http(api.PostAsJsonAsync("/api/staff/signin", new { userName = "agent", password = "demo" })));
        yield return new(staff, "wrong password", async () => { var (status, cookie, body) = await DesktopClient.TrySignInAsync(App, "agent", "wrong-password", "198.51.100.90"); return new Outcome(status == HttpStatusCode.Unauthorized && cookie is null, body); });
        yield return new(staff, "a 10 000-character user name", async () => { var (status, cookie, body) = await DesktopClient.TrySignInAsync(App, new string('a', 10_000), "x", "198.51.100.91"); return new Outcome((int)status is >= 400 and < 500 && cookie is null, body); });
        yield return new(staff, "the directory API without signing in", () => Http(api.GetAsync("/api/directory/services")));
        yield return new(staff, "the SLA admin API without signing in", () => Http(api.PutAsync("/api/admin/sla/standards/pothole", Json("{}"))));
        yield return new(staff, "the hub without signing in", async () =>
        {
            var hubConnection = DesktopClient.Build(App, cookie: null);
            try
            {
                await hubConnection.StartAsync();
                return new Outcome(false, "connected");
            }
            catch (HttpRequestException e)
            {
                return new Outcome(e.StatusCode == HttpStatusCode.Unauthorized, e.Message);
            }
            finally
            {
                await hubConnection.DisposeAsync();
            }
        });
    }

    [Test]
    public async Task Every_hostile_input_is_refused_writes_nothing_and_leaks_nothing()
    {
        var results = new List<Result>();
        var before = await QuietDigestAsync();
        foreach (var probe in Probes())
        {
            var outcome = await probe.Run();
            var after = await DigestAsync();
            results.Add(new Result(probe.Surface, probe.Input, outcome.Refused, after != before,
                [.. Private.Where(p => outcome.Answer.Contains(p, StringComparison.OrdinalIgnoreCase))], outcome.Answer,
                string.Join(", ", after.Split(';').Except(before.Split(';')).Select(t => t.Split('=')[0]))));
            before = after;
        }

        var table = new StringBuilder()
            .AppendLine("| Surface | Bad inputs tried | Refused (or answered without details) | Partial writes | Private fields leaked |")
            .AppendLine("| --- | ---: | ---: | ---: | ---: |");
        foreach (var surface in results.GroupBy(r => r.Surface))
        {
            table.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"| {surface.Key} | {surface.Count()} | {surface.Count(r => r.Refused)} | {surface.Count(r => r.Wrote)} | {surface.Sum(r => r.Leaked.Length)} |");
        }
        table.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"| **All** | {results.Count} | {results.Count(r => r.Refused)} | {results.Count(r => r.Wrote)} | {results.Sum(r => r.Leaked.Length)} |");
        TestContext.Out.WriteLine(table.ToString());

        static string Short(string answer) => answer.Length > 300 ? answer[..300] + "…" : answer;
        Assert.Multiple(() =>
        {
            foreach (var r in results)
            {
                Assert.That(r.Refused, Is.True, $"{r.Surface}: {r.Input} was not refused: {Short(r.Answer)}");
                Assert.That(r.Wrote, Is.False, $"{r.Surface}: {r.Input} wrote to {r.Tables}");
                Assert.That(r.Leaked, Is.Empty, $"{r.Surface}: {r.Input} leaked {string.Join(", ", r.Leaked)}");
            }
        });
    }
}
