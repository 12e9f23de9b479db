using Contact.Core.ResourceDirectory;
using Contact.Core.Notifications;
using Contact.Tests.Infrastructure;
using Contact.Tests.Sms;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Contact.Tests.SelfServe;

/// <summary>Self-serve against the demo directory the template database holds, on a weekday afternoon.</summary>
public sealed class SelfServeDemoDirectoryTests
{
    private ContactFactory _app = null!;
    private static int _phone = 10;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        var clock = new FakeTimeProvider(SelfServeDirectory.WednesdayAfternoon);
        _app = new ContactFactory(await TestDatabase.CloneAsync(), services: s => s.AddSingleton<TimeProvider>(clock));
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _app.DisposeAsync();

    private Texter NewResident() => new(_app, "+161355505" + Interlocked.Increment(ref _phone).ToString("00", System.Globalization.CultureInfo.InvariantCulture));

    [Test]
    public async Task Every_need_word_finds_services_in_the_demo_directory_in_both_languages()
    {
        foreach (var need in NeedWords.All)
        {
            foreach (var word in new[] { need.Word, need.WordFr })
            {
                var reply = await NewResident().TextAsync(word + " K1P 1J1");
                Assert.That(SelfServeTextTests.Entries(reply), Is.Not.Empty, $"{word}: {reply}");
            }
        }
    }

    [Test]
    public async Task Food_downtown_on_a_weekday_afternoon_lists_three_services_open_now_and_offers_more()
    {
        var reply = await NewResident().TextAsync("FOOD K1P 1J1");
        Assert.That(reply, Does.StartWith("FOOD near K1P 1J1, open now:").And.EndWith("Reply MORE for more"));
        Assert.That(SelfServeTextTests.Entries(reply).Keys, Is.EqualTo(new[] { 1, 2, 3 }), reply);
    }

    [Test]
    public async Task Nourriture_downtown_lists_three_services_too_in_one_gsm7_text_of_three_segments()
    {
        var reply = await NewResident().TextAsync("NOURRITURE K1P 1J1");
        Assert.That(reply, Does.StartWith("NOURRITURE près de K1P 1J1, ouvert maintenant :").And.EndWith("Répondez PLUS pour la suite"));
        Assert.That(SelfServeTextTests.Entries(reply).Keys, Is.EqualTo(new[] { 1, 2, 3 }), reply);
        Assert.That(SmsSegments.IsGsm7(reply), Is.True);
        Assert.That(SmsSegments.Count(reply), Is.LessThanOrEqualTo(SmsSegments.Budget));
    }

    [TestCase("FOOD M5V 2T6", "No services for FOOD found near M5V 2T6. Call 211 to talk to someone.")]
    [TestCase("NOURRITURE H2X 1Y4", "Aucun service pour NOURRITURE près de H2X 1Y4. Appelez le 211 pour parler à quelqu'un.")]
    public async Task A_postal_code_hundreds_of_km_from_every_service_is_told_plainly_that_nothing_is_near(string text, string expected)
    {
        // Toronto and Montréal are areas the directory knows, 350 and 170 km from the demo city's services.
        var resident = NewResident();
        Assert.That(await resident.TextAsync(text), Is.EqualTo(expected));
        Assert.That(await resident.TextAsync(text.StartsWith("FOOD", StringComparison.Ordinal) ? "MORE" : "PLUS"), Does.Not.Contain("Ottawa"));

        // The same need downtown still finds the services the far search left out.
        Assert.That(SelfServeTextTests.Entries(await NewResident().TextAsync(text.Split(' ')[0] + " K1P 1J1")), Is.Not.Empty);
    }

    [Test]
    public async Task The_demo_citys_phone_lines_answer_for_the_city_and_not_for_toronto()
    {
        var downtown = await NewResident().TextAsync("MENTAL HEALTH K2W");
        Assert.That(downtown, Does.Contain("24/7 Mental Health Crisis Line"));
        Assert.That(await NewResident().TextAsync("LEGAL K4R"), Does.Contain("Tenant Legal Help Line"));

        Assert.That(await NewResident().TextAsync("MENTAL HEALTH M5V 2T6"),
            Is.EqualTo("No services for MENTAL HEALTH found near M5V 2T6. Call 211 to talk to someone."));
    }

    [Test]
    public async Task A_need_word_finds_its_whole_branch_and_lists_the_nearest_first()
    {
        var search = _app.Services.GetRequiredService<DirectorySearch>();
        var food = NeedWords.Find("food")!;

        var result = await search.SearchAsync(new DirectoryQuery(Terms: food.Terms, PostalCode: "K1P 1J1", OpenNow: true, Limit: 10));

        Assert.That(result.Problem, Is.Null);
        Assert.That(result.Hits.Select(h => h.TaxonomyCodes.Any(c => c.StartsWith("BD-1800", StringComparison.Ordinal))), Does.Contain(true), "pantries");
        Assert.That(result.Hits.Select(h => h.TaxonomyCodes.Any(c => c.StartsWith("BD-5000", StringComparison.Ordinal))), Does.Contain(true), "meals");
        var distances = result.Hits.Where(h => h.DistanceKm is not null).Select(h => h.DistanceKm!.Value).ToList();
        Assert.That(distances, Has.Count.GreaterThanOrEqualTo(3));
        Assert.That(distances, Is.Ordered.Ascending);
    }
}
