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
    public async Task A_case_says_overdue_or_at_risk_in_words_and_keeps_its_place_in_the_queue()
    {
        var older = await FileAsync("1 Rideau St");
        var late = await FileAsync("2 Rideau St");
        var warned = await FileAsync("4 Rideau St");
        await App.ScalarAsync($"update cases set first_response_due_at = now() - interval '45 minutes' where number = '{late}'");
        // Past its policy's warning time, with time still left.
        await App.ScalarAsync($"""
            update cases set first_response_warning_at = now() - interval '1 minute', first_response_due_at = now() + interval '30 minutes'
            where number = '{warned}'
            """);

        var agent = await NewPageAsync();
        await SignInAsync(agent, "agent");
        var row = agent.Locator($"#queue-{late}");
        await Assertions.Expect(row).ToContainTextAsync("Overdue");
        await Assertions.Expect(row).ToContainTextAsync("overdue by 45 min");
        await Assertions.Expect(agent.Locator($"#queue-{older}")).ToContainTextAsync("left");
        await Assertions.Expect(agent.Locator($"#queue-{older}")).Not.ToContainTextAsync("Overdue");
        await Assertions.Expect(agent.Locator($"#queue-{older}")).Not.ToContainTextAsync("At risk");
        await Assertions.Expect(agent.Locator($"#queue-{warned}")).ToContainTextAsync("At risk");
        await Assertions.Expect(agent.Locator($"#queue-{warned}")).ToContainTextAsync("min left");

        var order = await agent.Locator("#queue-list button").EvaluateAllAsync<string[]>("rows => rows.map(r => r.id)");
        Assert.That(Array.IndexOf(order, "queue-" + older), Is.LessThan(Array.IndexOf(order, "queue-" + late)),
            "an overdue case keeps its place: within a priority the queue is oldest first, as Claim next case takes it");
    }

    [Test]
    public async Task The_top_row_of_the_queue_is_the_case_claim_next_takes()
    {
        var older = await FileAsync("5 Rideau St");
        var newer = await FileAsync("6 Rideau St");
        // Both urgent, so they head the queue; the newer one is overdue, which once moved it up on screen only.
        await App.ScalarAsync($"update cases set priority = 'urgent' where number in ('{older}', '{newer}')");
        await App.ScalarAsync($"update cases set first_response_due_at = now() - interval '10 minutes' where number = '{newer}'");

        var agent = await NewPageAsync();
        await SignInAsync(agent, "agent");
        await Assertions.Expect(agent.Locator($"#queue-{newer}")).ToContainTextAsync("Overdue");
        var order = await agent.Locator("#queue-list button").EvaluateAllAsync<string[]>("rows => rows.map(r => r.id)");
        Assert.That(Array.IndexOf(order, "queue-" + older), Is.LessThan(Array.IndexOf(order, "queue-" + newer)));
        var top = order[0]["queue-".Length..];

        await agent.GetByRole(AriaRole.Button, new() { Name = "Claim next case", Exact = true }).ClickAsync();

        await Assertions.Expect(agent.Locator($"#mine-{top}")).ToBeVisibleAsync();
        await Assertions.Expect(agent.Locator($"#queue-{top}")).ToHaveCountAsync(0);
        Assert.That(await App.TextAsync($"select u.user_name from cases c join staff_users u on u.id = c.assigned_to where c.number = '{top}'"),
            Is.EqualTo("agent"), "Claim next case took the case shown first");
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
