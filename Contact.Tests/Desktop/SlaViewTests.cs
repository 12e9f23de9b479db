using System.Text.Json;
using Contact.Core.Cases;
using Contact.Core.Desktop;
using Contact.Core.Sla;
using Contact.Core.Staff;
using Contact.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Contact.Tests.Desktop;

/// <summary>The service-standard clocks on the agent desktop and the supervisor page.</summary>
public sealed class SlaViewTests : AppFixture
{
    [Test]
    public async Task A_filed_case_is_in_the_queue_with_its_first_response_and_resolution_due_times()
    {
        await using var agent = await DesktopClient.ConnectAsync(App, "agent");
        var number = await App.FileAsync();

        var snapshot = await agent.Hub.InvokeAsync<JsonElement>("Snapshot");

        var row = snapshot.GetProperty("queue").EnumerateArray().Single(q => q.GetProperty("number").GetString() == number);
        var created = row.GetProperty("createdAt").GetDateTimeOffset();
        var firstResponseDue = row.GetProperty("firstResponseDueAt").GetDateTimeOffset();
        var resolutionDue = row.GetProperty("resolutionDueAt").GetDateTimeOffset();
        Assert.That(firstResponseDue, Is.GreaterThan(created));
        Assert.That(resolutionDue, Is.GreaterThanOrEqualTo(firstResponseDue));
        Assert.That(row.GetProperty("paused").GetBoolean(), Is.False);
    }

    [Test]
    public async Task A_queue_row_falls_at_risk_at_its_policys_warning_percent_in_business_time()
    {
        await using var agent = await DesktopClient.ConnectAsync(App, "agent");
        var number = await App.FileAsync();
        var policy = await App.Services.GetRequiredService<SlaStore>().FindByIdAsync(
            (int)await App.ScalarAsync($"select sla_policy_id from cases where number = '{number}'"));
        Assert.That(policy, Is.Not.Null);

        var row = (await agent.Hub.InvokeAsync<JsonElement>("Snapshot")).GetProperty("queue").EnumerateArray()
            .Single(q => q.GetProperty("number").GetString() == number);

        var created = row.GetProperty("createdAt").GetDateTimeOffset();
        var warning = row.GetProperty("firstResponseWarningAt").GetDateTimeOffset();
        var expected = SlaStore.At(policy!, created, policy!.FirstResponse, policy.WarningPercent, TimeSpan.Zero);
        Assert.That(warning, Is.EqualTo(expected).Within(TimeSpan.FromMilliseconds(1)),
            $"{policy.WarningPercent}% of the first-response target, in the policy's business hours");
        Assert.That(warning, Is.LessThan(row.GetProperty("firstResponseDueAt").GetDateTimeOffset()));
        Assert.That(row.GetProperty("resolutionWarningAt").GetDateTimeOffset(),
            Is.EqualTo(SlaStore.At(policy, created, policy.Resolution, policy.WarningPercent, TimeSpan.Zero)).Within(TimeSpan.FromMilliseconds(1)));
    }

    [Test]
    public async Task The_queue_is_listed_in_the_order_claim_next_takes_it()
    {
        var staff = App.Services.GetRequiredService<StaffDirectory>();
        var member = (await staff.FindAsync("agent"))!;
        var first = await App.FileAsync();
        var urgent = await App.FileAsync();
        await App.ScalarAsync($"update cases set priority = 'urgent', first_response_due_at = now() - interval '1 hour' where number = '{urgent}'");

        var queue = await App.Services.GetRequiredService<DesktopQueries>().QueueAsync(member);

        Assert.That(queue.Select(q => q.Order), Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal), "each row's order key sorts as the list");
        Assert.That(queue.Select(q => q.Number).ToList().IndexOf(urgent), Is.LessThan(queue.Select(q => q.Number).ToList().IndexOf(first)));
        var claimed = await App.Services.GetRequiredService<CaseWork>().ClaimNextAsync(member);
        Assert.That(claimed, Is.EqualTo(queue[0].Number), "Claim next case takes the top row");
    }

    [Test]
    public async Task A_case_past_its_warning_time_is_at_risk_for_supervisors_and_one_before_it_is_not()
    {
        await using var supervisor = await DesktopClient.ConnectAsync(App, "supervisor");
        var warned = await App.FileAsync();
        var fresh = await App.FileAsync();
        await App.ScalarAsync($"update cases set resolution_warning_at = now() - interval '1 minute' where number = '{warned}'");

        var view = await supervisor.Hub.InvokeAsync<SupervisorView>("SupervisorSnapshot");

        var row = view.AtRisk.Single(a => a.Number == warned);
        Assert.That(row.Overdue, Is.False);
        Assert.That(row.MinutesOver, Is.LessThan(0), "time is still left");
        Assert.That(view.AtRisk.Select(a => a.Number), Does.Not.Contain(fresh));
    }

    [Test]
    public async Task A_claimed_case_shows_its_first_response_and_stays_due_on_my_cases()
    {
        await using var agent = await DesktopClient.ConnectAsync(App, "agent");
        var number = await App.FileAsync();

        var detail = await agent.Hub.InvokeAsync<CaseDetail>("Claim", number);

        Assert.That(detail.FirstResponseDueAt, Is.Not.Null);
        Assert.That(detail.ResolutionDueAt, Is.Not.Null);
        Assert.That(detail.FirstResponseAt, Is.Not.Null, "claiming is the first response");
        Assert.That(detail.Paused, Is.False);
        var mine = (await agent.Hub.InvokeAsync<JsonElement>("Snapshot")).GetProperty("mine").EnumerateArray()
            .Single(q => q.GetProperty("number").GetString() == number);
        Assert.That(mine.GetProperty("resolutionDueAt").GetDateTimeOffset(), Is.EqualTo(detail.ResolutionDueAt!.Value));
    }

    [Test]
    public async Task A_case_waiting_on_the_resident_is_paused()
    {
        await using var agent = await DesktopClient.ConnectAsync(App, "agent");
        var number = await App.FileAsync();
        await agent.Hub.InvokeAsync<CaseDetail>("Claim", number);

        var detail = await agent.Hub.InvokeAsync<CaseDetail>("SetWaiting", number, "Which side of the street?");

        Assert.That(detail.Paused, Is.True);
        var mine = (await agent.Hub.InvokeAsync<JsonElement>("Snapshot")).GetProperty("mine").EnumerateArray()
            .Single(q => q.GetProperty("number").GetString() == number);
        Assert.That(mine.GetProperty("paused").GetBoolean(), Is.True);
    }

    [Test]
    public async Task A_held_case_past_its_resolution_due_time_is_listed_overdue_for_supervisors()
    {
        await using var agent = await DesktopClient.ConnectAsync(App, "agent");
        await using var supervisor = await DesktopClient.ConnectAsync(App, "supervisor");
        var number = await App.FileAsync();
        await agent.Hub.InvokeAsync<CaseDetail>("Claim", number);
        var before = await supervisor.Hub.InvokeAsync<SupervisorView>("SupervisorSnapshot");
        Assert.That(before.AtRisk.Select(a => a.Number), Does.Not.Contain(number), "a fresh case has all its time left");

        await App.ScalarAsync($"update cases set resolution_due_at = now() - interval '1 hour' where number = '{number}'");

        var view = await supervisor.Hub.InvokeAsync<SupervisorView>("SupervisorSnapshot");
        var late = view.AtRisk.Single(a => a.Number == number);
        Assert.That(late.Overdue, Is.True);
        Assert.That(late.MinutesOver, Is.GreaterThanOrEqualTo(59));
        Assert.That(late.Queue, Is.EqualTo("311-en"));
        Assert.That(late.AssignedTo, Is.EqualTo("agent"));
        Assert.That(late.CategoryName.En, Is.EqualTo("Pothole"));
        Assert.That(view.AtRisk.Select(a => a.ResolutionDueAt), Is.Ordered, "most overdue first");
    }

    [Test]
    public async Task A_paused_case_is_not_listed_at_risk()
    {
        await using var agent = await DesktopClient.ConnectAsync(App, "agent");
        await using var supervisor = await DesktopClient.ConnectAsync(App, "supervisor");
        var number = await App.FileAsync();
        await agent.Hub.InvokeAsync<CaseDetail>("Claim", number);
        await agent.Hub.InvokeAsync<CaseDetail>("SetWaiting", number, "Photo please");

        await App.ScalarAsync($"update cases set resolution_due_at = now() - interval '1 hour' where number = '{number}'");

        var view = await supervisor.Hub.InvokeAsync<SupervisorView>("SupervisorSnapshot");
        Assert.That(view.AtRisk.Select(a => a.Number), Does.Not.Contain(number));
    }

    [Test]
    public async Task A_case_resolved_before_its_due_time_counts_as_on_time_in_todays_compliance()
    {
        await using var agent = await DesktopClient.ConnectAsync(App, "agent");
        await using var supervisor = await DesktopClient.ConnectAsync(App, "supervisor");
        var number = await App.FileAsync();
        var detail = await agent.Hub.InvokeAsync<CaseDetail>("Claim", number);
        Assert.That(detail.ResolutionDueAt, Is.GreaterThan(DateTimeOffset.UtcNow));

        await agent.Hub.InvokeAsync<CaseDetail>("Resolve", number, "Patched");

        var view = await supervisor.Hub.InvokeAsync<SupervisorView>("SupervisorSnapshot");
        var queue = view.Compliance.Single(r => r.Kind == "queue" && r.Key == "311-en");
        Assert.That(queue.Resolved, Is.GreaterThanOrEqualTo(1));
        Assert.That(queue.OnTime, Is.GreaterThanOrEqualTo(1));
        Assert.That(queue.OnTime, Is.LessThanOrEqualTo(queue.Resolved));
        var category = view.Compliance.Single(r => r.Kind == "category" && r.Key == "pothole");
        Assert.That(category.OnTime, Is.GreaterThanOrEqualTo(1));
    }

    [Test]
    public async Task A_case_resolved_after_its_due_time_counts_as_late_for_its_queue_category_and_provider()
    {
        await using var supervisor = await DesktopClient.ConnectAsync(App, "supervisor");
        var number = await App.FileAsync("free-meals", "fr", new Dictionary<string, object>(), address: "1 rue Principale");
        await using var french = await DesktopClient.ConnectAsync(App, "agent.fr");
        var detail = await french.Hub.InvokeAsync<CaseDetail>("Claim", number);
        var provider = detail.SuggestedProviders.First().Code;
        await french.Hub.InvokeAsync<CaseDetail>("Refer", number, new[] { provider }, "Please help");
        var before = await supervisor.Hub.InvokeAsync<SupervisorView>("SupervisorSnapshot");
        int Late(SupervisorView v, string kind, string key) =>
            v.Compliance.Where(r => r.Kind == kind && r.Key == key).Sum(r => r.Resolved - r.OnTime);

        await App.ScalarAsync($"update cases set resolution_due_at = now() - interval '1 hour' where number = '{number}'");
        await french.Hub.InvokeAsync<CaseDetail>("Resolve", number, "Done late");

        var view = await supervisor.Hub.InvokeAsync<SupervisorView>("SupervisorSnapshot");
        Assert.That(Late(view, "queue", detail.Queue), Is.EqualTo(Late(before, "queue", detail.Queue) + 1));
        Assert.That(Late(view, "category", "free-meals"), Is.EqualTo(Late(before, "category", "free-meals") + 1));
        Assert.That(Late(view, "provider", provider), Is.EqualTo(Late(before, "provider", provider) + 1));
    }
}
