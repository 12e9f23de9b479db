using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Xml.Linq;
using AngleSharp.Dom;
using Contact.Tests.Voice;
using Npgsql;

namespace Contact.Tests.Infrastructure;

/// <summary>
/// The case store down under a running host: Twilio webhooks still answer TwiML (an apology, then the overflow
/// number or a request to call back), the APIs answer 503 with Retry-After, and the web form keeps what was typed.
/// </summary>
public sealed class OutageTests
{
    private const string Token = "secret-token";
    private const string Overflow = "+16135550100";
    private const string EnglishApology = "Sorry, our system is not working right now.";
    private const string FrenchApology = "Désolé, notre système ne fonctionne pas pour le moment.";

    /// <summary>A host, started (it migrates on start) while its database is still up.</summary>
    private static async Task<ContactFactory> HostAsync(string? overflow)
    {
        var app = new ContactFactory(await TestDatabase.CloneAsync(), new Dictionary<string, string?>
        {
            ["Twilio:AuthToken"] = Token,
            ["Twilio:OverflowNumber"] = overflow,
        });
        _ = app.Server;
        return app;
    }

    /// <summary>A signed webhook of any kind; the answer, checked to be 200 and a TwiML Response.</summary>
    private static async Task<XDocument> WebhookAsync(ContactFactory app, string path, Dictionary<string, string> fields)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields) };
        request.Headers.Add("X-Twilio-Signature", TwilioCall.Sign(Token, "http://localhost" + path, fields));
        using var response = await app.CreateClient().SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{path}: {body}");
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/xml"), path);
        var twiml = XDocument.Parse(body);
        Assert.That(twiml.Root!.Name.LocalName, Is.EqualTo("Response"), body);
        return twiml;
    }

    private static Dictionary<string, string> Call(string sid, params (string Key, string Value)[] extra)
    {
        var fields = new Dictionary<string, string>
        {
            ["CallSid"] = sid, ["AccountSid"] = "ACtest", ["From"] = "+16135550123", ["To"] = "+16135550311",
            ["CallStatus"] = "in-progress", ["Direction"] = "inbound",
        };
        foreach (var (k, v) in extra)
        {
            fields[k] = v;
        }
        return fields;
    }

    private static string Spoken(XDocument twiml) => string.Join(" ", twiml.Descendants("Say").Select(s => s.Value));

    [Test]
    public async Task Every_twilio_webhook_answers_twiml_and_a_call_is_put_through_to_the_overflow_number()
    {
        await using var app = await HostAsync(Overflow);
        var sid = "CA" + Guid.NewGuid().ToString("N");
        // The call began while the database was up.
        var started = await WebhookAsync(app, "/twilio/voice", Call(sid));
        Assert.That(Spoken(started), Does.Not.Contain(EnglishApology));

        await using (DatabaseOutage.Begin(app.ConnectionString))
        {
            // A new call to the 311 line: the language is not known yet, so English first, then French.
            var first = await WebhookAsync(app, "/twilio/voice", Call("CA" + Guid.NewGuid().ToString("N")));
            TwimlRules.Check(first);
            var says = first.Root!.Elements("Say").ToList();
            Assert.That(says, Has.Count.EqualTo(2), first.ToString());
            Assert.That(says[0].Value, Does.StartWith(EnglishApology));
            Assert.That(says[0].Attribute("language")?.Value, Is.EqualTo("en-CA"));
            Assert.That(says[1].Value, Does.StartWith(FrenchApology));
            Assert.That(says[1].Attribute("language")?.Value, Is.EqualTo("fr-CA"));
            Assert.That(first.Root.Element("Dial")?.Value, Is.EqualTo(Overflow));
            Assert.That(first.Root.Elements().Last().Name.LocalName, Is.EqualTo("Hangup"));

            // Later steps of the call that had begun.
            foreach (var (path, digits) in new[] { ("/twilio/voice/menu", "1"), ("/twilio/voice/address-confirm", "1"), ("/twilio/voice/agent", "") })
            {
                var step = await WebhookAsync(app, path, Call(sid, ("Digits", digits)));
                TwimlRules.Check(step);
                Assert.That(Spoken(step), Does.Contain(EnglishApology), path);
                Assert.That(step.Root!.Element("Dial")?.Value, Is.EqualTo(Overflow), path);
            }

            // The caller just chose French (2), or waits in the French queue: French only.
            foreach (var (path, fields) in new[] { ("/twilio/voice/language", Call(sid, ("Digits", "2"))), ("/twilio/voice/wait?lang=fr", Call(sid, ("QueuePosition", "1"))) })
            {
                var french = await WebhookAsync(app, path, fields);
                TwimlRules.Check(french);
                Assert.That(Spoken(french), Does.StartWith(FrenchApology).And.Not.Contain(EnglishApology), path);
                Assert.That(french.Root!.Element("Say")!.Attribute("language")?.Value, Is.EqualTo("fr-CA"));
                Assert.That(french.Root.Element("Dial")?.Value, Is.EqualTo(Overflow), path);
            }

            // Status callbacks, of a call and of a text the outbox sent: taken, nothing to say.
            var callStatus = await WebhookAsync(app, "/twilio/status", Call(sid, ("CallStatus", "completed")));
            Assert.That(callStatus.Root!.Elements(), Is.Empty);
            var textStatus = await WebhookAsync(app, "/twilio/status", new Dictionary<string, string>
            {
                ["MessageSid"] = "SM" + Guid.NewGuid().ToString("N"), ["MessageStatus"] = "delivered", ["AccountSid"] = "ACtest",
            });
            Assert.That(textStatus.Root!.Elements(), Is.Empty);

            // A text: one message, the apology in both languages and the number to call.
            var text = await WebhookAsync(app, "/twilio/sms", new Dictionary<string, string>
            {
                ["MessageSid"] = "SM" + Guid.NewGuid().ToString("N"), ["AccountSid"] = "ACtest", ["From"] = "+16135550124",
                ["To"] = "+16135550311", ["Body"] = "POTHOLE", ["NumMedia"] = "0",
            });
            var message = text.Root!.Elements("Message").Single().Value;
            Assert.That(message, Does.Contain("Sorry, we cannot answer texts right now").And.Contain("Désolé").And.Contain(Overflow));
        }

        // Back up: the call carries on as usual.
        var again = await WebhookAsync(app, "/twilio/voice", Call("CA" + Guid.NewGuid().ToString("N")));
        Assert.That(Spoken(again), Does.Not.Contain(EnglishApology));
    }

    [Test]
    public async Task Without_an_overflow_number_callers_are_asked_to_call_back_and_texters_to_try_again()
    {
        await using var app = await HostAsync(null);
        await using (DatabaseOutage.Begin(app.ConnectionString))
        {
            var call = await WebhookAsync(app, "/twilio/voice", Call("CA" + Guid.NewGuid().ToString("N")));
            TwimlRules.Check(call);
            Assert.That(call.Root!.Element("Dial"), Is.Null);
            Assert.That(Spoken(call), Does.Contain("Please call back in a few minutes").And.Contain("Veuillez rappeler dans quelques minutes"));
            Assert.That(call.Root.Elements().Last().Name.LocalName, Is.EqualTo("Hangup"));

            var french = await WebhookAsync(app, "/twilio/voice/wait?lang=fr", Call("CA" + Guid.NewGuid().ToString("N")));
            Assert.That(Spoken(french), Does.Contain("Veuillez rappeler").And.Not.Contain("call back"));

            var text = await WebhookAsync(app, "/twilio/sms", new Dictionary<string, string>
            {
                ["MessageSid"] = "SM" + Guid.NewGuid().ToString("N"), ["AccountSid"] = "ACtest", ["From"] = "+16135550125",
                ["To"] = "+16135550311", ["Body"] = "STATUS", ["NumMedia"] = "0",
            });
            var message = text.Root!.Elements("Message").Single().Value;
            Assert.That(message, Does.Contain("Please try again later").And.Contain("Réessayez plus tard").And.Not.Contain("call"));
        }
    }

    [Test]
    public async Task The_overflow_number_must_be_e164()
    {
        var (code, output) = await HostProcess.RunAsync(await TestDatabase.CloneAsync(), null,
            new Dictionary<string, string> { ["Twilio__AuthToken"] = Token, ["Twilio__OverflowNumber"] = "613-555-0100" }, "--urls", "http://127.0.0.1:0");
        Assert.That(code, Is.Not.EqualTo(0));
        Assert.That(output, Does.Contain("Twilio:OverflowNumber"));
    }

    /// <summary>Counted on a connection of its own: pooled ones were ended by the outage.</summary>
    private static async Task<long> CaseCountAsync(ContactFactory app)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(app.ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select count(*) from cases", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static object Pothole() => new
    {
        category = "pothole",
        language = "en",
        description = "Deep hole by the curb",
        address = "111 Wellington St",
        answers = new Dictionary<string, object> { ["size"] = "large" },
    };

    [Test]
    public async Task The_apis_answer_503_with_retry_after_and_no_exception_text_and_a_retry_files_the_case_once()
    {
        await using var app = await ContactFactory.CreateAsync();
        var client = app.CreateClient();
        using var made = await client.PostAsJsonAsync("/api/cases", Pothole());
        var earlier = (await made.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetString();
        var before = await CaseCountAsync(app);
        var key = "outage-" + Guid.NewGuid();
        HttpRequestMessage Post()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/cases") { Content = JsonContent.Create(Pothole()) };
            request.Headers.Add("Idempotency-Key", key);
            return request;
        }

        await using (DatabaseOutage.Begin(app.ConnectionString))
        {
            using var refused = await client.SendAsync(Post());
            var body = await refused.Content.ReadAsStringAsync();
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), body);
            Assert.That(refused.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(refused.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            var problem = JsonDocument.Parse(body).RootElement;
            Assert.That(problem.GetProperty("status").GetInt32(), Is.EqualTo(503));
            Assert.That(problem.GetProperty("title").GetString(), Is.EqualTo("The case store is unavailable"));
            Assert.That(body, Does.Not.Contain("Npgsql").And.Not.Contain("Exception").And.Not.Contain("57P").And.Not.Contain("accepting").And.Not.Contain(" at "));

            // Open311 and a lookup answer the same way; a page answers a plain page in both languages.
            using var open311 = await client.PostAsync("/open311/v2/requests.json", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["api_key"] = "demo-key", ["service_code"] = "pothole", ["address_string"] = "111 Wellington St", ["attribute[size]"] = "large",
            }));
            Assert.That(open311.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), await open311.Content.ReadAsStringAsync());
            Assert.That(open311.Headers.RetryAfter, Is.Not.Null);
            using var lookup = await client.GetAsync($"/api/cases/{earlier}");
            Assert.That(lookup.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(lookup.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            using var page = await client.GetAsync($"/requests/{earlier}");
            var html = await page.Content.ReadAsStringAsync();
            var text = (await Html.ParseAsync(page)).Body!.TextContent;
            Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(page.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
            Assert.That(text, Does.Contain("Sorry, our system is not available right now").And.Contain("Désolés, notre système est indisponible"));
            Assert.That(html, Does.Not.Contain("Npgsql").And.Not.Contain("Exception"));
        }

        using var filed = await client.SendAsync(Post());
        Assert.That(filed.StatusCode, Is.EqualTo(HttpStatusCode.Created), await filed.Content.ReadAsStringAsync());
        using var repeated = await client.SendAsync(Post());
        Assert.That(repeated.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the same key answers the case it made");
        Assert.That(await CaseCountAsync(app), Is.EqualTo(before + 1), "exactly one case, nothing doubled");
    }

    [Test]
    public async Task The_web_form_keeps_what_was_typed_and_says_nothing_was_saved([Values("en", "fr")] string language)
    {
        await using var app = await ContactFactory.CreateAsync();
        var browser = app.Browser(language);
        var before = await CaseCountAsync(app);
        var form = await browser.GetPageAsync("/report/streetlight-out");
        const string description = "The light at the corner flickers all night";
        const string address = "Bank St at Somerset St";

        AngleSharp.Html.Dom.IHtmlDocument kept;
        await using (DatabaseOutage.Begin(app.ConnectionString))
        {
            using var response = await browser.SubmitAsync(form, "/report/streetlight-out",
                [new("address", address), new("description", description), new("name", "Sam Neighbour")]);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            kept = await Html.ParseAsync(response);
            Assert.That(kept.QuerySelector<AngleSharp.Html.Dom.IHtmlInputElement>("input[name=address]")!.Value, Is.EqualTo(address));
            Assert.That(kept.QuerySelector<AngleSharp.Html.Dom.IHtmlTextAreaElement>("textarea[name=description]")!.Value, Is.EqualTo(description));
            Assert.That(kept.QuerySelector<AngleSharp.Html.Dom.IHtmlInputElement>("input[name=name]")!.Value, Is.EqualTo("Sam Neighbour"));
            var alert = kept.QuerySelector("#unavailable[role=alert]")!.TextContent;
            Assert.That(alert, language == "fr"
                ? Does.Contain("n'a pas été enregistrée").And.Contain("311 au +16135550311")
                : Does.Contain("was not saved").And.Contain("call 311 at +16135550311"));
        }
        Assert.That(await CaseCountAsync(app), Is.EqualTo(before), "nothing was written");

        // Sent again once the database is back, the kept form files the request, once.
        using var again = await browser.SubmitAsync(kept, "/report/streetlight-out", [new("address", address), new("description", description)]);
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(await CaseCountAsync(app), Is.EqualTo(before + 1));
    }
}
