using System.Net;
using AngleSharp.Dom;
using Contact.Tests.Infrastructure;

namespace Contact.Tests.Intake;

public sealed class WebIntakeTests
{
    private ContactFactory _app = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _app = await ContactFactory.CreateAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _app.DisposeAsync();

    [Test]
    public async Task A_resident_reports_a_pothole_in_french_and_looks_the_request_up()
    {
        var browser = _app.Browser();
        // The language switch sets a cookie and comes back to the same page.
        var switched = await browser.GetAsync("/language/fr?returnUrl=%2F");
        Assert.That(switched.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var home = await browser.GetPageAsync("/");
        Assert.That(home.DocumentElement.GetAttribute("lang"), Is.EqualTo("fr"));
        Assert.That(home.QuerySelector("h1")!.TextContent, Is.EqualTo("Signaler un problème ou trouver de l'aide"));

        // Search in French finds the pothole service.
        var results = await browser.GetPageAsync("/services?q=nid-de-poule");
        var link = results.QuerySelectorAll("ul.services a").First(a => a.GetAttribute("href") == "/report/pothole");
        Assert.That(link.TextContent, Is.EqualTo("Nid-de-poule"));

        var form = await browser.GetPageAsync("/report/pothole");
        Assert.That(form.QuerySelector("label[for=address]")!.TextContent, Does.Contain("Adresse"));
        var response = await browser.SubmitAsync(form, "/report/pothole",
        [
            new("answers.size", "large"),
            new("address", "111 rue Wellington"),
            new("description", "Un gros trou devant le parlement"),
            new("phone", "613 555 0142"),
            new("notify", "yes"),
            new("language", "fr"),
        ]);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), await response.Content.ReadAsStringAsync());
        var location = response.Headers.Location!.ToString();
        Assert.That(location, Does.Match(@"^/requests/\d{7,10}\?submitted=1$"));
        var number = location.Split('/', '?')[2];

        var confirmation = await browser.GetPageAsync(location);
        Assert.That(confirmation.QuerySelector(".case-number")!.TextContent, Is.EqualTo(number));
        Assert.That(confirmation.QuerySelector(".status")!.TextContent, Is.EqualTo("Reçue"));
        Assert.That(confirmation.QuerySelector(".timeline")!.TextContent, Does.Contain("Demande reçue"));
        Assert.That(await _app.ScalarAsync($"select count(*) from cases where number = '{number}' and language = 'fr' and notify_consent and resident_phone = '+16135550142' and answers->>'size' = 'large'"), Is.EqualTo(1));

        // Looking it up by number, typed with spaces, redirects to the same page.
        var lookup = await browser.GetAsync($"/requests?number={number[..3]}+{number[3..]}");
        Assert.That(lookup.Headers.Location?.ToString(), Is.EqualTo($"/requests/{number}"));
        var status = await browser.GetPageAsync($"/requests/{number}");
        Assert.That(status.QuerySelector("h1")!.TextContent, Is.EqualTo($"Demande {number}"));
        Assert.That(status.Body!.TextContent, Does.Not.Contain("555 0142").And.Not.Contain("5550142"));
    }

    [Test]
    public async Task A_resident_reports_missed_garbage_in_english()
    {
        var browser = _app.Browser("en-CA");
        var form = await browser.GetPageAsync("/report/missed-garbage");
        Assert.That(form.DocumentElement.GetAttribute("lang"), Is.EqualTo("en"));
        var response = await browser.SubmitAsync(form, "/report/missed-garbage",
        [
            new("answers.due", "2026-11-24T07:00"),
            new("answers.set-out", "yes"),
            new("address", "200 Elgin St"),
            new("email", "resident@example.org"),
        ]);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), await response.Content.ReadAsStringAsync());
        var page = await browser.GetPageAsync(response.Headers.Location!.ToString());
        Assert.That(page.QuerySelector(".status")!.TextContent, Is.EqualTo("Received"));
    }

    [Test]
    public async Task A_form_with_mistakes_shows_each_one_beside_its_field_and_writes_nothing()
    {
        var before = await _app.ScalarAsync("select count(*) from cases");
        var browser = _app.Browser("en");
        var form = await browser.GetPageAsync("/report/pothole");
        var response = await browser.SubmitAsync(form, "/report/pothole",
        [
            new("description", new string('a', 4001)),
            new("phone", "555"),
            new("email", "nobody@"),
        ]);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var page = await Html.ParseAsync(response);
        Assert.That(page.Title, Does.StartWith("Error:"));
        var summaryLinks = page.QuerySelectorAll(".error-summary a").Select(a => a.GetAttribute("href")).ToList();
        Assert.That(summaryLinks, Is.EquivalentTo(new[] { "#answers-size", "#address", "#description", "#phone", "#email" }));
        foreach (var id in new[] { "address", "description", "phone", "email" })
        {
            var input = page.GetElementById(id)!;
            Assert.That(input.GetAttribute("aria-invalid"), Is.EqualTo("true"), id);
            Assert.That(input.GetAttribute("aria-describedby"), Does.Contain(id + "-error"), id);
            Assert.That(page.GetElementById(id + "-error"), Is.Not.Null, id);
        }
        // What the resident typed is kept.
        Assert.That(page.GetElementById("email")!.GetAttribute("value"), Is.EqualTo("nobody@"));
        Assert.That(await _app.ScalarAsync("select count(*) from cases"), Is.EqualTo(before));
    }

    [Test]
    public async Task A_form_posted_without_its_antiforgery_token_is_refused()
    {
        var before = await _app.ScalarAsync("select count(*) from cases");
        var browser = _app.Browser();
        await browser.GetAsync("/report/pothole");
        var response = await browser.PostAsync("/report/pothole", new FormUrlEncodedContent(
            [new("answers.size", "small"), new KeyValuePair<string, string>("address", "1 Main St")]));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await _app.ScalarAsync("select count(*) from cases"), Is.EqualTo(before));
    }

    [Test]
    public async Task Submitting_the_same_form_twice_makes_one_case()
    {
        var before = await _app.ScalarAsync("select count(*) from cases");
        var browser = _app.Browser();
        var form = await browser.GetPageAsync("/report/graffiti");
        KeyValuePair<string, string>[] fields = [new("answers.surfaces", "wall"), new("answers.surfaces", "sign"), new("address", "Rideau St and Sussex Dr")];
        var first = await browser.SubmitAsync(form, "/report/graffiti", fields);
        var second = await browser.SubmitAsync(form, "/report/graffiti", fields);
        Assert.That(second.Headers.Location, Is.EqualTo(first.Headers.Location));
        Assert.That(await _app.ScalarAsync("select count(*) from cases"), Is.EqualTo(before + 1));
        var number = first.Headers.Location!.ToString().Split('/', '?')[2];
        Assert.That(await _app.ScalarAsync($"select jsonb_array_length(answers->'surfaces') from cases where number = '{number}'"), Is.EqualTo(2));
    }

    [Test]
    public async Task A_mistyped_request_number_is_caught_by_its_check_digit()
    {
        var browser = _app.Browser("en");
        var page = await browser.GetPageAsync("/requests?number=1000001", HttpStatusCode.BadRequest);
        Assert.That(page.QuerySelector(".error-summary a")!.GetAttribute("href"), Is.EqualTo("#number"));
        Assert.That(page.GetElementById("number-error")!.TextContent, Does.Contain("not a valid request number"));
        await browser.GetPageAsync("/requests/1000001", HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Services_are_found_by_life_event_and_group()
    {
        var browser = _app.Browser("en");
        var home = await browser.GetPageAsync("/");
        // A life event is told once on its own pages (LifeEventWebTests); a cluster lists its services.
        Assert.That(home.QuerySelectorAll("a[href='/life-events/moving']"), Has.Length.EqualTo(1));
        var winter = await browser.GetPageAsync("/services?cluster=winter");
        var services = winter.QuerySelectorAll("ul.services a").Select(a => a.GetAttribute("href")).ToList();
        Assert.That(services, Does.Contain("/report/snow-clearing").And.Contain("/report/emergency-shelter"));
        var waste = await browser.GetPageAsync("/services?group=waste");
        Assert.That(waste.QuerySelectorAll("ul.services a").Select(a => a.GetAttribute("href")), Does.Contain("/report/missed-garbage"));
    }

    [Test]
    public async Task Unknown_pages_answer_a_page_in_the_residents_language()
    {
        var page = await _app.Browser("fr").GetPageAsync("/report/no-such-service", HttpStatusCode.NotFound);
        Assert.That(page.QuerySelector("h1")!.TextContent, Is.EqualTo("Page introuvable"));
    }
}
