using Contact.Tests.Infrastructure;
using Contact.Tests.Voice;
using Microsoft.Extensions.Time.Testing;

namespace Contact.Tests.SelfServe;

/// <summary>Self-serve 211 by phone: a need by keypad, the postal code keyed or said, the nearest services open now.</summary>
public sealed class SelfServeVoiceTests
{
    private const string Line211 = "+16135550211";
    private const string Secret = "voice-secret";
    private ContactFactory _app = null!;
    private static int _phone = 10;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        var clock = new FakeTimeProvider(SelfServeDirectory.WednesdayAfternoon);
        var app = await SelfServeDirectory.CreateAsync(clock);
        await app.DisposeAsync();
        // The same database, behind a host that checks Twilio's signatures.
        _app = new ContactFactory(app.ConnectionString, new Dictionary<string, string?> { ["Twilio:AuthToken"] = Secret },
            s => Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton<TimeProvider>(s, clock));
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _app.DisposeAsync();

    private TwilioCall NewCall(string to = Line211) =>
        new(_app, from: "+161355504" + Interlocked.Increment(ref _phone).ToString("00", System.Globalization.CultureInfo.InvariantCulture), to: to, authToken: Secret);

    /// <summary>A call to the 211 line, in English, at its menu.</summary>
    private async Task<TwilioCall> AtHelpMenuAsync(string language = "1")
    {
        var call = NewCall();
        await call.StepAsync("/twilio/voice");
        await call.KeysAsync(call.Action, language);
        return call;
    }

    [Test]
    public async Task A_caller_picks_food_keys_the_postal_code_hears_three_services_and_has_them_texted_once()
    {
        var call = await AtHelpMenuAsync();
        Assert.That(call.Spoken, Does.Contain("To find services near you").And.Contain("For food, press 1."));

        await call.KeysAsync(call.Action, call.KeyFor("food"));
        Assert.That(call.Spoken, Does.Contain("Say your postal code"));
        var gather = call.Last!.Root!.Element("Gather")!;
        Assert.That(gather.Attribute("input")?.Value, Does.Contain("speech").And.Contain("dtmf"));

        // K-1-P on a keypad: 5 (JKL), 1, 7 (PQRS); the directory's own city wins.
        await call.KeysAsync(call.Action, "517");
        Assert.That(call.Spoken, Does.Contain("I used the postal code area K, 1, P, Ottawa"));
        Assert.That(call.Spoken, Does.Contain("Here are services for food near K, 1, P, open now."));
        Assert.That(call.Spoken, Does.Contain("Number 1: ").And.Contain("Number 3: ").And.Not.Contain("Number 4: "));
        Assert.That(call.Spoken, Does.Contain("Phone: 6, 1, 3, 5, 5, 5, 0, 1, 0"));
        Assert.That(call.Spoken, Does.Not.Contain("Night Meal Van").And.Not.Contain("Westboro"), "only what is open now");
        Assert.That(call.Spoken, Does.Contain("To receive these by text message, press 1.").And.Contain("To hear the next ones, press 2."));

        await call.KeysAsync(call.Action, "1");
        Assert.That(call.Spoken, Does.Contain("We are sending them to you by text message."));
        // Pressed again: still one text.
        await call.KeysAsync(call.Action, "1");
        Assert.That(await _app.ScalarAsync($"select count(*) from outbox where to_address = '{call.From}'"), Is.EqualTo(1));
        Assert.That(await _app.ScalarAsync($"""
            select count(*) from outbox where to_address = '{call.From}' and case_id is null and kind = 'directory.services' and language = 'en'
              and body like 'Contact 211: FOOD near K1P:%' and body like '%1. %' and body like '%3. %' and body not like '%4. %'
            """), Is.EqualTo(1));
        Assert.That(await _app.ScalarAsync($"select count(*) from cases where resident_phone = '{call.From}'"), Is.EqualTo(0), "a search is not a case");

        // 2: the next one, numbered on.
        await call.KeysAsync(call.Action, "2");
        Assert.That(call.Spoken, Does.Contain("Here are more services for food").And.Contain("Number 4: "));
        Assert.That(call.Spoken, Does.Not.Contain("To hear the next ones"));

        // 0: an agent, on the 211 queue.
        await call.KeysAsync(call.Action, "0");
        Assert.That(call.Last!.Root!.Element("Enqueue")?.Value, Is.EqualTo("211-en"));
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task A_texting_turn_twilio_delivers_twice_at_once_texts_once_and_both_answers_are_the_same_prompt(bool withToken)
    {
        var call = await AtHelpMenuAsync();
        await call.KeysAsync(call.Action, call.KeyFor("food"));
        await call.KeysAsync(call.Action, "517");
        var action = call.Action;
        // Twilio retries the webhook while its first delivery still runs: the same signed request, twice at once.
        var token = withToken ? "retry-" + call.CallSid : null;
        var responses = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => call.PostAsync(action, new Dictionary<string, string> { ["Digits"] = "1" }, token)));
        var replies = new List<System.Xml.Linq.XDocument>();
        foreach (var response in responses)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.That(response.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.OK), body);
            var twiml = System.Xml.Linq.XDocument.Parse(body);
            TwimlRules.Check(twiml);
            replies.Add(twiml);
        }
        Assert.That(replies[0].ToString(), Does.Contain("We are sending them to you by text message."));
        Assert.That(replies[1].ToString(), Is.EqualTo(replies[0].ToString()), "the retry hears the same next prompt");
        Assert.That(await _app.ScalarAsync($"select count(*) from outbox where to_address = '{call.From}'"), Is.EqualTo(1));
    }

    [Test]
    public async Task A_postal_code_said_in_french_is_understood_and_the_services_are_read_in_french()
    {
        var call = await AtHelpMenuAsync("2");
        Assert.That(call.Spoken, Does.Contain("Pour de la nourriture, appuyez sur le 1."));
        await call.KeysAsync(call.Action, "1");
        await call.SaysAsync(call.Action, "K 1 P 1 J 1");
        Assert.That(call.Spoken, Does.Contain("Voici des services pour de la nourriture près de K, 1, P, 1, J, 1, ouverts maintenant."));
        Assert.That(call.Spoken, Does.Contain("Banque alimentaire Centre-ville").Or.Contain("Soupe populaire Basse-Ville").Or.Contain("Garde-manger Côte-de-Sable"));
        Assert.That(call.Last!.Descendants("Say").All(s => s.Attribute("language")?.Value == "fr-CA"));
    }

    [Test]
    public async Task The_main_menus_find_help_choice_offers_services_near_you_and_a_need_can_be_said()
    {
        var call = NewCall(to: "+16135550311");
        await call.StepAsync("/twilio/voice");
        await call.KeysAsync(call.Action, "1");
        Assert.That(call.Spoken, Does.Contain("To find community help, press 2"));
        await call.KeysAsync(call.Action, "2");
        Assert.That(call.Spoken, Does.Contain("To find services near you"));
        await call.SaysAsync(call.Action, "legal help near K1P");
        Assert.That(call.Spoken, Does.Contain("Downtown Legal Clinic"));
    }

    [Test]
    public async Task A_postal_code_far_from_every_service_hears_that_none_is_near_and_is_offered_an_agent()
    {
        var call = await AtHelpMenuAsync();
        await call.KeysAsync(call.Action, call.KeyFor("food"));
        await call.SaysAsync(call.Action, "M 5 V 2 T 6");
        Assert.That(call.Spoken, Does.StartWith("Sorry, I found no services for food near M, 5, V, 2, T, 6.").And.Contain("To speak to an agent, press 1."));
        Assert.That(call.Spoken, Does.Not.Contain("Number 1: "));
        await call.KeysAsync(call.Action, "1");
        Assert.That(call.Last!.Root!.Element("Enqueue")?.Value, Is.EqualTo("211-en"));
    }

    [Test]
    public async Task Keys_that_spell_no_known_area_are_asked_again_then_an_agent_is_offered()
    {
        var call = await AtHelpMenuAsync();
        await call.KeysAsync(call.Action, "1");
        await call.KeysAsync(call.Action, "111");
        Assert.That(call.Spoken, Does.StartWith("Sorry, I could not find that postal code.").And.Contain("Say your postal code"));
        await call.KeysAsync(call.Action, "999");
        Assert.That(call.Spoken, Does.StartWith("Sorry, I could not find that postal code."));
        await call.KeysAsync(call.Action, "111");
        Assert.That(call.Spoken, Does.Contain("To speak to an agent, press 1."));
        await call.KeysAsync(call.Action, "1");
        Assert.That(call.Last!.Root!.Element("Enqueue")?.Value, Is.EqualTo("211-en"));
    }

    [Test]
    public async Task A_wrong_key_at_the_help_menu_repeats_it_then_no_answer_offers_an_agent()
    {
        var call = await AtHelpMenuAsync();
        await call.KeysAsync(call.Action, "*");
        Assert.That(call.Spoken, Does.StartWith("Sorry, that is not one of the choices.").And.Contain("For food, press 1."));
        await call.StepAsync(call.Last!.Root!.Element("Redirect")!.Value);
        Assert.That(call.Spoken, Does.StartWith("Sorry, I did not get that.").And.Contain("To speak to an agent, press 1."));
        Assert.That(call.Last!.Root!.Element("Hangup"), Is.Not.Null, "or goodbye, never a dead end");
    }
}
