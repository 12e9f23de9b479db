using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Playwright;
using Npgsql;

namespace Contact.Tests.Browser;

public sealed class InformationReferralBrowserTests : BrowserFixture
{
    private static Task Expect(ILocator locator) => Assertions.Expect(locator).ToBeVisibleAsync();

    [Test]
    public async Task An_agent_flags_a_crisis_records_a_need_finds_a_service_and_refers_the_person()
    {
        await using (var db = NpgsqlDataSource.Create(App.ConnectionString))
        await using (var connection = await db.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("""
                insert into directory.organizations (id, name, description) values ('irb-org', 'Vanier Community Pantry Network', 'Food help');
                insert into directory.taxonomy_terms (id, code, name, description, name_fr) values
                    ('irb-t', 'ZY-1800', 'Browser Test Groceries', 'Food', 'Épicerie test');
                insert into directory.services (id, organization_id, name, description, status) values
                    ('irb-s', 'irb-org', 'Montreal Road Grocery Shelf', 'Groceries for families, once a week.', 'active');
                insert into directory.attributes (id, link_id, taxonomy_term_id, link_entity) values ('irb-a', 'irb-s', 'irb-t', 'service');
                insert into directory.locations (id, location_type, name, latitude, longitude) values ('irb-l', 'physical', 'Vanier Hall', 45.4380, -75.6600);
                insert into directory.service_at_location (id, service_id, location_id) values ('irb-sal', 'irb-s', 'irb-l');
                insert into directory.addresses (id, location_id, address_1, city, state_province, postal_code, country, address_type) values
                    ('irb-ad', 'irb-l', '300 Montreal Road', 'Ottawa', 'ON', 'K1L 6B8', 'CA', 'physical');
                insert into directory.phones (id, service_id, number) values ('irb-p', 'irb-s', '613-555-0188');
                """);
        }
        var response = await App.CreateClient().PostAsJsonAsync("/api/cases", new
        {
            category = "general-211",
            language = "en",
            description = "Out of groceries until payday",
            phone = "+16135550187",
            notify = true,
        });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var number = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetString()!;

        var agent = await NewPageAsync();
        await SignInAsync(agent, "agent");
        var row = agent.Locator($"#queue-{number}");
        await Expect(row);
        await row.ClickAsync();
        var pane = agent.Locator("#case-pane");
        await Expect(pane.GetByRole(AriaRole.Heading, new() { Name = "Information and referral", Exact = true }));

        // A risk to life: the crisis line is offered at once.
        await pane.GetByRole(AriaRole.Button, new() { Name = "Flag as crisis (risk to life)" }).ClickAsync();
        var banner = agent.Locator(".crisis-banner");
        await Expect(banner);
        await Assertions.Expect(banner).ToContainTextAsync("+16135550100");
        await Expect(pane.Locator(".case-badges").GetByText("Crisis"));

        // The need, from the directory's taxonomy.
        await pane.GetByLabel("Need", new() { Exact = true }).FillAsync("Browser Test Groceries");
        await pane.GetByRole(AriaRole.Button, new() { Name = "Find", Exact = true }).ClickAsync();
        await pane.GetByRole(AriaRole.Button, new() { Name = "Add this need" }).ClickAsync();
        await Expect(pane.Locator(".needs").GetByText("Browser Test Groceries"));

        // A search for that need, and a referral from its results.
        await pane.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true }).ClickAsync();
        var hit = pane.Locator(".directory-results li", new() { HasText = "Montreal Road Grocery Shelf" });
        await Expect(hit);
        await hit.GetByRole(AriaRole.Button, new() { Name = "Refer" }).ClickAsync();
        var given = pane.Locator(".given li", new() { HasText = "Montreal Road Grocery Shelf" });
        await Expect(given);
        await Expect(given.GetByText("300 Montreal Road"));
        await Expect(pane.Locator(".needs").GetByText("Met", new() { Exact = true }));
        await Expect(pane.Locator(".timeline").GetByText("Referred to Montreal Road Grocery Shelf").First);

        // The supervisor's needs report counts it: recorded once, met once.
        var supervisor = await NewPageAsync();
        await SignInAsync(supervisor, "supervisor", path: "/supervisor");
        var needs = supervisor.GetByRole(AriaRole.Table, new() { Name = "211 needs, last 30 days" });
        var counted = needs.GetByRole(AriaRole.Row).Filter(new() { HasText = "Browser Test Groceries" });
        await Assertions.Expect(counted.GetByRole(AriaRole.Cell)).ToHaveTextAsync(["1", "1", "0", "None"]);
    }
}
