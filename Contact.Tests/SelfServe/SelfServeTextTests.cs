using System.Globalization;
using System.Text.RegularExpressions;
using Contact.Tests.Infrastructure;
using Contact.Tests.Sms;
using Microsoft.Extensions.Time.Testing;

namespace Contact.Tests.SelfServe;

/// <summary>Self-serve 211 by text: a need and a postal code answer with services open now nearby.</summary>
public sealed partial class SelfServeTextTests
{
    private ContactFactory _app = null!;
    private readonly FakeTimeProvider _clock = new(SelfServeDirectory.WednesdayAfternoon);
    private static int _phone = 10;

    [OneTimeSetUp]
    public async Task StartAsync() => _app = await SelfServeDirectory.CreateAsync(_clock);

    [OneTimeTearDown]
    public async Task StopAsync() => await _app.DisposeAsync();

    private Texter NewResident() => new(_app, "+161355502" + Interlocked.Increment(ref _phone).ToString("00", CultureInfo.InvariantCulture));

    /// <summary>The numbered entries of a reply: number → the entry's text.</summary>
    internal static Dictionary<int, string> Entries(string reply) => reply.Split('\n')
        .Select(l => EntryPattern().Match(l)).Where(m => m.Success)
        .ToDictionary(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), m => m.Groups[2].Value);

    internal static string? NameIn(string entry) => SelfServeDirectory.Services.Select(s => s.Name).FirstOrDefault(n => entry.StartsWith(n, StringComparison.Ordinal));

    [GeneratedRegex(@"^([0-9]+)\. (.+)$")]
    private static partial Regex EntryPattern();

    [Test]
    public async Task Food_and_a_postal_code_lists_three_services_open_now_and_MORE_the_next_without_repeating()
    {
        var resident = NewResident();
        var reply = await resident.TextAsync("FOOD K1P 1J1");

        Assert.That(reply, Does.StartWith("FOOD near K1P 1J1, open now:\n").And.EndWith("\nReply MORE for more"));
        var first = Entries(reply);
        Assert.That(first.Keys, Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(first.Values.Select(NameIn), Is.SubsetOf(SelfServeDirectory.FoodOpenWednesday));
        Assert.That(first[1], Does.Contain("613-555-01").And.Contain("St"), "name, address, phone, hours");

        reply = await resident.TextAsync("more");
        Assert.That(reply, Does.StartWith("More for FOOD near K1P 1J1:\n").And.Not.Contain("Reply MORE"));
        var second = Entries(reply);
        Assert.That(second.Keys, Is.EqualTo(new[] { 4 }), "numbering goes on");
        var all = first.Values.Concat(second.Values).Select(NameIn).ToList();
        Assert.That(all, Is.EquivalentTo(SelfServeDirectory.FoodOpenWednesday), "every open one once, none closed");

        Assert.That(await resident.TextAsync("MORE"), Does.StartWith("That is all."));
        // A search is not a case.
        Assert.That(await _app.ScalarAsync($"select count(*) from cases where resident_phone = '{resident.From}'"), Is.EqualTo(0));
    }

    [Test]
    public async Task Nourriture_and_a_postal_code_answers_in_french_and_PLUS_gives_the_next()
    {
        var resident = NewResident();
        var reply = await resident.TextAsync("nourriture k1p1j1");

        Assert.That(reply, Does.StartWith("NOURRITURE près de K1P 1J1, ouvert maintenant :\n").And.EndWith("Répondez PLUS pour la suite"));
        Assert.That(reply, Does.Contain("Banque alimentaire Centre-ville").Or.Contain("Soupe populaire Basse-Ville").Or.Contain("Garde-manger Côte-de-Sable"));
        var listed = Entries(reply).Count;
        Assert.That(listed, Is.InRange(1, 3));

        reply = await resident.TextAsync("PLUS");
        Assert.That(reply, Does.StartWith("Suite pour NOURRITURE près de K1P 1J1 :"));
        Assert.That(Entries(reply).Keys.Min(), Is.EqualTo(listed + 1));
        Assert.That(await _app.ScalarAsync($"select count(*) from sms_conversations where phone = '{resident.From}' and language = 'fr'"), Is.EqualTo(1));
    }

    [Test]
    public async Task An_unknown_or_malformed_postal_code_gets_a_clear_answer_with_an_example_and_the_need_is_kept()
    {
        var resident = NewResident();
        Assert.That(await resident.TextAsync("FOOD X0A 0H0"),
            Is.EqualTo("We have no services listed for the postal code area X0A 0H0. What is your postal code? e.g. K1P 1J1"));
        Assert.That(await resident.TextAsync("food D1P 1J1"),
            Is.EqualTo("That is not a Canadian postal code. What is your postal code? e.g. K1P 1J1"));

        // The need was kept: the postal code alone completes the search.
        Assert.That(await resident.TextAsync("K1P"), Does.StartWith("FOOD near K1P, open now:"));
    }

    [Test]
    public async Task A_need_alone_asks_for_the_postal_code_and_a_postal_code_alone_asks_what_is_needed()
    {
        var resident = NewResident();
        Assert.That(await resident.TextAsync("Food"), Is.EqualTo("What is your postal code? e.g. K1P 1J1"));
        Assert.That(await resident.TextAsync("k1p 1j1"), Does.StartWith("FOOD near K1P 1J1, open now:"));

        var other = NewResident();
        Assert.That(await other.TextAsync("K1P 1J1"),
            Is.EqualTo("What do you need? Reply with a word: FOOD, SHELTER, RENT, MENTAL HEALTH, MONEY, JOB, LEGAL, NEWCOMER, SENIOR"));
        Assert.That(await other.TextAsync("legal"), Does.StartWith("LEGAL near K1P 1J1, open now:").And.Contain("Downtown Legal Clinic"));
    }

    [Test]
    public async Task A_report_a_status_check_and_a_stray_MORE_are_not_taken_for_a_search()
    {
        var resident = NewResident();
        Assert.That(await resident.TextAsync("graffiti on a wall"), Does.StartWith("Is this about Graffiti?"));
        Assert.That(await resident.TextAsync("yes"), Is.EqualTo("Where is it? Text the address or the nearest intersection."));
        // In the middle of a report a postal code is an answer to it, not a search.
        Assert.That(await resident.TextAsync("K1P 1J1"), Does.StartWith("Address noted: K1P 1J1."));
        Assert.That(await NewResident().TextAsync("STATUS 12345"), Does.Not.Contain("open now"));
        // MORE with no search to continue says how to search.
        Assert.That(await NewResident().TextAsync("plus"), Is.EqualTo("Pour trouver des services, textez un besoin et un code postal, ex. : NOURRITURE K1P 1J1"));
    }

    [Test]
    public async Task The_nearest_come_first_and_far_services_only_once_the_search_widens()
    {
        var resident = NewResident();
        var reply = await resident.TextAsync("SENIOR K1P");

        // The three centres within 5 km fill the text; the two about 22 km away are not in it, but MORE is offered.
        var first = Entries(reply);
        Assert.That(first.Values.Select(NameIn), Is.EquivalentTo(new[] { "Byward Seniors Centre", "Centretown Seniors Club", "Glebe Seniors Drop-in" }));
        Assert.That(reply, Does.EndWith("\nReply MORE for more"));

        reply = await resident.TextAsync("MORE");
        Assert.That(Entries(reply).ToDictionary(e => e.Key, e => NameIn(e.Value)), Is.EqualTo(new Dictionary<int, string?> { [4] = "Navan Seniors Centre", [5] = "West Carleton Seniors Centre" }));
        Assert.That(reply, Does.Not.Contain("Reply MORE"));
        Assert.That(await resident.TextAsync("MORE"), Does.StartWith("That is all."));
    }
}

/// <summary>Self-serve by text late on a Saturday night, when most services are closed.</summary>
public sealed class SelfServeNightTextTests
{
    private ContactFactory _app = null!;
    private static int _phone = 10;

    [OneTimeSetUp]
    public async Task StartAsync() => _app = await SelfServeDirectory.CreateAsync(new FakeTimeProvider(SelfServeDirectory.SaturdayNight));

    [OneTimeTearDown]
    public async Task StopAsync() => await _app.DisposeAsync();

    private Texter NewResident() => new(_app, "+161355503" + Interlocked.Increment(ref _phone).ToString("00", CultureInfo.InvariantCulture));

    [Test]
    public async Task On_saturday_night_only_what_is_open_is_listed()
    {
        var resident = NewResident();
        var reply = await resident.TextAsync("FOOD K1P");

        Assert.That(SelfServeTextTests.Entries(reply).Values.Select(SelfServeTextTests.NameIn), Is.EqualTo(new[] { "Night Meal Van" }));
        Assert.That(reply, Does.Not.Contain("MORE"));
    }

    [Test]
    public async Task When_nothing_is_open_it_says_so_and_lists_the_nearest_that_open_later_with_their_hours()
    {
        var resident = NewResident();
        var reply = await resident.TextAsync("LEGAL K1P 1J1");

        Assert.That(reply, Does.StartWith("Nothing for LEGAL near K1P 1J1 is open now. Opening later:\n1. Downtown Legal Clinic"));
        Assert.That(reply, Does.Contain("9:00").Or.Contain("09:00"), "with its hours");
    }
}
