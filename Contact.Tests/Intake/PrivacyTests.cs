using System.Net;
using Contact.Tests.Infrastructure;

namespace Contact.Tests.Intake;

public sealed class PrivacyTests
{
    private ContactFactory _app = null!;
    private string _number = "";

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _app = await ContactFactory.CreateAsync();
        var browser = _app.Browser("en");
        var form = await browser.GetPageAsync("/report/emergency-shelter");
        var response = await browser.SubmitAsync(form, "/report/emergency-shelter",
        [
            new("answers.safe-tonight", Choice(form, "answers.safe-tonight")),
            new("answers.who", Choice(form, "answers.who")),
            new("description", "Evicted today, sleeping in my car with my daughter"),
            new("name", "Alex Confidential"),
            new("phone", "613-555-0177"),
            new("email", "alex@example.org"),
        ]);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), await response.Content.ReadAsStringAsync());
        _number = response.Headers.Location!.ToString().Split('/', '?')[2];
    }

    private static string Choice(AngleSharp.Html.Dom.IHtmlDocument form, string name) =>
        form.QuerySelector($"input[name='{name}']")!.GetAttribute("value")!;

    [OneTimeTearDown]
    public async Task StopAsync() => await _app.DisposeAsync();

    [Test]
    public async Task A_211_case_number_alone_shows_only_the_status()
    {
        var page = await _app.Browser("en").GetPageAsync($"/requests/{_number}");
        var text = page.Body!.TextContent;
        Assert.That(page.QuerySelector(".status")!.TextContent, Is.EqualTo("Received"));
        Assert.That(text, Does.Not.Contain("Evicted").And.Not.Contain("Alex").And.Not.Contain("shelter").And.Not.Contain("555"));
        Assert.That(page.QuerySelector(".timeline"), Is.Null);
    }

    [Test]
    public async Task The_wrong_contact_shows_nothing_more()
    {
        var browser = _app.Browser("en");
        var page = await browser.GetPageAsync($"/requests/{_number}");
        var response = await browser.SubmitAsync(page, $"/requests/{_number}", [new("contact", "613-555-0100")]);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var text = (await Html.ParseAsync(response)).Body!.TextContent;
        Assert.That(text, Does.Contain("does not match").And.Not.Contain("Evicted"));
    }

    [TestCase("(613) 555-0177")]
    [TestCase("ALEX@example.org")]
    public async Task The_contact_given_with_the_case_shows_its_details(string contact)
    {
        var browser = _app.Browser("en");
        var page = await browser.GetPageAsync($"/requests/{_number}");
        var response = await browser.SubmitAsync(page, $"/requests/{_number}", [new("contact", contact)]);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var details = await Html.ParseAsync(response);
        Assert.That(details.Body!.TextContent, Does.Contain("Evicted today"));
        Assert.That(details.QuerySelector(".timeline"), Is.Not.Null);
        // Even then, contact details are not echoed back.
        Assert.That(details.Body.TextContent, Does.Not.Contain("Alex Confidential"));
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
        Assert.That(page.Body!.TextContent, Does.Contain("Bank St at Somerset St").And.Not.Contain("Sam").And.Not.Contain("555"));
    }
}
