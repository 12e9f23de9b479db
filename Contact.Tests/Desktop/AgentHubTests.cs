using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Contact.Core.Cases;
using Contact.Core.Desktop;
using Contact.Core.Staff;
using Contact.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Contact.Tests.Desktop;

public sealed class AgentHubTests : AppFixture
{
    private static async Task<T> Within<T>(Task<T> task, int seconds = 5)
    {
        var done = await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(seconds)));
        Assert.That(done, Is.SameAs(task), $"nothing arrived within {seconds} s");
        return await task;
    }

    [Test]
    public void A_connection_without_a_signed_in_member_is_refused()
    {
        var hub = DesktopClient.Build(App, cookie: null);
        var error = Assert.ThrowsAsync<HttpRequestException>(() => hub.StartAsync());
        Assert.That(error!.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Repeated_failures_lock_the_name_from_that_address_only()
    {
        await App.Services.GetRequiredService<StaffDirectory>().CreateAsync(new NewStaffMember("locky", "Locky", Roles.Agent, "right-password"));
        for (var i = 0; i < StaffDirectory.MaxFailedSignIns; i++)
        {
            var (status, cookie, _) = await DesktopClient.TrySignInAsync(App, "locky", "wrong", "198.51.100.20");
            Assert.That(status, Is.EqualTo(i < StaffDirectory.MaxFailedSignIns - 1 ? HttpStatusCode.Unauthorized : HttpStatusCode.TooManyRequests));
            Assert.That(cookie, Is.Null);
        }
        var (locked, lockedCookie, body) = await DesktopClient.TrySignInAsync(App, "locky", "right-password", "198.51.100.20");
        Assert.That(locked, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(lockedCookie, Is.Null);
        Assert.That(body, Does.Contain("Too many failed attempts"));
        // The member at their own desk is not locked out by someone else's guesses.
        var (elsewhere, cookieElsewhere, _) = await DesktopClient.TrySignInAsync(App, "locky", "right-password", "198.51.100.21");
        Assert.That(elsewhere, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(cookieElsewhere, Is.Not.Null);
    }

    [Test]
    public async Task Unknown_and_known_names_answer_alike()
    {
        await App.Services.GetRequiredService<StaffDirectory>().CreateAsync(new NewStaffMember("known", "Known", Roles.Agent, "right-password"));
        for (var i = 0; i < StaffDirectory.MaxFailedSignIns + 1; i++)
        {
            var known = await DesktopClient.TrySignInAsync(App, "known", "wrong", "198.51.100.30");
            var unknown = await DesktopClient.TrySignInAsync(App, "nobody-by-this-name", "wrong", "198.51.100.30");
            Assert.That(unknown.Status, Is.EqualTo(known.Status), $"attempt {i + 1}");
            Assert.That(Answer(unknown.Body), Is.EqualTo(Answer(known.Body)), $"attempt {i + 1}");
        }
    }

    /// <summary>A problem's title and detail (its trace id differs by request).</summary>
    private static string Answer(string body)
    {
        var problem = System.Text.Json.JsonDocument.Parse(body).RootElement;
        return problem.GetProperty("title").GetString() + " / " + problem.GetProperty("detail").GetString();
    }

    [Test]
    public async Task An_address_guessing_many_names_is_locked_out_and_others_are_not()
    {
        await App.Services.GetRequiredService<StaffDirectory>().CreateAsync(new NewStaffMember("sprayed", "Sprayed", Roles.Agent, "right-password"));
        for (var i = 0; i < StaffDirectory.MaxFailedSignInsPerAddress; i++)
        {
            await DesktopClient.TrySignInAsync(App, $"guess{i}", "wrong", "203.0.113.40");
        }
        var (fromSprayer, _, _) = await DesktopClient.TrySignInAsync(App, "sprayed", "right-password", "203.0.113.40");
        Assert.That(fromSprayer, Is.EqualTo(HttpStatusCode.TooManyRequests));
        var (fromElsewhere, _, _) = await DesktopClient.TrySignInAsync(App, "sprayed", "right-password", "203.0.113.41");
        Assert.That(fromElsewhere, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_case_filed_anywhere_appears_live_at_every_agent_who_may_work_it_and_only_there()
    {
        await using var english = await DesktopClient.ConnectAsync(App, "agent");
        await using var french = await DesktopClient.ConnectAsync(App, "agent.fr");
        var seenByEnglish = new ConcurrentBag<string>();
        var seenByFrench = new ConcurrentBag<string>();
        var frenchArrived = new TaskCompletionSource<QueueItem>(TaskCreationOptions.RunContinuationsAsynchronously);
        english.Hub.On<QueueItem>("QueueItemChanged", item => seenByEnglish.Add(item.Number));
        french.Hub.On<QueueItem>("QueueItemChanged", item =>
        {
            seenByFrench.Add(item.Number);
            frenchArrived.TrySetResult(item);
        });

        var number = await App.FileAsync(language: "fr");

        var item = await Within(frenchArrived.Task);
        Assert.That(item.Number, Is.EqualTo(number));
        Assert.That(item.Queue, Is.EqualTo("311-fr"));
        Assert.That(item.CategoryName.Fr, Is.EqualTo("Nid-de-poule"));
        await Task.Delay(500);
        Assert.That(seenByEnglish, Does.Not.Contain(number), "an agent without French never sees 311-fr cases");
        var snapshot = await english.Hub.InvokeAsync<JsonElement>("Snapshot");
        Assert.That(snapshot.GetProperty("queue").EnumerateArray().Select(q => q.GetProperty("queue").GetString()), Has.None.EqualTo("311-fr"));
        var error = Assert.ThrowsAsync<HubException>(() => english.Hub.InvokeAsync<JsonElement>("Claim", number));
        Assert.That(error!.Message, Does.Contain("not in your queues"));
    }

    [Test]
    public async Task Two_agents_claiming_at_once_never_hold_the_same_case()
    {
        var staff = App.Services.GetRequiredService<StaffDirectory>();
        var work = App.Services.GetRequiredService<CaseWork>();
        var agents = new List<StaffMember>();
        for (var i = 0; i < 8; i++)
        {
            agents.Add(await staff.CreateAsync(new NewStaffMember($"claimer{i}", $"Claimer {i}", Roles.Agent, "pw-" + i, Lines: ["211"], Languages: ["fr"])));
        }
        for (var round = 0; round < 5; round++)
        {
            var filed = new List<string>();
            for (var i = 0; i < 6; i++)
            {
                filed.Add(await App.FileAsync("free-meals", "fr", new Dictionary<string, object>(), address: "1 rue Principale"));
            }
            // Eight agents race for six cases, twice each.
            var claims = await Task.WhenAll(agents.SelectMany(a => new[] { a, a }).Select(a => Task.Run(() => work.ClaimNextAsync(a))));
            var won = claims.OfType<string>().ToList();
            Assert.That(won, Is.EquivalentTo(filed), $"round {round}: every case claimed exactly once");
            Assert.That(won.Distinct().Count(), Is.EqualTo(won.Count));
            Assert.That(await App.ScalarAsync($"select count(*) from case_events e join cases c on c.id = e.case_id where e.kind = 'claimed' and c.number = any(array['{string.Join("','", filed)}'])"), Is.EqualTo(6));
        }
    }

    [Test]
    public async Task Claiming_a_case_someone_else_holds_is_refused_and_changes_nothing()
    {
        await using var first = await DesktopClient.ConnectAsync(App, "agent");
        await using var second = await DesktopClient.ConnectAsync(App, "supervisor");
        var number = await App.FileAsync();
        await first.Hub.InvokeAsync<JsonElement>("Claim", number);

        var error = Assert.ThrowsAsync<HubException>(() => second.Hub.InvokeAsync<JsonElement>("Claim", number));

        Assert.That(error!.Message, Does.Contain("held by agent"));
        Assert.That(await App.ScalarAsync($"select count(*) from cases c join staff_users u on u.id = c.assigned_to where c.number = '{number}' and u.user_name = 'agent'"), Is.EqualTo(1));
    }

    [Test]
    public async Task A_claimed_case_leaves_every_other_view_at_once()
    {
        await using var claimer = await DesktopClient.ConnectAsync(App, "agent");
        await using var watcher = await DesktopClient.ConnectAsync(App, "supervisor");
        var number = await App.FileAsync();
        var removed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        watcher.Hub.On<string>("QueueItemRemoved", n => { if (n == number) { removed.TrySetResult(n); } });

        await claimer.Hub.InvokeAsync<JsonElement>("Claim", number);

        Assert.That(await Within(removed.Task), Is.EqualTo(number));
    }

    [Test]
    public async Task An_agent_works_a_case_through_referral_to_resolution_and_every_step_is_in_the_history()
    {
        await using var agent = await DesktopClient.ConnectAsync(App, "agent");
        await using var provider = await DesktopClient.ConnectAsync(App, "provider");
        var number = await App.FileAsync(latitude: 45.4215, longitude: -75.6972);
        var referralArrived = new TaskCompletionSource<ReferralView>(TaskCreationOptions.RunContinuationsAsynchronously);
        provider.Hub.On<ReferralView>("ReferralChanged", r => { if (r.CaseNumber == number && r.Status == "sent") { referralArrived.TrySetResult(r); } });

        var detail = await agent.Hub.InvokeAsync<CaseDetail>("Claim", number);
        Assert.That(detail.Status, Is.EqualTo("in_progress"));
        Assert.That(detail.SuggestedProviders.Select(p => p.Code), Does.Contain("city-roads"));
        await agent.Hub.InvokeAsync<CaseDetail>("AddNote", number, "Called the resident back");
        detail = await agent.Hub.InvokeAsync<CaseDetail>("Refer", number, new[] { "city-roads" }, "Please patch");
        Assert.That(detail.Status, Is.EqualTo("referred"));

        var referral = await Within(referralArrived.Task);
        var accepted = await provider.Hub.InvokeAsync<ReferralView>("AcceptReferral", referral.Id, "Crew scheduled");
        Assert.That(accepted.Status, Is.EqualTo("accepted"));
        var completed = await provider.Hub.InvokeAsync<ReferralView>("CompleteReferral", referral.Id, "Patched");
        Assert.That(completed.Status, Is.EqualTo("completed"));
        var again = Assert.ThrowsAsync<HubException>(() => provider.Hub.InvokeAsync<ReferralView>("DeclineReferral", referral.Id, "Too late"));
        Assert.That(again!.Message, Does.Contain("completed"));

        detail = await agent.Hub.InvokeAsync<CaseDetail>("Resolve", number, "Pothole patched by Roads");
        Assert.That(detail.Status, Is.EqualTo("resolved"));
        Assert.That(detail.History.Select(h => h.Kind), Is.EqualTo(new[] { "created", "claimed", "note", "referred", "referral_accepted", "referral_completed", "resolved" }));
        Assert.That(detail.History.Select(h => h.Actor), Is.EqualTo(new[] { "resident", "agent", "agent", "agent", "provider", "provider", "agent" }));
        Assert.That(detail.History[2].Text, Is.EqualTo("Note: Called the resident back"));

        var stale = Assert.ThrowsAsync<HubException>(() => agent.Hub.InvokeAsync<CaseDetail>("Resolve", number, "again"));
        Assert.That(stale!.Message, Does.Contain("already resolved"));

        var status = await App.CreateClient().GetStringAsync($"/api/cases/{number}");
        Assert.That(status, Does.Contain("\"status\":\"resolved\""));
    }

    [Test]
    public async Task A_provider_never_sees_another_providers_referrals()
    {
        await using var agent = await DesktopClient.ConnectAsync(App, "agent");
        await using var provider = await DesktopClient.ConnectAsync(App, "provider");
        var number = await App.FileAsync("health-card", answers: new Dictionary<string, object> { ["need"] = "address" }, address: "200 Elgin St", latitude: 45.42, longitude: -75.69);
        var seen = new ConcurrentBag<long>();
        provider.Hub.On<ReferralView>("ReferralChanged", r => seen.Add(r.Id));
        await agent.Hub.InvokeAsync<CaseDetail>("Claim", number);
        await agent.Hub.InvokeAsync<CaseDetail>("Refer", number, new[] { "serviceontario" }, "Address change");
        var otherId = await App.ScalarAsync($"select r.id from referrals r join cases c on c.id = r.case_id where c.number = '{number}'");

        await Task.Delay(500);
        Assert.That(seen, Does.Not.Contain(otherId));
        var snapshot = await provider.Hub.InvokeAsync<JsonElement>("Snapshot");
        Assert.That(snapshot.GetProperty("referrals").EnumerateArray().Select(r => r.GetProperty("id").GetInt64()), Does.Not.Contain(otherId));
        Assert.ThrowsAsync<HubException>(() => provider.Hub.InvokeAsync<ReferralView>("AcceptReferral", otherId, "mine now"));
        Assert.ThrowsAsync<HubException>(() => provider.Hub.InvokeAsync<CaseDetail>("OpenCase", number));
        Assert.That(await App.ScalarAsync($"select count(*) from referrals where id = {otherId} and status = 'sent'"), Is.EqualTo(1));
    }

    [Test]
    public async Task Providers_are_suggested_by_the_case_location_from_their_service_areas()
    {
        await using var agent = await DesktopClient.ConnectAsync(App, "agent");
        var gatineau = await App.FileAsync("ramq-move", answers: new Dictionary<string, object> { ["direction"] = "on-to-qc" }, address: "25 rue Laurier, Gatineau", latitude: 45.4291, longitude: -75.7137);
        var ottawa = await App.FileAsync("ramq-move", answers: new Dictionary<string, object> { ["direction"] = "on-to-qc" }, address: "110 Laurier Ave W, Ottawa", latitude: 45.4201, longitude: -75.6954);

        var inQuebec = await agent.Hub.InvokeAsync<CaseDetail>("Claim", gatineau);
        var inOntario = await agent.Hub.InvokeAsync<CaseDetail>("Claim", ottawa);

        Assert.That(inQuebec.SuggestedProviders.Select(p => p.Code), Is.EqualTo(new[] { "ramq" }));
        Assert.That(inOntario.SuggestedProviders.Select(p => p.Code), Is.EqualTo(new[] { "serviceontario" }));
    }

    [Test]
    public async Task A_duplicate_merged_into_the_original_tells_its_resident_the_original_number()
    {
        await using var agent = await DesktopClient.ConnectAsync(App, "agent");
        var original = await App.FileAsync(address: "500 Bank St");
        var duplicate = await App.FileAsync(address: "500 bank st");
        var detail = await agent.Hub.InvokeAsync<CaseDetail>("Claim", duplicate);
        Assert.That(detail.Duplicates.Select(d => d.Number), Does.Contain(original));

        detail = await agent.Hub.InvokeAsync<CaseDetail>("Merge", duplicate, original);

        Assert.That(detail.Status, Is.EqualTo("closed"));
        var page = await App.Browser("en").GetPageAsync($"/requests/{duplicate}");
        Assert.That(page.QuerySelector(".timeline")!.TextContent, Does.Contain(original));
    }

    [Test]
    public async Task Supervisors_see_queues_and_reassign_and_agents_may_not()
    {
        await using var supervisor = await DesktopClient.ConnectAsync(App, "supervisor");
        await using var agent = await DesktopClient.ConnectAsync(App, "agent");
        var number = await App.FileAsync();

        var view = await supervisor.Hub.InvokeAsync<SupervisorView>("SupervisorSnapshot");
        Assert.That(view.Queues.Select(q => q.Code), Is.EqualTo(new[] { "311-en", "311-fr", "211-en", "211-fr", "escalations" }));
        Assert.That(view.Queues.Single(q => q.Code == "311-en").Waiting, Is.GreaterThanOrEqualTo(1));
        Assert.That(view.VolumesToday.Single(v => v.Channel == "web").Count, Is.GreaterThanOrEqualTo(1));
        Assert.ThrowsAsync<HubException>(() => agent.Hub.InvokeAsync<SupervisorView>("SupervisorSnapshot"));
        Assert.ThrowsAsync<HubException>(() => agent.Hub.InvokeAsync<object>("Reassign", number, "agent"));

        await supervisor.Hub.InvokeAsync<object>("Reassign", number, "agent");

        view = await supervisor.Hub.InvokeAsync<SupervisorView>("SupervisorSnapshot");
        Assert.That(view.Agents.Single(a => a.UserName == "agent").CurrentCases, Does.Contain(number));
    }

    [TestCase("12345")]
    [TestCase("not a number")]
    public async Task Hub_payloads_are_validated_like_http(string number)
    {
        await using var agent = await DesktopClient.ConnectAsync(App, "agent");
        var error = Assert.ThrowsAsync<HubException>(() => agent.Hub.InvokeAsync<CaseDetail>("AddNote", number, "x"));
        Assert.That(error!.Message, Does.Contain("not a valid case number"));
    }

    [Test]
    public async Task Refusals_are_worded_in_the_members_language()
    {
        var cookie = await DesktopClient.SignInAsync(App, "agent.fr");
        var hub = DesktopClient.Build(App, cookie + "; contact-lang=c%3Dfr%7Cuic%3Dfr");
        await hub.StartAsync();
        try
        {
            var error = Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<CaseDetail>("Resolve", Contact.Core.Cases.CaseNumber.WithCheckDigit("999999999"), "x"));
            Assert.That(error!.Message, Does.Contain("Il n'y a pas de cas"));
        }
        finally
        {
            await hub.DisposeAsync();
        }
    }
}
