using System.Net.Http.Json;
using System.Text.Json;
using Contact.Core.Desktop;
using Contact.Core.Staff;
using Contact.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Contact.Tests.Desktop;

/// <summary>Who may see and do what on the desktop, and how fast a change to a member reaches their open desktops.</summary>
public sealed class DeskAccessTests : AppFixture
{
    private StaffDirectory _staff = null!;

    protected override async Task SetUpAppAsync()
    {
        _staff = App.Services.GetRequiredService<StaffDirectory>();
        await _staff.CreateAsync(new NewStaffMember("ontario.desk", "Ontario Desk", Roles.Provider, "right-password", ProviderCode: "serviceontario"));
    }

    private static async Task Within(Task task, string what, int seconds = 10)
    {
        var done = await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(seconds)));
        Assert.That(done, Is.SameAs(task), $"{what} within {seconds} s");
        await task;
    }

    /// <summary>Connects and waits until the hub has finished joining the connection (its first call is answered after that).</summary>
    private async Task<DesktopClient> JoinedAsync(string userName, string password = "right-password")
    {
        var desk = await DesktopClient.ConnectAsync(App, userName, password);
        await desk.Hub.InvokeAsync<JsonElement>("Snapshot");
        return desk;
    }

    private static TaskCompletionSource Signal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [Test]
    public async Task A_provider_reads_only_its_own_referrals_history()
    {
        await using var agent = await DesktopClient.ConnectAsync(App, "agent");
        await using var roads = await DesktopClient.ConnectAsync(App, "provider");
        await using var ontario = await DesktopClient.ConnectAsync(App, "ontario.desk", "right-password");
        var number = await App.FileAsync(address: "12 Hidden Lane");
        await agent.Hub.InvokeAsync<CaseDetail>("Claim", number);
        await agent.Hub.InvokeAsync<CaseDetail>("AddNote", number, "Staff only: resident is anxious");
        await agent.Hub.InvokeAsync<CaseDetail>("Refer", number, new[] { "city-roads", "serviceontario" }, "Please look");
        var ids = await App.TextAsync($"""
            select string_agg(p.code || '=' || r.id, ',' order by p.code) from referrals r join providers p on p.id = r.provider_id
            join cases c on c.id = r.case_id where c.number = '{number}'
            """);
        var byCode = ids!.Split(',').Select(x => x.Split('=')).ToDictionary(x => x[0], x => long.Parse(x[1], System.Globalization.CultureInfo.InvariantCulture));
        await ontario.Hub.InvokeAsync<ReferralView>("DeclineReferral", byCode["serviceontario"], "Ontario's reason: not ours");
        await roads.Hub.InvokeAsync<ReferralView>("AcceptReferral", byCode["city-roads"], "Roads: crew booked");

        var seenByRoads = await roads.Hub.InvokeAsync<CaseDetail>("OpenCase", number);
        var seenByOntario = await ontario.Hub.InvokeAsync<CaseDetail>("OpenCase", number);
        var seenByAgent = await agent.Hub.InvokeAsync<CaseDetail>("OpenCase", number);

        Assert.That(seenByAgent.History.Select(h => h.Kind), Is.SupersetOf(new[] { "note", "referred", "referral_declined", "referral_accepted" }));
        Assert.That(seenByRoads.History.Select(h => h.Kind), Does.Contain("referral_accepted").And.Contain("referred"));
        Assert.That(seenByRoads.History.Select(h => h.Kind), Has.None.EqualTo("referral_declined").And.None.EqualTo("note"));
        Assert.That(string.Join(" | ", seenByRoads.History.Select(h => h.Text)), Does.Not.Contain("Ontario's reason").And.Not.Contain("anxious"));
        Assert.That(seenByOntario.History.Select(h => h.Kind), Does.Contain("referral_declined"));
        Assert.That(string.Join(" | ", seenByOntario.History.Select(h => h.Text)), Does.Not.Contain("crew booked").And.Not.Contain("anxious"));
    }

    [Test]
    public async Task Merging_into_a_case_the_agent_may_not_see_is_refused_as_if_it_did_not_exist()
    {
        await using var agent = await DesktopClient.ConnectAsync(App, "agent");
        var mine = await App.FileAsync(address: "40 Rideau St");
        var french = await App.FileAsync(language: "fr", address: "40 rue Rideau");
        await agent.Hub.InvokeAsync<CaseDetail>("Claim", mine);

        var hidden = Assert.ThrowsAsync<HubException>(() => agent.Hub.InvokeAsync<CaseDetail>("Merge", mine, french));
        var missing = Assert.ThrowsAsync<HubException>(() => agent.Hub.InvokeAsync<CaseDetail>("Merge", mine, Contact.Core.Cases.CaseNumber.WithCheckDigit("9999999")));

        Assert.That(hidden!.Message, Does.Contain($"There is no case {french}"));
        Assert.That(missing!.Message, Does.Contain("There is no case"));
        Assert.That(await App.TextAsync($"select status || '/' || coalesce(duplicate_of::text, '-') from cases where number = '{mine}'"), Is.EqualTo("in_progress/-"));
        Assert.That(await App.ScalarAsync($"select count(*) from case_events e join cases c on c.id = e.case_id where c.number = '{french}' and e.kind <> 'created'"), Is.EqualTo(0));
    }

    [Test]
    public async Task Only_those_who_work_the_queues_set_the_crisis_flag()
    {
        await using var agent = await DesktopClient.ConnectAsync(App, "agent");
        await using var roads = await DesktopClient.ConnectAsync(App, "provider");
        var response = await App.CreateClient().PostAsJsonAsync("/api/cases", new { category = "general-211", language = "en", description = "Needs a ride" });
        var number = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetString()!;
        await agent.Hub.InvokeAsync<CaseDetail>("Claim", number);
        await agent.Hub.InvokeAsync<CaseDetail>("Refer", number, new[] { "city-roads" }, "Can you help");
        Assert.That((await roads.Hub.InvokeAsync<CaseDetail>("OpenCase", number)).Number, Is.EqualTo(number), "the provider sees the case");

        var refused = Assert.ThrowsAsync<HubException>(() => roads.Hub.InvokeAsync<CaseDetail>("SetCrisis", number, true));

        Assert.That(refused!.Message, Does.Contain("Your role does not allow this."));
        Assert.That(await App.TextAsync($"select crisis::text from cases where number = '{number}'"), Is.EqualTo("false"));
        Assert.That((await agent.Hub.InvokeAsync<CaseDetail>("SetCrisis", number, true)).Crisis, Is.True);
        Assert.ThrowsAsync<HubException>(() => roads.Hub.InvokeAsync<CaseDetail>("SetCrisis", number, false));
        Assert.That(await App.TextAsync($"select crisis::text from cases where number = '{number}'"), Is.EqualTo("true"));
    }

    [Test]
    public async Task A_member_given_a_language_receives_its_queue_live_without_reconnecting()
    {
        await _staff.CreateAsync(new NewStaffMember("skills.test", "Skills Test", Roles.Agent, "right-password", Lines: ["311"], Languages: ["en"]));
        await using var desk = await JoinedAsync("skills.test");
        var resynced = Signal();
        var french = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        desk.Hub.On("Resync", () => resynced.TrySetResult());
        desk.Hub.On<QueueItem>("QueueItemChanged", item => { if (item.Queue == "311-fr") { french.TrySetResult(item.Number); } });

        // The change is made as a command or an administrator would make it, straight in the database.
        await App.ScalarAsync("update staff_users set languages = '{en,fr}' where user_name = 'skills.test' returning 1");
        await Within(resynced.Task, "the desktop was told to resync");
        var number = await App.FileAsync(language: "fr");

        await Within(french.Task, "the French case arrived");
        Assert.That(await french.Task, Is.EqualTo(number));
        Assert.That(desk.Hub.State, Is.EqualTo(HubConnectionState.Connected));
    }

    [Test]
    public async Task A_member_losing_a_language_stops_receiving_its_queue()
    {
        await _staff.CreateAsync(new NewStaffMember("skills.lost", "Skills Lost", Roles.Agent, "right-password", Lines: ["311"], Languages: ["en", "fr"]));
        await using var desk = await JoinedAsync("skills.lost");
        var resynced = Signal();
        var seen = new System.Collections.Concurrent.ConcurrentBag<string>();
        desk.Hub.On("Resync", () => resynced.TrySetResult());
        desk.Hub.On<QueueItem>("QueueItemChanged", item => seen.Add(item.Number));

        await App.ScalarAsync("update staff_users set languages = '{en}' where user_name = 'skills.lost' returning 1");
        await Within(resynced.Task, "the desktop was told to resync");
        var french = await App.FileAsync(language: "fr");
        var english = await App.FileAsync(language: "en");

        await Within(Task.Run(async () => { while (!seen.Contains(english)) { await Task.Delay(50); } }), "the English case arrived");
        Assert.That(seen, Does.Not.Contain(french));
    }

    [TestCase("disable")]
    [TestCase("password")]
    public async Task A_disabled_or_repassworded_member_is_disconnected_at_once(string change)
    {
        var name = "closing." + change;
        await _staff.CreateAsync(new NewStaffMember(name, "Closing", Roles.Agent, "right-password", Lines: ["311"], Languages: ["en"]));
        await using var desk = await JoinedAsync(name);
        var closed = Signal();
        desk.Hub.Closed += _ => { closed.TrySetResult(); return Task.CompletedTask; };
        var seen = new System.Collections.Concurrent.ConcurrentBag<string>();
        desk.Hub.On<QueueItem>("QueueItemChanged", item => seen.Add(item.Number));

        if (change == "disable")
        {
            await _staff.SetActiveAsync(name, false);
        }
        else
        {
            await _staff.SetPasswordAsync(name, "another-long-secret");
        }

        await Within(closed.Task, "the connection was closed");
        var number = await App.FileAsync();
        await Task.Delay(500);
        Assert.That(seen, Does.Not.Contain(number));
        Assert.That(desk.Hub.State, Is.EqualTo(HubConnectionState.Disconnected));
    }

    [Test]
    public async Task Desktops_resync_when_the_host_listens_again_after_losing_its_connection()
    {
        await using var desk = await JoinedAsync("agent", "demo");
        var resynced = Signal();
        desk.Hub.On("Resync", () => resynced.TrySetResult());

        var killed = await App.ScalarAsync("""
            select count(pg_terminate_backend(pid)) from pg_stat_activity
            where datname = current_database() and pid <> pg_backend_pid() and query ilike 'listen contact_staff%'
            """);

        Assert.That(killed, Is.EqualTo(1), "the host's one listening connection");
        await Within(resynced.Task, "the desktop was told to resync");
        var arrived = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        desk.Hub.On<QueueItem>("QueueItemChanged", item => arrived.TrySetResult(item.Number));
        var number = await App.FileAsync();
        await Within(arrived.Task, "changes arrive again");
    }
}
