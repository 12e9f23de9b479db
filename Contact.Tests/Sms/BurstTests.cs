using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Xml.Linq;
using Contact.Tests.Infrastructure;
using Contact.Tests.Voice;

namespace Contact.Tests.Sms;

/// <summary>
/// A burst of texts and calls, delivered as Twilio would (signed, all at once), against a host whose request pool is
/// far smaller than the burst: every one is answered normally, none with the apology, each text recorded once.
/// </summary>
public sealed class BurstTests
{
    private const string Secret = "burst-token";
    private const int Texts = 200;
    private const int Calls = 60;
    private ContactFactory _app = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _app = new ContactFactory(await TestDatabase.CloneAsync(), new Dictionary<string, string?>
    {
        ["Twilio:AuthToken"] = Secret,
        // Room for three turns at once (TurnGate): a burst many times the pool must queue, not fail.
        ["Database:MaxPoolSize"] = "12",
    });

    [OneTimeTearDown]
    public async Task StopAsync() => await _app.DisposeAsync();

    private static string Phone(int i) => "+1613557" + i.ToString("0000", CultureInfo.InvariantCulture);

    private async Task<string> TextAsync(HttpClient client, string from, string body)
    {
        var fields = Texter.Webhook(Texter.NewSid(), from, body);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/twilio/sms") { Content = new FormUrlEncodedContent(fields) };
        request.Headers.Add("X-Twilio-Signature", TwilioCall.Sign(Secret, "http://localhost/twilio/sms", fields));
        using var response = await client.SendAsync(request);
        var twiml = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), twiml);
        return string.Concat(XDocument.Parse(twiml).Root!.Elements("Message").Select(m => m.Value));
    }

    [Test]
    public async Task Two_hundred_texts_from_two_hundred_numbers_at_once_all_get_their_normal_reply()
    {
        // Half ask a request's status (a lookup on a second connection while the number's lock holds the first), half
        // start a report.
        var client = _app.CreateClient();
        var filed = await client.PostAsync("/api/cases", JsonContent.Create(new { category = "graffiti", language = "en", address = "1 Rideau St", answers = new { surfaces = new[] { "wall" } } }));
        Assert.That(filed.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var number = (await filed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetString()!;

        var replies = await Task.WhenAll(Enumerable.Range(0, Texts).Select(i => Task.Run(() =>
            TextAsync(client, Phone(i), i % 2 == 0 ? "STATUS " + number : "graffiti on a wall"))));

        for (var i = 0; i < Texts; i++)
        {
            Assert.That(replies[i], i % 2 == 0 ? Does.StartWith($"Request {number}: received") : Does.StartWith("Is this about Graffiti?"), $"text {i} from {Phone(i)}");
        }
        Assert.That(await _app.ScalarAsync("select count(*) from sms_inbound where phone like '+1613557%'"), Is.EqualTo(Texts), "each text recorded once");
        Assert.That(await _app.ScalarAsync("select count(distinct phone) from sms_inbound where phone like '+1613557%'"), Is.EqualTo(Texts));
        Assert.That(await _app.ScalarAsync("select count(*) from sms_inbound where reply like 'Sorry%'"), Is.Zero, "no apology");
    }

    [Test]
    public async Task Sixty_calls_at_once_all_hear_the_greeting()
    {
        var calls = Enumerable.Range(0, Calls).Select(i => new TwilioCall(_app, from: "+1613558" + i.ToString("0000", CultureInfo.InvariantCulture), authToken: Secret)).ToList();
        await Task.WhenAll(calls.Select(call => Task.Run(() => call.StepAsync("/twilio/voice"))));
        foreach (var call in calls)
        {
            Assert.That(call.Spoken, Does.Not.Contain("Sorry, something went wrong"), call.CallSid);
            Assert.That(call.Last!.Root!.Element("Gather"), Is.Not.Null, call.CallSid);
        }
        Assert.That(await _app.ScalarAsync("select count(*) from calls where from_number like '+1613558%'"), Is.EqualTo(Calls));
    }
}
