using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace Contact.Tests.Browser;

public sealed class SlaBrowserTests : BrowserFixture
{
    private async Task<string> FileAsync(string address)
    {
        var response = await App.CreateClient().PostAsync("/api/cases", JsonContent.Create(new
        {
            category = "graffiti", language = "en", address, answers = new { surfaces = new[] { "wall" } },
        }));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetString()!;
    }

    [Test]
    public async Task An_overdue_case_says_overdue_in_words_and_comes_first_within_its_priority()
    {
        var older = await FileAsync("1 Rideau St");
        var late = await FileAsync("2 Rideau St");
        await App.ScalarAsync($"update cases set first_response_due_at = now() - interval '45 minutes' where number = '{late}'");

        var agent = await NewPageAsync();
        await SignInAsync(agent, "agent");
        var row = agent.Locator($"#queue-{late}");
        await Assertions.Expect(row).ToContainTextAsync("Overdue");
        await Assertions.Expect(row).ToContainTextAsync("overdue by 45 min");
        await Assertions.Expect(agent.Locator($"#queue-{older}")).ToContainTextAsync("left");
        await Assertions.Expect(agent.Locator($"#queue-{older}")).Not.ToContainTextAsync("Overdue");

        var order = await agent.Locator("#queue-list button").EvaluateAllAsync<string[]>("rows => rows.map(r => r.id)");
        Assert.That(Array.IndexOf(order, "queue-" + late), Is.LessThan(Array.IndexOf(order, "queue-" + older)),
            "the overdue case comes before an older one of the same priority");
    }

    [Test]
    public async Task A_supervisor_sees_an_overdue_held_case_in_the_at_risk_table()
    {
        var number = await FileAsync("3 Rideau St");
        await App.ScalarAsync($"""
            update cases set resolution_due_at = now() - interval '2 hours', assigned_to = (select id from staff_users where user_name = 'agent'),
                             status = 'in_progress' where number = '{number}'
            """);

        var supervisor = await NewPageAsync();
        await supervisor.GotoAsync("/supervisor");
        await supervisor.GetByLabel("User name").FillAsync("supervisor");
        await supervisor.GetByLabel("Password").FillAsync("demo");
        await supervisor.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();

        var table = supervisor.GetByRole(AriaRole.Table, new() { Name = "At risk and overdue" });
        var row = table.Locator("tr", new() { HasText = number });
        await Assertions.Expect(row).ToContainTextAsync("Overdue");
        await Assertions.Expect(row).ToContainTextAsync("overdue by 2 h");
        await Assertions.Expect(supervisor.GetByRole(AriaRole.Table, new() { Name = "Compliance today" })).ToBeVisibleAsync();
    }
}
