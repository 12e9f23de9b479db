using System.Collections;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Resources;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Contact.Core.Cases;
using Contact.Core.Notifications;
using Contact.Ivr.Sms;
using Contact.Tests.Infrastructure;

namespace Contact.Tests.Sms;

/// <summary>A resident texting Contact: posts Twilio's messaging webhook and reads the TwiML reply.</summary>
public sealed partial class Texter(ContactFactory app, string from)
{
    private readonly HttpClient _client = app.CreateClient();

    public string From => from;

    /// <summary>The MessageSid of the first text sent.</summary>
    public string? FirstSid { get; private set; }

    /// <summary>The raw TwiML of the last reply.</summary>
    public string LastTwiml { get; private set; } = "";

    public static string NewSid() => "SM" + Guid.NewGuid().ToString("N");

    /// <summary>The form Twilio posts for a text of <paramref name="body"/> from <paramref name="sender"/>.</summary>
    public static Dictionary<string, string> Webhook(string sid, string sender, string body) => new()
    {
        ["MessageSid"] = sid,
        ["SmsSid"] = sid,
        ["AccountSid"] = "ACtest",
        ["From"] = sender,
        ["To"] = "+16135550311",
        ["Body"] = body,
        ["NumMedia"] = "0",
        ["NumSegments"] = "1",
    };

    /// <summary>Texts <paramref name="body"/> and returns the reply, checked to be one Message within three segments.</summary>
    public async Task<string> TextAsync(string body, IDictionary<string, string>? extra = null, string? messageSid = null)
    {
        var sid = messageSid ?? NewSid();
        FirstSid ??= sid;
        var fields = Webhook(sid, from, body);
        foreach (var (k, v) in extra ?? new Dictionary<string, string>())
        {
            fields[k] = v;
        }
        using var response = await _client.PostAsync("/twilio/sms", new FormUrlEncodedContent(fields));
        LastTwiml = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), LastTwiml);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/xml"));
        var twiml = XDocument.Parse(LastTwiml);
        Assert.That(twiml.Root!.Name.LocalName, Is.EqualTo("Response"));
        var messages = twiml.Root.Elements("Message").ToList();
        Assert.That(messages, Has.Count.EqualTo(1), LastTwiml);
        var reply = messages[0].Value;
        TestContext.Out.WriteLine($"> {body}\n< {reply}");
        Assert.That(SmsSegments.Count(reply), Is.InRange(1, 3), reply);
        return reply;
    }

    /// <summary>Texts a photo (MMS) with <paramref name="body"/>.</summary>
    public Task<string> PhotoAsync(string body, string url) => TextAsync(body, new Dictionary<string, string>
    {
        ["NumMedia"] = "1",
        ["MediaUrl0"] = url,
        ["MediaContentType0"] = "image/jpeg",
    });

    public static string NumberIn(string reply) => CaseNumberPattern().Match(reply) is { Success: true } m ? m.Value : throw new AssertionException("No request number in: " + reply);

    /// <summary>The number a list gives an option ("4 Pothole" → "4").</summary>
    public static string KeyFor(string reply, string option) =>
        reply.Split('\n').Select(l => OptionPattern().Match(l)).FirstOrDefault(m => m.Success && m.Groups[2].Value.StartsWith(option, StringComparison.Ordinal))?.Groups[1].Value
        ?? throw new AssertionException($"No option {option} in: {reply}");

    [GeneratedRegex(@"\b[1-9][0-9]{6,9}\b")]
    private static partial Regex CaseNumberPattern();

    [GeneratedRegex(@"^([1-9]) (.+)$")]
    private static partial Regex OptionPattern();
}

public sealed class SmsTests
{
    private ContactFactory _app = null!;
    private static int _phone = 10;

    [OneTimeSetUp]
    public async Task StartAsync() => _app = await ContactFactory.CreateAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _app.DisposeAsync();

    private Texter NewResident() => new(_app, "+161355501" + Interlocked.Increment(ref _phone).ToString("00", CultureInfo.InvariantCulture));

    private async Task<string> FiledNumberAsync(string category = "graffiti", object? answers = null)
    {
        var response = await _app.CreateClient().PostAsync("/api/cases", JsonContent.Create(new { category, language = "en", address = "1 Rideau St", answers = answers ?? new { surfaces = new[] { "wall" } } }));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetString()!;
    }

    private static string Typo(string number) => number[..^1] + (char)('0' + ((number[^1] - '0' + 3) % 10));

    [Test]
    public async Task A_resident_reports_a_pothole_in_english_with_a_photo_and_gets_a_request_number()
    {
        var resident = NewResident();
        const string photo = "https://api.twilio.com/2010-04-01/Accounts/ACtest/Messages/MM0123/Media/ME0123456789abcdef";
        var reply = await resident.PhotoAsync("pothole at 123 Main St", photo);
        Assert.That(reply, Is.EqualTo("Is this about Pothole? Reply YES or NO"));

        reply = await resident.TextAsync("yes");
        Assert.That(reply, Does.StartWith("Address noted: 123 Main St.").And.Contain("How big is it?"));
        reply = await resident.TextAsync(Texter.KeyFor(reply, "Larger than a car tire"));
        Assert.That(reply, Is.EqualTo("Reply with a short description, or SKIP"));
        reply = await resident.TextAsync("Deep, in the right lane");
        var number = Texter.NumberIn(reply);
        Assert.That(reply, Is.EqualTo($"Thanks! Your request number is {number}. Text STATUS {number} any time."));

        Assert.That(await _app.ScalarAsync($"""
            select count(*) from cases c join categories k on k.id = c.category_id
            where c.number = '{number}' and c.channel = 'sms' and k.code = 'pothole' and c.language = 'en'
              and c.address = '123 Main St' and c.answers->>'size' = 'large' and c.resident_phone = '{resident.From}'
              and c.idempotency_key = 'sms:{resident.FirstSid}' and c.notify_consent and c.description = 'Deep, in the right lane'
            """), Is.EqualTo(1));
        Assert.That(await _app.ScalarAsync($"select count(*) from case_media m join cases c on c.id = m.case_id where c.number = '{number}' and m.kind = 'photo' and m.url = '{photo}'"), Is.EqualTo(1));
        Assert.That(await _app.ScalarAsync($"select count(*) from sms_conversations v join cases c on c.id = v.case_id where v.phone = '{resident.From}' and c.number = '{number}' and v.language = 'en'"), Is.EqualTo(1));

        // The conversation ended with its case: the next text starts afresh.
        Assert.That(await resident.TextAsync("graffiti on a wall"), Does.StartWith("Is this about Graffiti?"));
    }

    [Test]
    public async Task A_resident_reports_a_pothole_in_french_and_the_conversation_stays_in_french()
    {
        var resident = NewResident();
        var reply = await resident.TextAsync("nid-de-poule au 123 rue Principale");
        Assert.That(reply, Is.EqualTo("S'agit-il de : Nid-de-poule? Répondez OUI ou NON"));
        reply = await resident.TextAsync("OUI");
        Assert.That(reply, Does.StartWith("Adresse notée : 123 rue Principale.").And.Contain("Quelle est sa taille?").And.Contain("Répondez par un numéro."));
        reply = await resident.TextAsync(Texter.KeyFor(reply, "Plus petit"));
        Assert.That(reply, Is.EqualTo("Décrivez le problème en quelques mots, ou PASSER"));
        reply = await resident.TextAsync("passer");
        var number = Texter.NumberIn(reply);
        Assert.That(reply, Is.EqualTo($"Merci! Votre numéro de demande est {number}. Textez ÉTAT {number} en tout temps."));

        Assert.That(await _app.ScalarAsync($"""
            select count(*) from cases c join categories k on k.id = c.category_id
            where c.number = '{number}' and c.channel = 'sms' and k.code = 'pothole' and c.language = 'fr' and c.queue = '311-fr'
              and c.address = '123 rue Principale' and c.answers->>'size' = 'small' and c.resident_phone = '{resident.From}'
              and c.description = 'nid-de-poule au 123 rue Principale' and c.idempotency_key = 'sms:{resident.FirstSid}'
            """), Is.EqualTo(1));
        Assert.That(await _app.ScalarAsync($"select count(*) from sms_conversations where phone = '{resident.From}' and language = 'fr'"), Is.EqualTo(1));
    }

    [Test]
    public async Task No_to_the_guess_or_no_guess_at_all_lists_choices_by_number_and_a_wrong_answer_is_asked_again()
    {
        var resident = NewResident();
        var reply = await resident.TextAsync("hello");
        Assert.That(reply, Does.StartWith("What is it about? Reply with a number:").And.Contain("\n1 Roads and sidewalks"));
        reply = await resident.TextAsync("42");
        Assert.That(reply, Does.StartWith("Please reply with a number from the list.").And.Contain("Roads and sidewalks"));
        reply = await resident.TextAsync(Texter.KeyFor(reply, "Roads and sidewalks"));
        Assert.That(reply, Does.StartWith("Which one? Reply with a number:").And.Contain("Pothole"));
        reply = await resident.TextAsync(Texter.KeyFor(reply, "Pothole"));
        Assert.That(reply, Is.EqualTo("Where is it? Text the address or the nearest intersection."));
        reply = await resident.TextAsync("Bank and Somerset");
        Assert.That(reply, Does.StartWith("Address noted: Bank and Somerset.").And.Contain("How big is it?"));
        reply = await resident.TextAsync("7");
        Assert.That(reply, Does.StartWith("Sorry, that is not one of the choices.").And.Contain("How big is it?"));
        reply = await resident.TextAsync("2");
        Assert.That(reply, Is.EqualTo("Reply with a short description, or SKIP"));

        var other = NewResident();
        Assert.That(await other.TextAsync("garbage not picked up at 12 Elm St"), Does.StartWith("Is this about Missed garbage pickup?"));
        reply = await other.TextAsync("NO");
        Assert.That(reply, Does.StartWith("Which one? Reply with a number:").And.Not.Contain("Missed garbage pickup"));
    }

    [Test]
    public async Task Every_required_question_is_asked_by_text_and_a_bad_date_is_named_and_asked_again()
    {
        var resident = NewResident();
        Assert.That(await resident.TextAsync("garbage not picked up at 12 Elm St"), Does.StartWith("Is this about Missed garbage pickup?"));
        var reply = await resident.TextAsync("Y");
        Assert.That(reply, Is.EqualTo("Address noted: 12 Elm St. When was it due? Reply with a date and time, e.g. 2026-11-24 7:00"));
        reply = await resident.TextAsync("last tuesday-ish");
        Assert.That(reply, Does.StartWith("Sorry, I could not read that date and time.").And.Contain("When was it due?"));
        reply = await resident.TextAsync("2026-11-24 7:00");
        Assert.That(reply, Does.Contain("\n1 "));
        reply = await resident.TextAsync("1");
        Assert.That(reply, Is.EqualTo("Reply with a short description, or SKIP"));
        var number = Texter.NumberIn(await resident.TextAsync("SKIP"));
        Assert.That(await _app.ScalarAsync($"""
            select count(*) from cases c join categories k on k.id = c.category_id
            where c.number = '{number}' and k.code = 'missed-garbage' and c.answers->>'due' like '2026-11-24T07:00:00%'
              and c.answers ? 'set-out' and c.description = 'garbage not picked up at 12 Elm St'
            """), Is.EqualTo(1));
    }

    [Test]
    public async Task Status_answers_a_good_number_without_personal_details_and_catches_a_mistyped_one()
    {
        var number = await FiledNumberAsync();
        var resident = NewResident();
        var reply = await resident.TextAsync("STATUS " + number);
        Assert.That(reply, Does.StartWith($"Request {number}: received, waiting for an agent. Last update: "));
        Assert.That(reply, Does.Not.Contain("Rideau").And.Not.Contain("Graffiti"));
        Assert.That(await resident.TextAsync("status " + Typo(number)), Is.EqualTo("That number is not valid; check it and try again."));
        Assert.That(await resident.TextAsync("Status " + CaseNumber.WithCheckDigit("999999999")), Does.StartWith("There is no request with that number"));
        Assert.That(await resident.TextAsync(number), Does.StartWith($"Request {number}: "), "a bare request number");
        Assert.That(await resident.TextAsync("STATUS"), Does.StartWith("Text STATUS and your request number"));
    }

    [Test]
    public async Task Etat_answers_in_french_and_a_211_request_shows_only_its_status()
    {
        var number = await FiledNumberAsync("food-bank", new { household = 3 });
        var resident = NewResident();
        var reply = await resident.TextAsync("ÉTAT " + number);
        Assert.That(reply, Does.StartWith($"Demande {number} : reçue, en attente d'un agent. Mise à jour : "));
        Assert.That(reply, Does.Not.Contain("Banque").And.Not.Contain("Rideau"));
        Assert.That(await resident.TextAsync("etat " + Typo(number)), Is.EqualTo("Ce numéro n'est pas valide; vérifiez-le et réessayez."));
    }

    [Test]
    public async Task Stop_records_an_opt_out_and_start_removes_it()
    {
        var resident = NewResident();
        Assert.That(await resident.TextAsync("STOP"), Does.Contain("no more texts").And.Contain("START"));
        Assert.That(await _app.ScalarAsync($"select count(*) from sms_opt_outs where phone = '{resident.From}' and keyword = 'STOP'"), Is.EqualTo(1));
        Assert.That(await resident.TextAsync("Start"), Does.Contain("texts are back on"));
        Assert.That(await _app.ScalarAsync($"select count(*) from sms_opt_outs where phone = '{resident.From}'"), Is.EqualTo(0));

        Assert.That(await resident.TextAsync("arrêt"), Does.Contain("plus aucun texto"));
        Assert.That(await _app.ScalarAsync($"select count(*) from sms_opt_outs where phone = '{resident.From}' and keyword = 'ARRÊT'"), Is.EqualTo(1));
        Assert.That(await resident.TextAsync("YES"), Does.Contain("texts are back on"), "YES after STOP opts back in");
        Assert.That(await _app.ScalarAsync($"select count(*) from sms_opt_outs where phone = '{resident.From}'"), Is.EqualTo(0));

        // Twilio's own opt-out handling names the keyword it recognised.
        await resident.TextAsync("Stop sending me these", new Dictionary<string, string> { ["OptOutType"] = "STOP" });
        Assert.That(await _app.ScalarAsync($"select count(*) from sms_opt_outs where phone = '{resident.From}'"), Is.EqualTo(1));
        await resident.TextAsync("unstop", new Dictionary<string, string> { ["OptOutType"] = "START" });
        Assert.That(await _app.ScalarAsync($"select count(*) from sms_opt_outs where phone = '{resident.From}'"), Is.EqualTo(0));
    }

    [Test]
    public async Task Help_and_aide_say_what_the_service_is_and_how_to_stop()
    {
        var resident = NewResident();
        Assert.That(await resident.TextAsync("HELP"), Is.EqualTo("Contact 311/211: text a problem, STATUS + request number, or a need + postal code (FOOD K1P 1J1). Reply STOP to stop."));
        Assert.That(await resident.TextAsync("aide"), Does.StartWith("Contact 311/211 : textez un problème, ÉTAT").And.Contain("ARRET"));
    }

    [Test]
    public async Task Fr_and_en_switch_the_language_and_say_so()
    {
        var resident = NewResident();
        Assert.That(await resident.TextAsync("FR"), Does.StartWith("D'accord, nous vous écrirons en français."));
        Assert.That(await _app.ScalarAsync($"select count(*) from sms_conversations where phone = '{resident.From}' and language = 'fr'"), Is.EqualTo(1));
        Assert.That(await resident.TextAsync("1234"), Does.StartWith("De quoi s'agit-il?"), "the next reply is in French");
        Assert.That(await resident.TextAsync("en"), Does.StartWith("OK, we will text you in English."));
        Assert.That(await _app.ScalarAsync($"select count(*) from sms_conversations where phone = '{resident.From}' and language = 'en'"), Is.EqualTo(1));
    }

    [Test]
    public async Task A_retried_webhook_gets_the_same_reply_and_makes_one_case()
    {
        var resident = NewResident();
        var first = Texter.NewSid();
        var reply = await resident.TextAsync("pothole at 5 Elgin St", messageSid: first);
        Assert.That(await resident.TextAsync("pothole at 5 Elgin St", messageSid: first), Is.EqualTo(reply));
        await resident.TextAsync("yes");
        await resident.TextAsync("1");
        var last = Texter.NewSid();
        reply = await resident.TextAsync("skip", messageSid: last);
        var twiml = resident.LastTwiml;
        Assert.That(reply, Does.StartWith("Thanks! Your request number is"));
        Assert.That(await resident.TextAsync("skip", messageSid: last), Is.EqualTo(reply));
        Assert.That(resident.LastTwiml, Is.EqualTo(twiml));
        Assert.That(await _app.ScalarAsync($"select count(*) from cases where idempotency_key = 'sms:{first}'"), Is.EqualTo(1));
        Assert.That(await _app.ScalarAsync($"select count(*) from cases where resident_phone = '{resident.From}'"), Is.EqualTo(1));
        Assert.That(await _app.ScalarAsync($"select count(*) from sms_inbound where message_sid in ('{first}', '{last}')"), Is.EqualTo(2));
    }

    [Test]
    public async Task A_webhook_twilio_delivers_twice_at_once_makes_one_case_and_one_reply()
    {
        var resident = NewResident();
        var first = Texter.NewSid();
        // The first text of a conversation, and the one that files the case, each delivered twice at once.
        var replies = await Task.WhenAll(resident.TextAsync("pothole at 5 Elgin St", messageSid: first), resident.TextAsync("pothole at 5 Elgin St", messageSid: first));
        Assert.That(replies[1], Is.EqualTo(replies[0]));
        await resident.TextAsync("yes");
        await resident.TextAsync("1");
        var last = Texter.NewSid();
        replies = await Task.WhenAll(resident.TextAsync("skip", messageSid: last), resident.TextAsync("skip", messageSid: last));
        Assert.That(replies[0], Does.StartWith("Thanks! Your request number is"));
        Assert.That(replies[1], Is.EqualTo(replies[0]));
        Assert.That(await _app.ScalarAsync($"select count(*) from cases where resident_phone = '{resident.From}'"), Is.EqualTo(1));
        Assert.That(await _app.ScalarAsync($"select count(*) from sms_inbound where message_sid in ('{first}', '{last}')"), Is.EqualTo(2));
        Assert.That(await _app.ScalarAsync($"select count(*) from outbox where to_address = '{resident.From}'"), Is.EqualTo(1), "one text for the one case, however often the webhook came");
    }

    private static Dictionary<string, string> Strings(string culture)
    {
        var manager = new ResourceManager("Contact.Ivr.Sms.SmsText", typeof(SmsText).Assembly);
        var set = manager.GetResourceSet(CultureInfo.GetCultureInfo(culture), createIfNotExists: true, tryParents: false)
            ?? throw new AssertionException($"No {culture} resources");
        return set.Cast<DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (string)e.Value!);
    }

    [Test]
    public void Every_reply_exists_in_english_and_french_and_none_is_empty()
    {
        var en = Strings("");
        var fr = Strings("fr");
        Assert.That(fr.Keys, Is.EquivalentTo(en.Keys));
        Assert.That(en.Values.Concat(fr.Values), Has.None.Empty);
    }

    [TestCase("")]
    [TestCase("fr")]
    public void Every_reply_fits_in_three_segments_with_realistic_values(string culture)
    {
        var texts = Strings(culture);
        var french = culture == "fr";
        var longestStatus = texts.Where(t => t.Key.StartsWith("status.", StringComparison.Ordinal) && !t.Value.Contains('{', StringComparison.Ordinal))
            .Select(t => t.Value).MaxBy(v => v.Length)!;
        var values = new Dictionary<string, object[]>
        {
            ["status.answer"] = ["1234567890", longestStatus, french ? "28 septembre 2026" : "28 September 2026"],
            ["category.confirm"] = [french ? "Assurance maladie lors d'un déménagement entre le Québec et l'Ontario" : "Health insurance when moving between Quebec and Ontario"],
            ["category.confirm_again"] = [french ? "Assurance maladie lors d'un déménagement entre le Québec et l'Ontario" : "Health insurance when moving between Quebec and Ontario"],
            ["address.kept"] = [french ? "1234, boulevard Saint-Joseph, près de la rue Principale" : "1234 Saint-Joseph Boulevard, near Main Street"],
            ["selfserve.need_ask"] = [Contact.Core.ResourceDirectory.NeedWords.List(french ? Contact.Core.Infrastructure.Language.French : Contact.Core.Infrastructure.Language.English)],
            ["life.start"] = [french ? "Décès d'un proche" : "A death in the family", 8],
            ["life.filed"] = ["1234567890", 8],
        };
        foreach (var key in new[] { "selfserve.open_now", "selfserve.none_open", "selfserve.more_header", "selfserve.none" })
        {
            values[key] = [french ? "NOUVEL ARRIVANT, SANTÉ MENTALE" : "NEWCOMER, MENTAL HEALTH", "K1P 1J1"];
        }
        Assert.Multiple(() =>
        {
            foreach (var (key, value) in texts)
            {
                var formatted = string.Format(CultureInfo.InvariantCulture, value, values.TryGetValue(key, out var args) ? args : ["1234567"]);
                var budget = SmsSegments.IsGsm7(formatted) ? 3 * 153 : 3 * 67;
                Assert.That(SmsSegments.Units(formatted), Is.LessThanOrEqualTo(budget), $"{culture} {key}: {formatted}");
                Assert.That(SmsSegments.Count(formatted), Is.LessThanOrEqualTo(SmsSegments.Budget), $"{culture} {key}: {formatted}");
            }
        });
    }

    [Test]
    public void Segments_are_counted_in_gsm_7_or_ucs_2()
    {
        Assert.That(SmsSegments.Count(new string('a', 160)), Is.EqualTo(1));
        Assert.That(SmsSegments.Count(new string('a', 161)), Is.EqualTo(2));
        Assert.That(SmsSegments.Count(new string('a', 459)), Is.EqualTo(3));
        Assert.That(SmsSegments.Count(new string('a', 460)), Is.EqualTo(4));
        Assert.That(SmsSegments.IsGsm7("Répondez à ÉTAT"), Is.True, "é, à and É are in the GSM-7 alphabet");
        Assert.That(SmsSegments.IsGsm7("être"), Is.False);
        Assert.That(SmsSegments.Count(new string('ê', 70)), Is.EqualTo(1));
        Assert.That(SmsSegments.Count(new string('ê', 71)), Is.EqualTo(2));
        Assert.That(SmsSegments.Count(new string('€', 80)), Is.EqualTo(1), "extension characters count twice");
        Assert.That(SmsSegments.Count(new string('€', 81)), Is.EqualTo(2));
    }

    [Test]
    public async Task The_longest_lists_fit_in_three_segments_in_french()
    {
        var resident = NewResident();
        Assert.That(await resident.TextAsync("FR"), Does.StartWith("D'accord"));
        var reply = await resident.TextAsync("zzzz");
        Assert.That(reply, Does.StartWith("De quoi s'agit-il?").And.Contain("\n1 Routes et trottoirs"));
        reply = await resident.TextAsync(Texter.KeyFor(reply, "Comptes"));
        Assert.That(reply, Does.StartWith("Lequel?").And.Contain("\n1 "));
    }
}
