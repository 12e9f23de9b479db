using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Contact.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Contact.Tests.Voice;

public sealed class DevPhoneTests
{
    private static readonly string Caller = "+16135550123";

    /// <summary>The factory with the dev phone's outgoing HttpClient reaching the factory's own TestServer.</summary>
    private static WebApplicationFactory<Program> WithPhone(ContactFactory factory)
    {
        WebApplicationFactory<Program>? phone = null;
        phone = factory.WithWebHostBuilder(b => b.ConfigureTestServices(s =>
            s.AddHttpClient("dev-phone").ConfigurePrimaryHttpMessageHandler(() => phone!.Server.CreateHandler())));
        return phone;
    }

    private static Dictionary<string, string> Fields(string sid, params (string Key, string Value)[] more)
    {
        var fields = new Dictionary<string, string>
        {
            ["CallSid"] = sid,
            ["AccountSid"] = "ACdev0000000000000000000000000000",
            ["From"] = Caller,
            ["To"] = "+16135550311",
            ["CallStatus"] = "in-progress",
            ["Direction"] = "inbound",
        };
        foreach (var (key, value) in more)
        {
            fields[key] = value;
        }
        return fields;
    }

    private static async Task<JsonElement> SendAsync(HttpClient client, string path, Dictionary<string, string> fields)
    {
        var response = await client.PostAsJsonAsync("/dev/phone/send", new { path, fields });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static string NewSid() => "CA" + Guid.NewGuid().ToString("N");

    private static IEnumerable<JsonElement> Says(JsonElement verbs) =>
        verbs.EnumerateArray().SelectMany<JsonElement, JsonElement>(v => v.GetProperty("verb").GetString() == "Gather" ? [.. v.GetProperty("children").EnumerateArray()] : [v])
            .Where(v => v.GetProperty("verb").GetString() == "Say");

    [Test]
    public async Task The_phone_signs_for_its_own_address_never_the_host_header()
    {
        await using var factory = new ContactFactory(await TestDatabase.CloneAsync(), new Dictionary<string, string?> { ["Twilio:AuthToken"] = "dev-token" });
        var client = WithPhone(factory).CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/dev/phone/send") { Content = JsonContent.Create(new { path = "/twilio/voice", fields = Fields(NewSid()) }) };
        request.Headers.Host = "attacker.example";
        var response = await client.SendAsync(request);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(answer.GetProperty("url").GetString(), Does.StartWith("http://localhost:5080/twilio/voice"), "the address the host listens on");
        Assert.That(answer.GetProperty("status").GetInt32(), Is.EqualTo(200), "signed for the address it posted to, so the signature holds");
    }

    [Test]
    public async Task The_phone_page_is_served_as_html_with_its_script_and_texts_in_both_languages()
    {
        await using var factory = await ContactFactory.CreateAsync();
        var client = factory.CreateClient();

        var page = await client.GetAsync("/dev/phone");
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(page.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
        Assert.That(await page.Content.ReadAsStringAsync(), Does.Contain("/dev/phone/assets/phone.js"));

        var script = await client.GetAsync("/dev/phone/assets/phone.js");
        Assert.That(script.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var en = await client.GetFromJsonAsync<Dictionary<string, string>>("/dev/phone/texts");
        var fr = await client.GetFromJsonAsync<Dictionary<string, string>>("/dev/phone/texts?lang=fr");
        Assert.That(en!["setup.call"], Is.EqualTo("Call"));
        Assert.That(fr!["setup.call"], Is.EqualTo("Appeler"));
        Assert.That(fr.Keys, Is.EquivalentTo(en.Keys));
        Assert.That(en.Values.Concat(fr.Values), Has.None.Empty);
    }

    [Test]
    public async Task A_new_call_hears_the_language_menu_and_pressing_1_hears_the_emergency_notice()
    {
        await using var factory = await ContactFactory.CreateAsync();
        await using var phone = WithPhone(factory);
        var client = phone.CreateClient();
        var sid = NewSid();

        var first = await SendAsync(client, "/twilio/voice", Fields(sid, ("CallStatus", "ringing")));
        Assert.That(first.GetProperty("status").GetInt32(), Is.EqualTo(200));
        var verbs = first.GetProperty("verbs");
        var gather = verbs.EnumerateArray().Single(v => v.GetProperty("verb").GetString() == "Gather");
        Assert.That(gather.GetProperty("action").GetString(), Is.EqualTo("/twilio/voice/language"));
        Assert.That(gather.GetProperty("numDigits").GetInt32(), Is.EqualTo(1));
        Assert.That(gather.GetProperty("input").GetString(), Does.Contain("speech"));
        Assert.That(gather.GetProperty("children").EnumerateArray().Select(c => c.GetProperty("text").GetString()),
            Has.Some.Contains("For English, press 1"));
        Assert.That(verbs.EnumerateArray().Select(v => v.GetProperty("verb").GetString()), Does.Contain("Redirect"));

        var second = await SendAsync(client, "/twilio/voice/language", Fields(sid, ("Digits", "1")));
        Assert.That(second.GetProperty("status").GetInt32(), Is.EqualTo(200));
        var say = Says(second.GetProperty("verbs")).First();
        Assert.That(say.GetProperty("text").GetString(), Does.Contain("emergency"));
        Assert.That(say.GetProperty("language").GetString(), Is.EqualTo("en-CA"));
    }

    [Test]
    public async Task Only_paths_under_twilio_can_be_sent()
    {
        await using var factory = await ContactFactory.CreateAsync();
        await using var phone = WithPhone(factory);
        var client = phone.CreateClient();

        var response = await client.PostAsJsonAsync("/dev/phone/send", new { path = "/api/cases", fields = new Dictionary<string, string>() });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var sneaky = await client.PostAsJsonAsync("/dev/phone/send", new { path = "/twilio/../api/cases", fields = new Dictionary<string, string>() });
        Assert.That(sneaky.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task With_an_auth_token_the_phone_signs_its_requests_while_an_unsigned_post_is_refused()
    {
        await using var factory = new ContactFactory(await TestDatabase.CloneAsync(), new Dictionary<string, string?> { ["Twilio:AuthToken"] = "test-token" });
        await using var phone = WithPhone(factory);
        var client = phone.CreateClient();
        var sid = NewSid();

        var signed = await SendAsync(client, "/twilio/voice", Fields(sid, ("CallStatus", "ringing")));
        Assert.That(signed.GetProperty("status").GetInt32(), Is.EqualTo(200));
        Assert.That(Says(signed.GetProperty("verbs")).Select(s => s.GetProperty("text").GetString()), Has.Some.Contains("For English, press 1"));

        var withQuery = await SendAsync(client, "/twilio/voice/language?retry=1", Fields(sid, ("Digits", "2")));
        Assert.That(withQuery.GetProperty("status").GetInt32(), Is.EqualTo(200));
        Assert.That(Says(withQuery.GetProperty("verbs")).First().GetProperty("language").GetString(), Is.EqualTo("fr-CA"));

        var unsigned = await client.PostAsync("/twilio/voice", new FormUrlEncodedContent(Fields(NewSid())));
        Assert.That(unsigned.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task Behind_a_proxy_the_phone_signs_the_public_address_twilio_would_call()
    {
        await using var factory = new ContactFactory(await TestDatabase.CloneAsync(), new Dictionary<string, string?>
        {
            ["Twilio:AuthToken"] = "test-token",
            // Twilio calls the public address, not the one the phone posts to: both sides sign and check that one.
            ["Twilio:PublicBaseUrl"] = "https://contact.example.org",
        });
        await using var phone = WithPhone(factory);
        var client = phone.CreateClient();

        var result = await SendAsync(client, "/twilio/voice", Fields(NewSid()));
        Assert.That(result.GetProperty("status").GetInt32(), Is.EqualTo(200));
        Assert.That(result.GetProperty("url").GetString(), Does.StartWith("https://contact.example.org/twilio/voice"));
    }

    private static Dictionary<string, string> TextFields(string body) => new()
    {
        ["MessageSid"] = "SM" + Guid.NewGuid().ToString("N"),
        ["AccountSid"] = "ACdev0000000000000000000000000000",
        ["From"] = Caller,
        ["To"] = "+16135550311",
        ["Body"] = body,
        ["NumMedia"] = "0",
    };

    [Test]
    public async Task A_text_sent_through_the_phone_gets_the_lines_reply_as_a_message_verb()
    {
        await using var factory = await ContactFactory.CreateAsync();
        await using var phone = WithPhone(factory);
        var client = phone.CreateClient();

        var result = await SendAsync(client, "/twilio/sms", TextFields("pothole at 123 Main St"));
        Assert.That(result.GetProperty("status").GetInt32(), Is.EqualTo(200), result.GetProperty("twiml").GetString());
        var message = result.GetProperty("verbs").EnumerateArray().Single();
        Assert.That(message.GetProperty("verb").GetString(), Is.EqualTo("Message"));
        Assert.That(message.GetProperty("text").GetString(), Does.Contain("Pothole").And.Contain("YES"));
        Assert.That(message.GetProperty("media").GetArrayLength(), Is.Zero);
    }

    [Test]
    public void Messaging_twiml_with_body_and_media_is_read_as_one_message_verb()
    {
        var verbs = Contact.Ivr.DevPhone.DevPhoneEndpoints.Verbs(
            "<Response><Message><Body>Here it is</Body><Media>https://example.org/a.jpg</Media></Message><Message>Plain</Message></Response>");
        Assert.That(verbs, Has.Count.EqualTo(2));
        Assert.That(verbs[0]["verb"], Is.EqualTo("Message"));
        Assert.That(verbs[0]["text"], Is.EqualTo("Here it is"));
        Assert.That(verbs[0]["media"], Is.EqualTo(new[] { "https://example.org/a.jpg" }));
        Assert.That(verbs[1]["text"], Is.EqualTo("Plain"));
    }

    [Test]
    public async Task The_texts_sent_to_a_number_are_listed_with_the_received_notification_of_a_filed_case()
    {
        await using var factory = await ContactFactory.CreateAsync();
        var client = factory.CreateClient();

        var filed = await client.PostAsJsonAsync("/api/cases", new
        {
            category = "pothole", language = "en", address = "1 Main St", answers = new { size = "small" }, phone = "613-555-0123", notify = true,
        });
        Assert.That(filed.StatusCode, Is.EqualTo(HttpStatusCode.Created), await filed.Content.ReadAsStringAsync());
        var number = (await filed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetString()!;

        var response = await client.GetAsync("/dev/phone/messages?number=%2B16135550123");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var messages = (await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().ToList();
        var created = messages.Single(m => m.GetProperty("kind").GetString() == "created");
        Assert.That(created.GetProperty("body").GetString(), Does.Contain(number));
        Assert.That(created.GetProperty("id").GetInt64(), Is.Positive);
        Assert.That(created.GetProperty("status").GetString(), Is.Not.Empty);
        Assert.That(created.GetProperty("created_at").GetDateTimeOffset(), Is.LessThanOrEqualTo(created.GetProperty("updated_at").GetDateTimeOffset()));

        // The same number typed another way reads the same thread; another number reads none of it.
        var typed = await client.GetFromJsonAsync<JsonElement>("/dev/phone/messages?number=613-555-0123");
        Assert.That(typed.GetArrayLength(), Is.EqualTo(messages.Count));
        var other = await client.GetFromJsonAsync<JsonElement>("/dev/phone/messages?number=%2B16135550199");
        Assert.That(other.GetArrayLength(), Is.Zero);
    }

    [Test]
    public async Task A_bad_number_is_refused()
    {
        await using var factory = await ContactFactory.CreateAsync();
        var client = factory.CreateClient();
        foreach (var query in new[] { "", "?number=", "?number=12", "?number=not-a-number", "?number=%2B1613555012345678" })
        {
            var response = await client.GetAsync("/dev/phone/messages" + query);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), query);
        }
    }
}

/// <summary>The phone page's text thread in a real browser against the real host.</summary>
public sealed class DevPhoneTextsBrowserTests : Contact.Tests.Browser.BrowserFixture
{
    [Test]
    public async Task Texting_the_line_shows_its_reply_and_the_notification_of_a_filed_case_arrives_in_the_thread()
    {
        var page = await NewPageAsync();
        await page.GotoAsync("/dev/phone");
        await page.GetByLabel("Your number").FillAsync("+16135550177");
        await page.GetByLabel("Your text").FillAsync("pothole at 123 Main St");
        await page.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Send text", Exact = true }).ClickAsync();

        var thread = page.Locator("#thread");
        await Microsoft.Playwright.Assertions.Expect(thread.Locator(".bubble-you")).ToContainTextAsync("pothole at 123 Main St");
        await Microsoft.Playwright.Assertions.Expect(thread.Locator(".bubble-line")).ToContainTextAsync("Is this about Pothole?");
        Assert.That(await thread.GetAttributeAsync("aria-live"), Is.EqualTo("polite"));

        var filed = await App.CreateClient().PostAsJsonAsync("/api/cases", new
        {
            category = "pothole", language = "en", address = "1 Main St", answers = new { size = "small" }, phone = "613-555-0177", notify = true,
        });
        Assert.That(filed.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var number = (await filed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetString()!;

        var notice = thread.Locator(".bubble-notice");
        await Microsoft.Playwright.Assertions.Expect(notice).ToContainTextAsync(number);
        await Microsoft.Playwright.Assertions.Expect(notice).ToContainTextAsync("Notification (created)");
        await Microsoft.Playwright.Assertions.Expect(notice.Locator(".status")).ToContainTextAsync("Status:");
    }
}
