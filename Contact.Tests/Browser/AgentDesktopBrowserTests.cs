using Microsoft.Playwright;

namespace Contact.Tests.Browser;

public sealed class AgentDesktopBrowserTests : BrowserFixture
{
    private static Task Expect(ILocator locator) => Assertions.Expect(locator).ToBeVisibleAsync();

    [Test]
    public async Task A_case_from_the_web_form_is_claimed_referred_accepted_completed_and_resolved_live()
    {
        var agent = await NewPageAsync();
        await SignInAsync(agent, "agent");
        await Expect(agent.GetByRole(AriaRole.Button, new() { Name = "Claim next case", Exact = true }));

        // A resident files a report through the web form, in another browser.
        var resident = await NewPageAsync();
        await resident.GotoAsync("/report/pothole");
        await resident.Locator("input[name='answers.size']").First.CheckAsync();
        await resident.GetByLabel("Address or place").FillAsync("111 Wellington St");
        await resident.GetByRole(AriaRole.Button, new() { Name = "Send request" }).ClickAsync();
        var number = (await resident.Locator(".case-number").TextContentAsync())!.Trim();
        Assert.That(number, Does.Match(@"^\d{7,10}$"));

        // It appears in the agent's live queue without a reload.
        var row = agent.Locator($"#queue-{number}");
        await Expect(row);
        await row.ClickAsync();
        await Expect(agent.Locator("#case-pane").GetByText(number).First);

        await agent.GetByLabel("New note").FillAsync("Resident says the hole is growing");
        await agent.GetByRole(AriaRole.Button, new() { Name = "Add note", Exact = true }).ClickAsync();
        await Expect(agent.Locator("#case-pane").GetByText("Resident says the hole is growing").First);

        var roads = agent.Locator("#case-pane input[type=checkbox][value='city-roads']");
        await Assertions.Expect(roads).ToBeCheckedAsync();
        await agent.GetByRole(AriaRole.Button, new() { Name = "Refer", Exact = true }).ClickAsync();

        // The provider, in a second browser context, accepts and completes it.
        var provider = await NewPageAsync();
        await SignInAsync(provider, "provider");
        var card = provider.Locator("li", new() { HasText = number });
        await card.GetByRole(AriaRole.Button, new() { Name = "Accept", Exact = true }).ClickAsync();
        await card.GetByRole(AriaRole.Button, new() { Name = "Complete", Exact = true }).ClickAsync();
        await Expect(provider.Locator("#referrals-done").Locator("li", new() { HasText = number }));

        // The agent sees the referral completed live, then resolves the case.
        await Expect(agent.Locator("#case-pane").GetByText("completed the referral").First);
        await agent.GetByLabel("Resolution note").FillAsync("Patched by Roads");
        await agent.GetByRole(AriaRole.Button, new() { Name = "Resolve", Exact = true }).ClickAsync();
        await Expect(agent.Locator("#case-pane").GetByText("Resolved: Patched by Roads").First);

        await resident.GotoAsync($"/requests/{number}");
        await Assertions.Expect(resident.Locator(".status")).ToHaveTextAsync("Resolved");
    }

    [Test]
    public async Task A_supervisor_watches_the_queues_update_live_and_an_agent_is_turned_away()
    {
        var supervisor = await NewPageAsync();
        await supervisor.GotoAsync("/supervisor");
        await supervisor.GetByLabel("User name").FillAsync("supervisor");
        await supervisor.GetByLabel("Password").FillAsync("demo");
        await supervisor.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        var row = supervisor.Locator("#queues-body tr", new() { HasText = "211 French" });
        await Expect(row);
        var before = await row.InnerTextAsync();

        // A French 211 request arrives: the supervisor's waiting count changes without a reload.
        var resident = await NewPageAsync("fr-CA");
        await resident.GotoAsync("/report/free-meals?lang=fr");
        await resident.GetByRole(AriaRole.Button, new() { Name = "Envoyer la demande" }).ClickAsync();
        await Assertions.Expect(resident.Locator(".case-number")).ToBeVisibleAsync();
        await Assertions.Expect(row).Not.ToHaveTextAsync(before);

        var agent = await NewPageAsync();
        await agent.GotoAsync("/supervisor");
        await agent.GetByLabel("User name").FillAsync("agent");
        await agent.GetByLabel("Password").FillAsync("demo");
        await agent.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Expect(agent.Locator("#forbidden-view"));
    }

    [Test]
    public async Task After_a_dropped_connection_the_desktop_reconnects_by_itself_and_is_up_to_date()
    {
        var agent = await NewPageAsync();
        var sockets = new List<IWebSocketRoute>();
        // Every hub socket goes through the test, which can cut it as a network would.
        await agent.RouteWebSocketAsync(new System.Text.RegularExpressions.Regex("/hubs/agent"), ws =>
        {
            ws.ConnectToServer();
            lock (sockets)
            {
                sockets.Add(ws);
            }
        });
        await SignInAsync(agent, "agent");
        await Expect(agent.GetByRole(AriaRole.Button, new() { Name = "Claim next case", Exact = true }));
        await Assertions.Expect(agent.Locator("#connection")).ToHaveAttributeAsync("data-state", "connected");

        IWebSocketRoute first;
        lock (sockets)
        {
            first = sockets.Single();
        }
        await first.CloseAsync(new() { Code = 1006, Reason = "network lost" });
        await Assertions.Expect(agent.Locator("#connection")).Not.ToHaveAttributeAsync("data-state", "connected");

        // A case filed around the outage is in the queue once the desktop is back (pushed, or in the fresh snapshot).
        var response = await App.CreateClient().PostAsync("/api/cases", System.Net.Http.Json.JsonContent.Create(new
        {
            category = "graffiti", language = "en", address = "55 Sparks St", answers = new { surfaces = new[] { "wall" } },
        }));
        var number = (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<System.Text.Json.JsonElement>(response.Content)).GetProperty("number").GetString();
        await Assertions.Expect(agent.Locator("#connection")).ToHaveAttributeAsync("data-state", "connected", new() { Timeout = 20_000 });
        await Expect(agent.Locator($"#queue-{number}"));
        lock (sockets)
        {
            Assert.That(sockets, Has.Count.GreaterThanOrEqualTo(2), "a new socket was opened");
        }
    }

    [Test]
    public async Task The_desktop_speaks_french_to_a_french_agent()
    {
        var page = await NewPageAsync("fr-CA");
        await page.GotoAsync("/agent?lang=fr");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Se connecter", Exact = true }));
    }
}
