using System.Net;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Contact.Tests.Infrastructure;
using Twilio.Security;

namespace Contact.Tests.Voice;

public sealed class SignatureTests
{
    private static readonly Dictionary<string, string> Example = new()
    {
        ["CallSid"] = "CA1234567890ABCDE",
        ["Caller"] = "+12349013030",
        ["Digits"] = "1234",
        ["From"] = "+12349013030",
        ["To"] = "+18005551212",
    };

    private const string ExampleUrl = "https://mycompany.com/myapp.php?foo=1&bar=2";

    [Test]
    public void Twilios_published_example_validates_and_a_tampered_field_does_not()
    {
        var validator = new RequestValidator("12345");
        Assert.That(validator.Validate(ExampleUrl, Example, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="), Is.True);
        Assert.That(TwilioCall.Sign("12345", ExampleUrl, Example), Is.EqualTo("0/KCTR6DLpKmkAf8muzZqo1nDgQ="), "the tests sign as Twilio does");
        var tampered = new Dictionary<string, string>(Example) { ["Digits"] = "1235" };
        Assert.That(validator.Validate(ExampleUrl, tampered, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="), Is.False);
    }

    [Test]
    public async Task Webhooks_without_a_valid_signature_are_refused_and_nothing_is_recorded()
    {
        await using var app = new ContactFactory(await TestDatabase.CloneAsync(), new Dictionary<string, string?> { ["Twilio:AuthToken"] = "secret-token" });
        var unsigned = new TwilioCall(app);
        Assert.That((await unsigned.PostAsync("/twilio/voice")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await unsigned.PostAsync("/twilio/voice", signature: "bm90IGEgc2lnbmF0dXJl")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        var wrongToken = new TwilioCall(app, authToken: "another-token");
        Assert.That((await wrongToken.PostAsync("/twilio/voice")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await app.ScalarAsync("select count(*) from calls"), Is.EqualTo(0));

        var signed = new TwilioCall(app, authToken: "secret-token");
        Assert.That((await signed.PostAsync("/twilio/voice")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await app.ScalarAsync($"select count(*) from calls where call_sid = '{signed.CallSid}'"), Is.EqualTo(1));
    }

    [Test]
    public async Task Behind_a_proxy_the_signature_covers_the_public_url_twilio_called()
    {
        await using var app = new ContactFactory(await TestDatabase.CloneAsync(), new Dictionary<string, string?>
        {
            ["Twilio:AuthToken"] = "secret-token",
            ["Twilio:PublicBaseUrl"] = "https://contact.example.org",
        });
        var publicUrl = new TwilioCall(app, authToken: "secret-token", baseUrl: "https://contact.example.org");
        Assert.That((await publicUrl.PostAsync("/twilio/voice/menu?retry=1")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var localUrl = new TwilioCall(app, authToken: "secret-token");
        Assert.That((await localUrl.PostAsync("/twilio/voice/menu?retry=1")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task Outside_development_the_host_refuses_to_start_without_an_auth_token()
    {
        // The real host, as a process: it must stop with an error that names the setting.
        var (code, output) = await HostProcess.RunAsync(await TestDatabase.CloneAsync(), null,
            new Dictionary<string, string> { ["Twilio__AuthToken"] = "" }, "--urls", "http://127.0.0.1:0");
        Assert.That(code, Is.Not.EqualTo(0));
        Assert.That(output, Does.Contain("Twilio:AuthToken is required outside Development"));
    }
}

public sealed class VoiceTests
{
    private ContactFactory _app = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _app = await ContactFactory.CreateAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _app.DisposeAsync();

    private static readonly Dictionary<string, string> Recording = new()
    {
        ["RecordingUrl"] = "https://api.twilio.com/2010-04-01/Accounts/ACtest/Recordings/RE0123456789abcdef",
        ["RecordingDuration"] = "14",
        ["Digits"] = "#",
    };

    [Test]
    public async Task A_caller_reports_a_pothole_in_english_by_keypad_and_hears_the_number_twice()
    {
        var call = new TwilioCall(_app);
        await call.StepAsync("/twilio/voice");
        Assert.That(call.Spoken, Does.Contain("For English, press 1").And.Contain("Pour le français"));
        await call.KeysAsync(call.Action, "1");
        Assert.That(call.Spoken, Does.Contain("emergency").And.Contain("9 1 1"));
        await call.KeysAsync(call.Action, "1");
        await call.KeysAsync(call.Action, call.KeyFor("Pothole"));
        Assert.That(call.Spoken, Does.Contain("How big"));
        await call.KeysAsync(call.Action, "3");
        await call.SaysAsync(call.Action, "111 Wellington Street.");
        Assert.That(call.Spoken, Does.Contain("I heard: 111 Wellington Street"));
        await call.KeysAsync(call.Action, "1");
        Assert.That(call.Last!.Root!.Element("Record"), Is.Not.Null);
        await call.StepAsync(call.Action, Recording);
        Assert.That(call.Spoken, Does.Contain("ending in 0, 1, 2, 3"));
        await call.KeysAsync(call.Action, "1");

        var number = await _app.ScalarAsync($"select number::bigint from cases where idempotency_key = 'call:{call.CallSid}'");
        var digits = string.Join(", ", number.ToString(System.Globalization.CultureInfo.InvariantCulture).ToCharArray());
        Assert.That(call.Spoken, Does.Contain($"Your request number is {digits}").And.Contain($"Again, your request number is {digits}"));
        await call.KeysAsync(call.Action, "1");
        Assert.That(call.Last!.Root!.Element("Hangup"), Is.Not.Null);

        Assert.That(await _app.ScalarAsync($"""
            select count(*) from cases c join categories k on k.id = c.category_id
            where c.idempotency_key = 'call:{call.CallSid}' and c.channel = 'phone' and k.code = 'pothole' and c.language = 'en'
              and c.address = '111 Wellington Street' and c.resident_phone = '+16135550123' and c.answers->>'size' = 'large'
              and c.notify_consent and c.queue = '311-en'
            """), Is.EqualTo(1));
        Assert.That(await _app.ScalarAsync($"select count(*) from case_media m join cases c on c.id = m.case_id where c.idempotency_key = 'call:{call.CallSid}' and m.kind = 'recording'"), Is.EqualTo(1));
        // Pressing 1 for texts sends the request number by text.
        Assert.That(await _app.ScalarAsync($"select count(*) from outbox o join cases c on c.id = o.case_id where c.idempotency_key = 'call:{call.CallSid}' and o.kind = 'created' and o.body like '%' || c.number || '%'"), Is.EqualTo(1));
        Assert.That(await _app.ScalarAsync($"select count(*) from calls where call_sid = '{call.CallSid}' and case_id is not null"), Is.EqualTo(1));
    }

    [Test]
    public async Task A_caller_reports_a_pothole_in_french_by_voice_with_another_callback_number()
    {
        var call = new TwilioCall(_app, from: "+16135550101");
        await call.StepAsync("/twilio/voice");
        await call.SaysAsync(call.Action, "Français");
        Assert.That(call.Last!.Descendants("Say").First().Attribute("language")?.Value, Is.EqualTo("fr-CA"));
        Assert.That(call.Spoken, Does.Contain("urgence"));
        await call.KeysAsync(call.Action, "1");
        await call.SaysAsync(call.Action, "un nid-de-poule");
        Assert.That(call.Spoken, Does.Contain("J'ai compris : Nid-de-poule"));
        await call.KeysAsync(call.Action, "1");
        await call.KeysAsync(call.Action, "1");
        await call.SaysAsync(call.Action, "coin Rideau et Sussex");
        await call.KeysAsync(call.Action, "1");
        await call.StepAsync(call.Action, Recording);
        await call.KeysAsync(call.Action, "2");
        await call.KeysAsync(call.Action, "6135550177");
        Assert.That(call.Spoken, Does.Contain("Votre numéro de demande est le"));

        Assert.That(await _app.ScalarAsync($"""
            select count(*) from cases where idempotency_key = 'call:{call.CallSid}' and language = 'fr' and queue = '311-fr'
              and resident_phone = '+16135550177' and address = 'coin Rideau et Sussex' and answers->>'size' = 'small'
            """), Is.EqualTo(1));
    }

    private async Task<string> FiledNumberAsync()
    {
        var response = await _app.CreateClient().PostAsync("/api/cases", System.Net.Http.Json.JsonContent.Create(new { category = "graffiti", language = "en", address = "1 Rideau St", answers = new { surfaces = new[] { "wall" } } }));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        return (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<System.Text.Json.JsonElement>(response.Content)).GetProperty("number").GetString()!;
    }

    private static async Task<TwilioCall> AtMenuAsync(ContactFactory app, string language = "1")
    {
        var call = new TwilioCall(app);
        await call.StepAsync("/twilio/voice");
        await call.KeysAsync(call.Action, language);
        return call;
    }

    [Test]
    public async Task A_status_lookup_catches_a_mistyped_number_and_answers_a_good_one_without_personal_details()
    {
        var number = await FiledNumberAsync();
        var call = await AtMenuAsync(_app);
        await call.KeysAsync(call.Action, "3");
        var typo = number[..^1] + (char)('0' + ((number[^1] - '0' + 3) % 10));
        await call.KeysAsync(call.Action, typo);
        Assert.That(call.Spoken, Does.Contain("That number is not valid. Please try again."));
        await call.KeysAsync(call.Action, Contact.Core.Cases.CaseNumber.WithCheckDigit("999999999"));
        Assert.That(call.Spoken, Does.Contain("There is no request with that number"));
        await call.KeysAsync(call.Action, number);
        Assert.That(call.Spoken, Does.Contain("received, and waiting for an agent"));
        Assert.That(call.Spoken, Does.Not.Contain("Rideau").And.Not.Contain("Graffiti"));
    }

    [Test]
    public async Task No_input_is_asked_again_twice_then_an_agent_is_offered()
    {
        var call = await AtMenuAsync(_app);
        var redirect = call.Last!.Root!.Element("Redirect")!.Value;
        await call.StepAsync(redirect);
        Assert.That(call.Spoken, Does.StartWith("Sorry, I did not get that."));
        await call.StepAsync(call.Last!.Root!.Element("Redirect")!.Value);
        Assert.That(call.Spoken, Does.Contain("Sorry, I did not get that."));
        await call.StepAsync(call.Last!.Root!.Element("Redirect")!.Value);
        Assert.That(call.Spoken, Does.Contain("To speak to an agent, press 1"));
        Assert.That(call.Last!.Root!.Element("Hangup"), Is.Not.Null, "or goodbye, never a dead end");
    }

    [Test]
    public async Task Wrong_input_is_named_and_the_menu_repeated()
    {
        var call = await AtMenuAsync(_app);
        await call.KeysAsync(call.Action, "7");
        Assert.That(call.Spoken, Does.StartWith("Sorry, that is not one of the choices.").And.Contain("To check a request, press 3"));
    }

    [Test]
    public async Task Zero_from_a_sub_menu_puts_the_caller_in_the_agents_queue_and_the_live_queue()
    {
        var call = await AtMenuAsync(_app, "2");
        await call.KeysAsync(call.Action, "1");
        await call.KeysAsync(call.Action, "0");
        var enqueue = call.Last!.Root!.Element("Enqueue");
        Assert.That(enqueue?.Value, Is.EqualTo("311-fr"));
        Assert.That(enqueue!.Attribute("waitUrl")?.Value, Does.StartWith("/twilio/voice/wait"));
        Assert.That(await _app.ScalarAsync($"select count(*) from cases c join categories k on k.id = c.category_id where c.idempotency_key = 'call-agent:{call.CallSid}' and k.code = 'general-311' and c.queue = '311-fr' and c.assigned_to is null"), Is.EqualTo(1));

        var wait = await call.StepAsync("/twilio/voice/wait?lang=fr", new Dictionary<string, string> { ["QueuePosition"] = "2" });
        Assert.That(call.Spoken, Does.Contain("Vous êtes le numéro 2 dans la file"));
        Assert.That(wait.Root!.Element("Pause"), Is.Not.Null);
    }

    [Test]
    public async Task The_agent_who_answers_takes_the_caller_out_of_the_queue()
    {
        var call = await AtMenuAsync(_app);
        await call.KeysAsync(call.Action, "0");
        var number = (await _app.ScalarAsync($"select number::bigint from cases where idempotency_key = 'call-agent:{call.CallSid}'")).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var agent = await Desktop.DesktopClient.ConnectAsync(_app, "agent");

        var detail = await agent.Hub.InvokeAsync<Contact.Core.Desktop.CaseDetail>("Claim", number);
        Assert.That(detail.CallerWaiting, Is.True);
        detail = await agent.Hub.InvokeAsync<Contact.Core.Desktop.CaseDetail>("AnswerCall", number);
        Assert.That(detail.CallerWaiting, Is.False);
        Assert.That(detail.History.Select(h => h.Kind), Does.Contain("call_answered"));

        // No Twilio account here: the queue's wait URL hands the call to the agent.
        var handover = await call.StepAsync("/twilio/voice/wait?lang=en", new Dictionary<string, string> { ["QueuePosition"] = "1" });
        Assert.That(handover.Root!.Element("Dial")?.Element("Client")?.Value, Is.EqualTo("agent"));
        Assert.That(call.Spoken, Does.Contain("Connecting you to Alex Agent"));
        var again = Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() => agent.Hub.InvokeAsync<Contact.Core.Desktop.CaseDetail>("AnswerCall", number));
        Assert.That(again!.Message, Does.Contain("No caller is waiting"));
    }

    [Test]
    public async Task With_a_twilio_account_answering_redirects_the_live_call_to_dial_the_agents_phone()
    {
        await using var stub = await Notifications.TwilioStub.StartAsync();
        await using var app = new ContactFactory(await TestDatabase.CloneAsync(), services: s => s.AddSingleton(stub.Client()));
        var withTwilio = app;
        var staff = withTwilio.Services.GetRequiredService<Contact.Core.Staff.StaffDirectory>();
        await staff.CreateAsync(new Contact.Core.Staff.NewStaffMember("phoneagent", "Phone Agent", "agent", "pw-phone", Phone: "613-555-0199"));
        var call = new TwilioCall(withTwilio);
        await call.StepAsync("/twilio/voice");
        await call.KeysAsync(call.Action, "1");
        await call.KeysAsync(call.Action, "0");
        var number = (await app.ScalarAsync($"select number::bigint from cases where idempotency_key = 'call-agent:{call.CallSid}'")).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var agent = await Desktop.DesktopClient.ConnectAsync(withTwilio, "phoneagent", "pw-phone");
        await agent.Hub.InvokeAsync<Contact.Core.Desktop.CaseDetail>("Claim", number);

        await agent.Hub.InvokeAsync<Contact.Core.Desktop.CaseDetail>("AnswerCall", number);

        var (sid, twiml) = stub.CallUpdates.Single();
        Assert.That(sid, Is.EqualTo(call.CallSid));
        Assert.That(System.Xml.Linq.XDocument.Parse(twiml).Root!.Element("Dial")?.Element("Number")?.Value, Is.EqualTo("+16135550199"));
    }

    /// <summary>A graffiti report up to the step that confirms the callback number (1 files the case).</summary>
    private async Task<TwilioCall> AtCallbackConfirmAsync()
    {
        var call = await AtMenuAsync(_app);
        await call.KeysAsync(call.Action, "1");
        // Graffiti is on the second page of the keypad menu: 9 for more.
        await call.KeysAsync(call.Action, "9");
        await call.KeysAsync(call.Action, call.KeyFor("Graffiti"));
        while (call.Last!.Root!.Element("Gather")?.Attribute("action")?.Value.StartsWith("/twilio/voice/question", StringComparison.Ordinal) == true)
        {
            await call.KeysAsync(call.Action, "1");
        }
        await call.SaysAsync(call.Action, "Bank and Somerset");
        await call.KeysAsync(call.Action, "1");
        await call.StepAsync(call.Action, Recording);
        return call;
    }

    [Test]
    public async Task A_retried_webhook_gets_the_same_reply_and_makes_no_second_case()
    {
        var call = await AtCallbackConfirmAsync();
        var action = call.Action;
        var first = await call.StepAsync(action, new Dictionary<string, string> { ["Digits"] = "1" }, idempotencyToken: "retry-" + call.CallSid);
        var again = await call.StepAsync(action, new Dictionary<string, string> { ["Digits"] = "1" }, idempotencyToken: "retry-" + call.CallSid);
        Assert.That(again.ToString(), Is.EqualTo(first.ToString()));
        // The same step retried without a token still makes one case.
        await call.StepAsync(action, new Dictionary<string, string> { ["Digits"] = "1" });
        Assert.That(await _app.ScalarAsync($"select count(*) from cases where idempotency_key = 'call:{call.CallSid}'"), Is.EqualTo(1));
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task The_filing_turn_and_the_texts_turn_delivered_twice_at_once_make_one_case_and_one_text(bool withToken)
    {
        var call = await AtCallbackConfirmAsync();

        async Task<string[]> TwiceAtOnceAsync(string action, string step)
        {
            var token = withToken ? step + "-" + call.CallSid : null;
            var responses = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => call.PostAsync(action, new Dictionary<string, string> { ["Digits"] = "1" }, token)));
            var bodies = new string[responses.Length];
            for (var i = 0; i < responses.Length; i++)
            {
                bodies[i] = await responses[i].Content.ReadAsStringAsync();
                Assert.That(responses[i].StatusCode, Is.EqualTo(HttpStatusCode.OK), bodies[i]);
                TwimlRules.Check(System.Xml.Linq.XDocument.Parse(bodies[i]));
            }
            Assert.That(bodies[1], Is.EqualTo(bodies[0]), "the retry hears the same next prompt");
            return bodies;
        }

        // The callback number confirmed: the case is filed.
        var filed = await TwiceAtOnceAsync(call.Action, "file");
        Assert.That(filed[0], Does.Contain("Your request number is"));
        Assert.That(await _app.ScalarAsync($"select count(*) from cases where idempotency_key = 'call:{call.CallSid}'"), Is.EqualTo(1));
        var texts = System.Xml.Linq.XDocument.Parse(filed[0]).Root!.Element("Gather")!.Attribute("action")!.Value;
        // 1: text me about it.
        await TwiceAtOnceAsync(texts, "texts");
        Assert.That(await _app.ScalarAsync($"select count(*) from outbox o join cases c on c.id = o.case_id where c.idempotency_key = 'call:{call.CallSid}'"), Is.EqualTo(1));
        Assert.That(await _app.ScalarAsync($"select count(*) from case_events e join cases c on c.id = e.case_id where c.idempotency_key = 'call:{call.CallSid}' and e.kind = 'consent_given'"), Is.EqualTo(1));
        Assert.That(await _app.ScalarAsync($"select count(*) from case_events e join cases c on c.id = e.case_id where c.idempotency_key = 'call:{call.CallSid}' and e.kind = 'created'"), Is.EqualTo(1));
    }

    [Test]
    public async Task The_call_status_callback_is_recorded()
    {
        var call = await AtMenuAsync(_app);
        var response = await call.PostAsync("/twilio/status", new Dictionary<string, string> { ["CallStatus"] = "completed" });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(await _app.ScalarAsync($"select count(*) from calls where call_sid = '{call.CallSid}' and status = 'completed'"), Is.EqualTo(1));
    }
}
