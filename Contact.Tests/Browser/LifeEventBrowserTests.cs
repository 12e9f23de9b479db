using System.Text.RegularExpressions;
using Contact.Core.Staff;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Contact.Tests.Browser;

/// <summary>
/// Tell us once in a real browser: a French resident with JavaScript off tells a move once; it reaches four providers
/// at three orders of government, each provider's desktop shows only its own packet, and the resident's page shows
/// each provider's progress as they accept and complete.
/// </summary>
public sealed partial class LifeEventBrowserTests : BrowserFixture
{
    private static Task Expect(ILocator locator) => Assertions.Expect(locator).ToBeVisibleAsync();

    [Test]
    public async Task A_move_told_once_in_french_without_javascript_reaches_each_provider_with_only_its_packet()
    {
        var staff = App.Services.GetRequiredService<StaffDirectory>();
        await staff.CreateAsync(new NewStaffMember("ontario.browser", "Ontario Desk", Roles.Provider, "right-password", ProviderCode: "serviceontario"));
        await staff.CreateAsync(new NewStaffMember("cra.browser", "CRA Desk", Roles.Provider, "right-password", ProviderCode: "cra"));

        var resident = await NewPageAsync("fr-CA", javaScript: false);
        await resident.GotoAsync("/life-events/moving");
        await resident.GetByRole(AriaRole.Button, new() { Name = "Commencer" }).ClickAsync();
        await resident.GetByLabel("Votre ancienne adresse").FillAsync("12, rue Vieille, Gatineau");
        await resident.GetByLabel("Votre nouvelle adresse").FillAsync("340, avenue Laurier Ouest, Ottawa");
        await resident.GetByLabel("Date du déménagement").FillAsync("2026-12-20T09:00");
        await resident.GetByRole(AriaRole.Button, new() { Name = "Continuer" }).ClickAsync();
        // Four providers at three orders of government: the City's revenue and waste services, ServiceOntario, the CRA.
        foreach (var leftOut in new[] { "property-tax", "parking-permit", "ramq-move" })
        {
            await resident.Locator($"input[name=services][value='{leftOut}']").UncheckAsync();
        }
        await resident.GetByRole(AriaRole.Button, new() { Name = "Continuer" }).ClickAsync();
        await resident.GetByLabel("Ouvrir le service à une nouvelle adresse").CheckAsync();
        await resident.GetByLabel("Nom").FillAsync("Camille Tremblay");
        await resident.GetByLabel("Numéro de téléphone").FillAsync("613 555 0161");
        await resident.Locator("#consent").CheckAsync();
        await resident.GetByRole(AriaRole.Button, new() { Name = "Continuer" }).ClickAsync();
        await Expect(resident.GetByRole(AriaRole.Heading, new() { Name = "Vérifiez vos réponses avant l'envoi" }));
        Assert.That(await resident.Locator("section.recipient").CountAsync(), Is.EqualTo(5));
        await resident.GetByRole(AriaRole.Button, new() { Name = "Envoyer", Exact = true }).ClickAsync();
        var number = (await resident.Locator(".case-number").TextContentAsync())!.Trim();
        Assert.That(number, Does.Match(@"^\d{7,10}$"));
        Assert.That(await App.ScalarAsync($"""
            select count(distinct p.code) * 10 + count(distinct p.level) from referrals r join cases c on c.id = r.case_id join providers p on p.id = r.provider_id
            where c.number = '{number}'
            """), Is.EqualTo(43), "four providers, three orders of government");

        // ServiceOntario's desktop: its two referrals, each with its packet; nothing of the City's or the CRA's.
        var ontario = await NewPageAsync();
        await SignInAsync(ontario, "ontario.browser", "right-password");
        var health = ontario.Locator("article.referral-card", new() { HasText = number }).Filter(new() { HasText = "Ontario health card" });
        await Expect(health);
        await Expect(health.GetByText("340, avenue Laurier Ouest, Ottawa"));
        await Expect(health.GetByText("12, rue Vieille, Gatineau"));
        await Expect(health.GetByText("Due by"));
        var ontarioText = await ontario.Locator("#referrals-view").InnerTextAsync();
        Assert.That(ontarioText, Does.Not.Contain("Start service at a new address").And.Not.Contain("Canada Revenue Agency"));

        var cra = await NewPageAsync();
        await SignInAsync(cra, "cra.browser", "right-password");
        var card = cra.Locator("article.referral-card", new() { HasText = number });
        await Expect(card.GetByText("340, avenue Laurier Ouest, Ottawa"));
        var craText = await cra.Locator("#referrals-view").InnerTextAsync();
        Assert.That(craText, Does.Not.Contain("Gatineau").And.Not.Contain("613").And.Not.Contain("health card"));

        // ServiceOntario accepts the health card and completes it; the resident's page shows where each stands.
        await health.GetByRole(AriaRole.Button, new() { Name = "Accept", Exact = true }).ClickAsync();
        await Expect(ontario.Locator("article.referral-card", new() { HasText = number }).Filter(new() { HasText = "Ontario health card" }).GetByRole(AriaRole.Button, new() { Name = "Complete", Exact = true }));
        await ontario.Locator("article.referral-card", new() { HasText = number }).Filter(new() { HasText = "Ontario health card" })
            .GetByRole(AriaRole.Button, new() { Name = "Complete", Exact = true }).ClickAsync();
        await Expect(ontario.Locator("#referrals-done").Locator("article", new() { HasText = number }));

        await resident.GotoAsync($"/requests/{number}");
        await resident.GetByRole(AriaRole.Button, new() { Name = "M'envoyer un code" }).ClickAsync();
        var text = await App.TextAsync($"select body from outbox where kind = 'code' and to_address = '+16135550161' order by id desc limit 1");
        await resident.GetByLabel("Code (6 chiffres)").FillAsync(SixDigits().Match(text!).Value);
        await resident.GetByRole(AriaRole.Button, new() { Name = "Afficher les détails" }).ClickAsync();
        var rows = resident.Locator("table.progress tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(5);
        await Assertions.Expect(rows.Filter(new() { HasText = "Carte Santé de l'Ontario" })).ToContainTextAsync("Terminé");
        await Assertions.Expect(rows.Filter(new() { HasText = "Agence du revenu du Canada" })).ToContainTextAsync("Envoyé");
        await Assertions.Expect(rows.Filter(new() { HasText = "Agence du revenu du Canada" })).ToContainTextAsync("Prévu d'ici le");
        await Assertions.Expect(rows.Filter(new() { HasText = "Permis de conduire" })).ToContainTextAsync("Province de l'Ontario · ServiceOntario");
    }

    [Test]
    public async Task An_agent_takes_a_callers_life_event_in_the_desktop_with_the_life_event_picked_already()
    {
        var call = new Contact.Tests.Voice.TwilioCall(App, from: "+16135550162", server: new Uri(BaseUrl));
        await call.StepAsync("/twilio/voice");
        await call.KeysAsync(call.Action, "1");
        await call.KeysAsync(call.Action, "4");
        await call.KeysAsync(call.Action, "1");
        var number = await App.TextAsync($"select c.number from calls l join cases c on c.id = l.case_id where l.call_sid = '{call.CallSid}'");

        var agent = await NewPageAsync();
        await SignInAsync(agent, "agent");
        // Clicking the queue row claims the case and opens it.
        await agent.Locator($"#queue-{number}").ClickAsync();
        await Expect(agent.Locator("#case-pane").GetByText(number!).First);
        await Assertions.Expect(agent.Locator("#le-event")).ToHaveValueAsync("moving");
        await agent.Locator("#le-shared-old_address").FillAsync("1 Old Rd, Gatineau");
        await agent.Locator("#le-shared-new_address").FillAsync("340 Laurier Ave W, Ottawa");
        await agent.Locator("#le-shared-date").FillAsync("2026-12-20");
        foreach (var leftOut in new[] { "water-account", "property-tax", "waste-new-address", "parking-permit", "driver-licence", "ramq-move" })
        {
            await agent.Locator($"#le-service-{leftOut}").UncheckAsync();
        }
        await agent.GetByRole(AriaRole.Button, new() { Name = "File for the resident", Exact = true }).ClickAsync();
        await Expect(agent.Locator(".life-event .alert").GetByText("The services kept need the resident's name."));
        await agent.Locator("#le-contact-name").FillAsync("Robin Caller");
        await agent.GetByRole(AriaRole.Button, new() { Name = "File for the resident", Exact = true }).ClickAsync();

        var filed = agent.Locator(".life-event [role=status]");
        await Assertions.Expect(filed).ToContainTextAsync("Filed as request");
        var told = Regex.Match((await filed.TextContentAsync())!, @"\d{7,10}").Value;
        Assert.That(await App.TextAsync($"""
            select string_agg(k.code, ',' order by k.code) from referrals r join cases c on c.id = r.case_id join categories k on k.id = r.category_id
            where c.number = '{told}' and c.channel = 'agent' and c.resident_phone = '+16135550162'
            """), Is.EqualTo("cra-address,health-card"));
        await Expect(agent.Locator("#case-pane").GetByText($"Told once for the caller: moving, request {told}").First);
    }

    [GeneratedRegex(@"\b\d{6}\b")]
    private static partial Regex SixDigits();
}
