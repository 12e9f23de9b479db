using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Contact.Core.Desktop;
using Contact.Core.Staff;
using Contact.Tests.Desktop;
using Contact.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Contact.Tests.LifeEvents;

/// <summary>Tell us once on the web, in French, as a browser without JavaScript posts it: one step at a time.</summary>
public sealed class LifeEventWebTests : AppFixture
{
    private static KeyValuePair<string, string> F(string name, string value) => new(name, value);

    private async Task<IHtmlDocument> StepAsync(HttpClient browser, IHtmlDocument page, params KeyValuePair<string, string>[] fields)
    {
        var response = await browser.SubmitAsync(page, "/life-events/moving", fields);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return await Html.ParseAsync(response);
    }

    [Test]
    public async Task A_move_is_told_once_step_by_step_and_the_check_page_shows_what_goes_to_whom()
    {
        var browser = App.Browser("fr");
        var home = await browser.GetPageAsync("/");
        Assert.That(home.QuerySelectorAll("a[href='/life-events/moving']"), Has.Length.EqualTo(1));

        var start = await browser.GetPageAsync("/life-events/moving");
        Assert.That(start.QuerySelector("h1")!.TextContent, Is.EqualTo("Dites-le-nous une fois"));
        var deliveredBy = start.QuerySelectorAll(".delivered-by").Select(e => e.TextContent).ToList();
        Assert.That(deliveredBy, Does.Contain("Province de l'Ontario · ServiceOntario").And.Contain("Gouvernement du Canada · Agence du revenu du Canada")
            .And.Contain("Gouvernement du Québec · Régie de l'assurance maladie du Québec (RAMQ)").And.Contain("Ville d'Ottawa · Services des recettes (impôt foncier et facturation de l'eau)"));
        Assert.That(start.QuerySelector("ul.providers")!.TextContent, Does.Not.Contain("311").And.Not.Contain("211"), "no line label on who delivers a service");

        var questions = await StepAsync(browser, start, F("go", "questions"));
        Assert.That(questions.QuerySelector("label[for='shared-new_address']")!.TextContent, Is.EqualTo("Votre nouvelle adresse"));
        // A missing answer is named and nothing moves on.
        var refused = await browser.SubmitAsync(questions, "/life-events/moving", [F("shared.old_address", "12, rue Vieille, Gatineau"), F("go", "services")]);
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var again = await Html.ParseAsync(refused);
        Assert.That(again.QuerySelector(".error-summary a[href='#shared-new_address']")!.TextContent, Is.EqualTo("Répondez à « Votre nouvelle adresse »."));

        var services = await StepAsync(browser, again, F("shared.old_address", "12, rue Vieille, Gatineau"), F("shared.new_address", "340, avenue Laurier Ouest, Ottawa"),
            F("shared.date", "2026-12-20T09:00"), F("shared.people", "2"), F("go", "services"));
        var boxes = services.QuerySelectorAll<IHtmlInputElement>("input[type=checkbox][name=services]").ToList();
        Assert.That(boxes, Has.Count.EqualTo(8));
        Assert.That(boxes.All(b => b.IsChecked), Is.True, "every service is ticked to start with");
        // Leaving everything out is refused.
        var none = await browser.SubmitAsync(services, "/life-events/moving", [F("go", "details")]);
        Assert.That(none.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));

        var keep = new[] { "water-account", "property-tax", "waste-new-address", "health-card", "driver-licence", "cra-address" };
        var details = await StepAsync(browser, services, [.. keep.Select(k => F("services", k)), F("go", "details")]);
        // The water account asks its own question; the health card's is answered by the move.
        Assert.That(details.QuerySelectorAll("input[name='services.water-account.answers.request']"), Has.Length.EqualTo(3));
        Assert.That(details.QuerySelectorAll("input[name^='services.health-card.answers.']"), Is.Empty);
        Assert.That(details.QuerySelectorAll("input[name^='services.parking-permit.']"), Is.Empty, "an unticked service asks nothing");

        var check = await StepAsync(browser, details, F("services.water-account.answers.request", "start"), F("name", "Camille Tremblay"),
            F("phone", "613 555 0177"), F("notify", "yes"), F("language", "fr"), F("go", "check"));
        Assert.That(check.QuerySelector("h1")!.TextContent, Is.EqualTo("Vérifiez vos réponses avant l'envoi"));
        var recipients = check.QuerySelectorAll("section.recipient").ToList();
        Assert.That(recipients, Has.Count.EqualTo(6));
        var cra = recipients.Single(r => r.QuerySelector("h3")!.TextContent.Contains("Agence du revenu", StringComparison.Ordinal));
        Assert.That(cra.TextContent, Does.Contain("Votre nouvelle adresse").And.Contain("Date du déménagement").And.Not.Contain("Votre ancienne adresse"));

        var sent = await browser.SubmitAsync(check, "/life-events/moving", [F("go", "submit")]);
        Assert.That(sent.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), await sent.Content.ReadAsStringAsync());
        var number = sent.Headers.Location!.ToString().Split('/', '?')[2];
        Assert.That(await App.ScalarAsync($"select count(*) from referrals r join cases c on c.id = r.case_id where c.number = '{number}'"), Is.EqualTo(6));
        Assert.That(await App.TextAsync($"select language || ' ' || resident_name from cases where number = '{number}'"), Is.EqualTo("fr Camille Tremblay"));

        // Sending the same page again (a double click) makes no second case.
        var twice = await browser.SubmitAsync(check, "/life-events/moving", [F("go", "submit")]);
        Assert.That(twice.Headers.Location!.ToString(), Does.Contain(number));
    }

    [Test]
    public async Task Going_back_to_change_an_answer_keeps_everything_else()
    {
        var browser = App.Browser("en");
        var start = await browser.GetPageAsync("/life-events/death");
        var questions = await StepAsync2(browser, start, "death", F("go", "questions"));
        var services = await StepAsync2(browser, questions, "death", F("shared.deceased_name", "Alex Smith"), F("shared.deceased_birth_date", "1940-01-02T00:00"),
            F("shared.death_date", "2026-12-01T00:00"), F("shared.deceased_address", "1 Elm St, Ottawa"), F("shared.relationship", "child"), F("go", "services"));
        var back = await StepAsync2(browser, services, "death", F("go", "questions"));

        Assert.That(back.QuerySelector<IHtmlInputElement>("#shared-deceased_name")!.Value, Is.EqualTo("Alex Smith"));
        Assert.That(back.QuerySelector<IHtmlInputElement>("input[name='shared.relationship'][value='child']")!.IsChecked, Is.True);
    }

    [Test]
    public async Task The_residents_page_shows_each_provider_as_it_accepts_and_completes_once_the_code_is_typed()
    {
        var staff = App.Services.GetRequiredService<StaffDirectory>();
        await staff.CreateAsync(new NewStaffMember("ontario.status", "Ontario Desk", Roles.Provider, "right-password", ProviderCode: "serviceontario"));
        var filed = await App.CreateClient().PostAsJsonAsync("/api/life-events/moving", new
        {
            language = "fr",
            shared = new { new_address = "340, avenue Laurier Ouest", old_address = "12, rue Vieille", date = "2026-12-20" },
            services = new[] { "health-card", "cra-address" },
            name = "Camille Tremblay",
            phone = "613 555 0168",
            notify = true,
        });
        Assert.That(filed.StatusCode, Is.EqualTo(HttpStatusCode.Created), await filed.Content.ReadAsStringAsync());
        var number = (await filed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetString()!;
        await using var ontario = await DesktopClient.ConnectAsync(App, "ontario.status", "right-password");
        var referral = (await ontario.Hub.InvokeAsync<CaseDetail>("OpenCase", number)).Referrals.Single().Id;
        await ontario.Hub.InvokeAsync<ReferralView>("AcceptReferral", referral, "");

        var browser = App.Browser("fr");
        var page = await browser.GetPageAsync($"/requests/{number}");
        Assert.That(page.QuerySelector("table.progress"), Is.Null, "a life event is private until the code is typed");
        Assert.That(page.Body!.TextContent, Does.Not.Contain("ServiceOntario"));
        await browser.SubmitAsync(page, $"/requests/{number}", [], "main form.send-code-form");
        var code = System.Text.RegularExpressions.Regex.Match(
            (await App.TextAsync($"select body from outbox where kind = 'code' and to_address = '+16135550168' order by id desc limit 1"))!, @"\b\d{6}\b").Value;
        var asking = await browser.GetPageAsync($"/requests/{number}");
        var shown = await Html.ParseAsync(await browser.PostAsync($"/requests/{number}", new FormUrlEncodedContent(
            asking.QuerySelectorAll<IHtmlInputElement>("main form.send-code-form input[type=hidden]").Where(i => i.Name != "step")
                .Select(i => F(i.Name!, i.Value)).Append(F("step", "verify")).Append(F("code", code)))));

        var lines = shown.QuerySelectorAll("table.progress tbody tr").Select(r => r.TextContent).ToList();
        Assert.That(lines, Has.Count.EqualTo(2));
        Assert.That(lines[0], Does.Contain("Province de l'Ontario · ServiceOntario").And.Contain("Accepté"));
        Assert.That(lines[1], Does.Contain("Gouvernement du Canada · Agence du revenu du Canada").And.Contain("Envoyé"));
    }

    private static async Task<IHtmlDocument> StepAsync2(HttpClient browser, IHtmlDocument page, string code, params KeyValuePair<string, string>[] fields)
    {
        var response = await browser.SubmitAsync(page, "/life-events/" + code, fields);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return await Html.ParseAsync(response);
    }
}
