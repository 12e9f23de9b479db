using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Contact.Tests.Infrastructure;
using Contact.Tests.Sms;
using Contact.Tests.Voice;

namespace Contact.Tests.Intake;

/// <summary>
/// What a case number alone shows: a case about a public place shows what and where; a private 311 case and every
/// 211 case show the status, the dates and the service, on the web, the JSON API, by text and by phone. The details
/// are for the resident, after a one-time code texted to the phone on the case.
/// </summary>
public sealed partial class PrivacyTests
{
    private const string Secret = "Evicted today, sleeping in my car with my daughter";
    private const string Neighbour = "Jordan Neighbour at 12 Elm plays drums at 3am";
    private ContactFactory _app = null!;
    private string _shelter = "";
    private string _noise = "";
    private JsonElement _noiseCreated;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _app = await ContactFactory.CreateAsync();
        _shelter = await ShelterCaseAsync("613-555-0177");
        var response = await _app.CreateClient().PostAsJsonAsync("/api/cases", new
        {
            category = "noise-complaint", language = "en", description = Neighbour, address = "14 Elm St",
            latitude = 45.4215, longitude = -75.6972, answers = new { type = "music" }, name = "Pat Complainant", phone = "613-555-0188",
        });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        _noiseCreated = await response.Content.ReadFromJsonAsync<JsonElement>();
        _noise = _noiseCreated.GetProperty("number").GetString()!;
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _app.DisposeAsync();

    private async Task<string> ShelterCaseAsync(string phone)
    {
        var browser = _app.Browser("en");
        var form = await browser.GetPageAsync("/report/emergency-shelter");
        var response = await browser.SubmitAsync(form, "/report/emergency-shelter",
        [
            new("answers.safe-tonight", Choice(form, "answers.safe-tonight")),
            new("answers.who", Choice(form, "answers.who")),
            new("description", Secret),
            new("name", "Alex Confidential"),
            new("phone", phone),
            new("email", "alex@example.org"),
        ]);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), await response.Content.ReadAsStringAsync());
        return response.Headers.Location!.ToString().Split('/', '?')[2];
    }

    private static string Choice(AngleSharp.Html.Dom.IHtmlDocument form, string name) =>
        form.QuerySelector($"input[name='{name}']")!.GetAttribute("value")!;

    private static readonly string[] StatusOnly = ["number", "line", "status", "statusText", "updatedAt", "expectedBy", "category", "categoryName", "createdAt"];

    private static void AssertStatusOnly(JsonElement view, string what)
    {
        var names = view.EnumerateObject().Where(p => p.Value.ValueKind != JsonValueKind.Null).Select(p => p.Name).ToList();
        Assert.That(names, Is.SubsetOf(StatusOnly), what);
        Assert.That(names, Does.Contain("status").And.Contain("categoryName").And.Contain("createdAt"), what);
        // The phone numbers in any form ("555" alone turns up in case numbers and timestamps).
        foreach (var secret in new[] { "Elm", "drums", "45.42", "75.69", "Pat", "613-555", "613555", "555-01", "Evicted", "Alex", "music" })
        {
            Assert.That(view.GetRawText(), Does.Not.Contain(secret), what);
        }
    }

    [Test]
    public async Task A_private_311_case_shows_only_status_dates_and_service_on_the_json_api()
    {
        AssertStatusOnly(_noiseCreated, "POST /api/cases answer");
        AssertStatusOnly(await _app.CreateClient().GetFromJsonAsync<JsonElement>($"/api/cases/{_noise}"), "GET /api/cases/{n}");
        AssertStatusOnly(await _app.CreateClient().GetFromJsonAsync<JsonElement>($"/api/cases/{_shelter}"), "GET /api/cases/{211 case}");
        Assert.That((await _app.CreateClient().GetFromJsonAsync<JsonElement>($"/api/cases/{_noise}")).GetProperty("categoryName").GetString(),
            Is.EqualTo("Noise complaint"));
    }

    [Test]
    public async Task A_repeated_submission_answers_with_status_only_too()
    {
        var client = _app.CreateClient();
        var body = new { category = "noise-complaint", language = "en", description = Neighbour, address = "14 Elm St", answers = new { type = "dog" } };
        using var first = new HttpRequestMessage(HttpMethod.Post, "/api/cases") { Content = JsonContent.Create(body) };
        first.Headers.Add("Idempotency-Key", "privacy-" + Guid.NewGuid());
        var key = first.Headers.GetValues("Idempotency-Key").Single();
        Assert.That((await client.SendAsync(first)).StatusCode, Is.EqualTo(HttpStatusCode.Created));
        using var again = new HttpRequestMessage(HttpMethod.Post, "/api/cases") { Content = JsonContent.Create(body) };
        again.Headers.Add("Idempotency-Key", key);
        var replay = await client.SendAsync(again);
        Assert.That(replay.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        AssertStatusOnly(await replay.Content.ReadFromJsonAsync<JsonElement>(), "replayed POST");
    }

    [TestCase("shelter")]
    [TestCase("noise")]
    public async Task The_number_alone_shows_the_status_dates_and_service_on_the_status_page(string which)
    {
        var number = which == "shelter" ? _shelter : _noise;
        var page = await _app.Browser("en").GetPageAsync($"/requests/{number}");
        var text = page.Body!.TextContent;
        Assert.That(page.QuerySelector(".status")!.TextContent, Is.EqualTo("Received"));
        Assert.That(text, Does.Contain(which == "shelter" ? "Emergency shelter" : "Noise complaint"));
        foreach (var secret in new[] { "Evicted", "Alex", "Elm", "drums", "Pat", "613-555", "613555", "555-01", "Loud music" })
        {
            Assert.That(text, Does.Not.Contain(secret));
        }
        Assert.That(page.QuerySelector(".timeline"), Is.Null);
        Assert.That(page.QuerySelector("form.send-code-form button"), Is.Not.Null);
    }

    [Test]
    public async Task A_311_case_about_a_public_place_shows_what_and_where_but_not_who()
    {
        var browser = _app.Browser("en");
        var form = await browser.GetPageAsync("/report/streetlight-out");
        var response = await browser.SubmitAsync(form, "/report/streetlight-out",
            [new("address", "Bank St at Somerset St"), new("name", "Sam Neighbour"), new("phone", "613-555-0166")]);
        var number = response.Headers.Location!.ToString().Split('/', '?')[2];
        var page = await _app.Browser("en").GetPageAsync($"/requests/{number}");
        Assert.That(page.Body!.TextContent, Does.Contain("Bank St at Somerset St").And.Not.Contain("Sam").And.Not.Contain("555-0166").And.Not.Contain("5550166"));
        Assert.That(page.QuerySelector(".timeline"), Is.Not.Null);
        var api = await _app.CreateClient().GetFromJsonAsync<JsonElement>($"/api/cases/{number}");
        Assert.That(api.GetProperty("address").GetString(), Is.EqualTo("Bank St at Somerset St"));
    }

    [Test]
    public async Task Texted_and_phoned_status_replies_name_nothing_the_resident_said()
    {
        var texter = new Texter(_app, "+16135550901");
        foreach (var number in new[] { _noise, _shelter })
        {
            var reply = await texter.TextAsync("STATUS " + number);
            Assert.That(reply, Does.Contain(number).And.Contain("received"));
            foreach (var secret in new[] { "Elm", "drums", "Evicted", "Alex", "Pat", "shelter", "noise" })
            {
                Assert.That(reply, Does.Not.Contain(secret).IgnoreCase);
            }
            var call = new TwilioCall(_app);
            await call.StepAsync("/twilio/voice");
            await call.KeysAsync(call.Action, "1");
            await call.KeysAsync(call.Action, "3");
            await call.KeysAsync(call.Action, number);
            Assert.That(call.Spoken, Does.Contain("received"));
            foreach (var secret in new[] { "Elm", "drums", "Evicted", "Alex", "Pat" })
            {
                Assert.That(call.Spoken, Does.Not.Contain(secret));
            }
        }
    }

    [Test]
    public async Task The_phone_number_itself_is_no_longer_proof()
    {
        var browser = _app.Browser("en");
        var page = await browser.GetPageAsync($"/requests/{_shelter}");
        // Giving the phone number (as the page once asked) at most sends a code to that phone; it shows nothing.
        var response = await browser.SubmitAsync(page, $"/requests/{_shelter}", [new("contact", "613-555-0177")], "main form.send-code-form");
        var answer = await Html.ParseAsync(response);
        Assert.That(answer.Body!.TextContent, Does.Not.Contain("Evicted"));
        Assert.That(answer.QuerySelector(".timeline"), Is.Null);
        // Nor does typing the phone number where the code goes.
        var typed = await browser.SubmitAsync(answer, $"/requests/{_shelter}", [new("code", "6135550177")], "main form.code-form");
        Assert.That(typed.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await Html.ParseAsync(typed)).Body!.TextContent, Does.Not.Contain("Evicted"));
    }

    [Test]
    public async Task A_code_texted_to_the_phone_on_the_case_shows_its_details_once()
    {
        var number = await ShelterCaseAsync("613-555-0178");
        var browser = _app.Browser("en");
        var page = await browser.GetPageAsync($"/requests/{number}");
        var sent = await Html.ParseAsync(await browser.SubmitAsync(page, $"/requests/{number}", [], "main form.send-code-form"));
        Assert.That(sent.QuerySelector("[role=status]")!.TextContent, Does.Contain("We texted a code"));
        Assert.That(sent.QuerySelector("form.code-form input[name=code]"), Is.Not.Null);
        var code = await CodeTextedAsync("+16135550178", number);

        var wrong = await browser.SubmitAsync(sent, $"/requests/{number}", [new("code", Other(code))], "main form.code-form");
        Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var wrongPage = await Html.ParseAsync(wrong);
        Assert.That(wrongPage.Body!.TextContent, Does.Contain("Tries left: 4").And.Not.Contain("Evicted"));

        var right = await browser.SubmitAsync(wrongPage, $"/requests/{number}", [new("code", code)], "main form.code-form");
        Assert.That(right.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var details = await Html.ParseAsync(right);
        Assert.That(details.Body!.TextContent, Does.Contain(Secret));
        Assert.That(details.QuerySelector(".timeline"), Is.Not.Null);
        Assert.That(details.Body.TextContent, Does.Not.Contain("Alex Confidential"), "contact details are never echoed");

        var reused = await browser.SubmitAsync(wrongPage, $"/requests/{number}", [new("code", code)], "main form.code-form");
        Assert.That(reused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await Html.ParseAsync(reused)).Body!.TextContent, Does.Contain("expired or was already used").And.Not.Contain("Evicted"));
    }

    [Test]
    public async Task Five_wrong_codes_lock_the_case_to_lookups()
    {
        var number = await ShelterCaseAsync("613-555-0179");
        var browser = _app.Browser("en");
        var page = await browser.GetPageAsync($"/requests/{number}");
        var sent = await Html.ParseAsync(await browser.SubmitAsync(page, $"/requests/{number}", [], "main form.send-code-form"));
        var code = await CodeTextedAsync("+16135550179", number);
        HttpResponseMessage last = null!;
        for (var i = 0; i < 5; i++)
        {
            last = await browser.SubmitAsync(sent, $"/requests/{number}", [new("code", Other(code))], "main form.code-form");
        }
        Assert.That(last.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That((await Html.ParseAsync(last)).Body!.TextContent, Does.Contain("Too many wrong codes"));
        // Locked: even the right code now shows nothing, and no new code is sent.
        var right = await browser.SubmitAsync(sent, $"/requests/{number}", [new("code", code)], "main form.code-form");
        Assert.That(right.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That((await Html.ParseAsync(right)).Body!.TextContent, Does.Not.Contain("Evicted"));
        var again = await browser.SubmitAsync(page, $"/requests/{number}", [], "main form.send-code-form");
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(await _app.ScalarAsync($"select count(*) from outbox where kind = 'code' and to_address = '+16135550179'"), Is.EqualTo(1));
    }

    [Test]
    public async Task No_code_goes_to_a_number_that_opted_out()
    {
        var number = await ShelterCaseAsync("613-555-0176");
        await _app.ScalarAsync("insert into sms_opt_outs (phone, keyword, opted_out_at) values ('+16135550176', 'STOP', now()) returning 1");
        var browser = _app.Browser("en");
        var page = await browser.GetPageAsync($"/requests/{number}");
        var response = await browser.SubmitAsync(page, $"/requests/{number}", [], "main form.send-code-form");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await Html.ParseAsync(response)).Body!.TextContent, Does.Contain("We cannot text a code for this request. Call 211"));
        Assert.That(await _app.ScalarAsync("select count(*) from outbox where to_address = '+16135550176' and kind = 'code'"), Is.EqualTo(0));
    }

    [Test]
    public async Task A_second_code_within_a_minute_is_not_sent()
    {
        var number = await ShelterCaseAsync("613-555-0175");
        var browser = _app.Browser("fr");
        var page = await browser.GetPageAsync($"/requests/{number}");
        await browser.SubmitAsync(page, $"/requests/{number}", [], "main form.send-code-form");
        var second = await Html.ParseAsync(await browser.SubmitAsync(page, $"/requests/{number}", [], "main form.send-code-form"));
        Assert.That(second.QuerySelector("[role=status]")!.TextContent, Does.Contain("il y a moins d'une minute"));
        Assert.That(await _app.ScalarAsync("select count(*) from outbox where to_address = '+16135550175' and kind = 'code'"), Is.EqualTo(1));
    }

    private async Task<string> CodeTextedAsync(string phone, string number)
    {
        var body = await _app.TextAsync($"select body from outbox where kind = 'code' and to_address = '{phone}' order by id desc limit 1");
        Assert.That(body, Does.Contain(number));
        return SixDigits().Match(body).Value;
    }

    private static string Other(string code) => code == "000000" ? "111111" : "000000";

    [GeneratedRegex(@"\b\d{6}\b")]
    private static partial Regex SixDigits();
}
