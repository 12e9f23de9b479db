using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Contact.Core.Desktop;
using Contact.Core.Staff;
using Contact.Tests.Desktop;
using Contact.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Contact.Tests.LifeEvents;

/// <summary>Tell us once through the JSON API: one request, one referral per service, each provider seeing only its packet.</summary>
public sealed class LifeEventApiTests : AppFixture
{
    protected override async Task SetUpAppAsync()
    {
        var staff = App.Services.GetRequiredService<StaffDirectory>();
        await staff.CreateAsync(new NewStaffMember("ontario.desk", "Ontario Desk", Roles.Provider, "right-password", ProviderCode: "serviceontario"));
        await staff.CreateAsync(new NewStaffMember("cra.desk", "CRA Desk", Roles.Provider, "right-password", ProviderCode: "cra"));
        await staff.CreateAsync(new NewStaffMember("ramq.desk", "RAMQ Desk", Roles.Provider, "right-password", ProviderCode: "ramq"));
    }

    private static Dictionary<string, object?> Move(string? phone = "613 555 0142", Dictionary<string, object?>? shared = null, string[]? services = null,
        Dictionary<string, object>? answers = null) => new()
    {
        ["language"] = "en",
        ["shared"] = shared ?? new Dictionary<string, object?>
        {
            ["old_address"] = "12 Old Road, Gatineau QC J8X 1A1",
            ["new_address"] = "340 Laurier Ave W, Ottawa ON K1P 1J1",
            ["date"] = "2026-12-20",
            ["people"] = 3,
        },
        ["services"] = services,
        ["answers"] = answers ?? new Dictionary<string, object>
        {
            ["water-account"] = new Dictionary<string, object> { ["request"] = "start" },
            ["parking-permit"] = new Dictionary<string, object> { ["plate"] = "CABC 123", ["permit"] = "new" },
            ["ramq-move"] = new Dictionary<string, object> { ["direction"] = "qc-to-on" },
        },
        ["name"] = "Robin Mover",
        ["phone"] = phone,
        ["email"] = "robin@example.org",
        ["notify"] = phone is not null,
    };

    private async Task<string> FileMoveAsync(Dictionary<string, object?>? body = null)
    {
        var response = await Client.PostAsJsonAsync("/api/life-events/moving", body ?? Move());
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetString()!;
    }

    private Task<string> PacketAsync(string number, string service) => App.TextAsync($"""
        select r.packet::text from referrals r join cases c on c.id = r.case_id join categories k on k.id = r.category_id
        where c.number = '{number}' and k.code = '{service}'
        """);

    private static HashSet<string> Keys(JsonElement e) => [.. e.EnumerateObject().Select(p => p.Name)];

    [Test]
    public async Task A_move_told_once_is_one_case_with_a_referral_per_service_each_carrying_only_what_it_receives()
    {
        var response = await Client.PostAsJsonAsync("/api/life-events/moving", Move());

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var number = body.GetProperty("number").GetString()!;
        Assert.That(body.GetProperty("status").GetString(), Is.EqualTo("referred"));
        var services = body.GetProperty("services").EnumerateArray().ToList();
        Assert.That(services, Has.Count.EqualTo(8));
        Assert.That(services.Single(s => s.GetProperty("category").GetString() == "cra-address").GetProperty("deliveredBy").GetString(),
            Is.EqualTo("Government of Canada · Canada Revenue Agency"));
        Assert.That(services.Single(s => s.GetProperty("category").GetString() == "health-card").GetProperty("deliveredBy").GetString(),
            Is.EqualTo("Province of Ontario · ServiceOntario"));

        var rows = await App.TextAsync($"""
            select string_agg(k.code || ':' || p.code || ':' || r.status, ',' order by k.code)
            from referrals r join cases c on c.id = r.case_id join categories k on k.id = r.category_id join providers p on p.id = r.provider_id
            where c.number = '{number}'
            """);
        Assert.That(rows!.Split(','), Is.EquivalentTo(new[]
        {
            "cra-address:cra:sent", "driver-licence:serviceontario:sent", "health-card:serviceontario:sent", "parking-permit:city-bylaw:sent",
            "property-tax:city-revenue:sent", "ramq-move:ramq:review", "waste-new-address:city-solid-waste:sent", "water-account:city-revenue:sent",
        }));
        // Each referral has its own service standard, from its service's policy.
        Assert.That(await App.ScalarAsync($"select count(*) from referrals r join cases c on c.id = r.case_id where c.number = '{number}' and r.due_at > c.created_at"), Is.EqualTo(8));
        // Four orders of government and providers: the City, Ontario, Quebec and Canada.
        Assert.That(await App.ScalarAsync($"""
            select count(distinct p.level) from referrals r join cases c on c.id = r.case_id join providers p on p.id = r.provider_id where c.number = '{number}'
            """), Is.EqualTo(3));

        using var cra = JsonDocument.Parse(await PacketAsync(number, "cra-address"));
        Assert.That(Keys(cra.RootElement.GetProperty("shared")), Is.EquivalentTo(new[] { "new_address", "date" }));
        Assert.That(Keys(cra.RootElement.GetProperty("resident")), Is.EquivalentTo(new[] { "name" }));
        Assert.That(cra.RootElement.GetRawText(), Does.Not.Contain("Gatineau").And.Not.Contain("555").And.Not.Contain("robin@"));
        using var health = JsonDocument.Parse(await PacketAsync(number, "health-card"));
        Assert.That(health.RootElement.GetProperty("answers").GetProperty("need").GetString(), Is.EqualTo("address"), "a move is an address change, not asked");
        Assert.That(health.RootElement.GetProperty("shared").GetProperty("people").GetString(), Is.EqualTo("3"));
        Assert.That(Keys(health.RootElement.GetProperty("resident")), Is.EquivalentTo(new[] { "name", "phone" }));
        using var parking = JsonDocument.Parse(await PacketAsync(number, "parking-permit"));
        Assert.That(parking.RootElement.GetProperty("answers").GetProperty("plate").GetString(), Is.EqualTo("CABC 123"));
        using var water = JsonDocument.Parse(await PacketAsync(number, "water-account"));
        Assert.That(water.RootElement.GetProperty("answers").GetProperty("date").GetString(), Does.StartWith("2026-12-20"), "the shared date answers the service's own date question");

        // One history entry per provider reached, each naming only its own services; the one held for review is staff-only.
        Assert.That(await App.ScalarAsync($"select count(*) from case_events e join cases c on c.id = e.case_id where c.number = '{number}' and e.kind = 'referred'"), Is.EqualTo(5));
        Assert.That(await App.ScalarAsync($"select count(*) from case_events e join cases c on c.id = e.case_id where c.number = '{number}' and e.kind = 'review_needed' and not e.is_public"), Is.EqualTo(1));
        // The resident is told once, in one text, where it went.
        var text = await App.TextAsync($"select string_agg(o.body, '|') from outbox o join cases c on c.id = o.case_id where c.number = '{number}'");
        Assert.That(text, Does.Contain(number).And.Contain("Canada Revenue Agency").And.Contain("1 more"));
        Assert.That(text!.Split('|'), Has.Length.EqualTo(1));
    }

    [Test]
    public async Task Bad_input_gets_an_error_per_field_and_writes_nothing()
    {
        var before = await App.ScalarAsync("select count(*) from cases");
        var referrals = await App.ScalarAsync("select count(*) from referrals");
        var body = Move(shared: new Dictionary<string, object?> { ["old_address"] = "12 Old Road", ["date"] = "not a date" },
            services: ["cra-address", "passport", "health-card"],
            answers: new Dictionary<string, object> { ["water-account"] = new Dictionary<string, object> { ["request"] = "start" } });

        var response = await Client.PostAsJsonAsync("/api/life-events/moving", body);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.That(Keys(errors), Is.SupersetOf(new[] { "services", "services.water-account", "shared.new_address", "shared.date" }));
        Assert.That(errors.GetProperty("shared.new_address")[0].GetString(), Does.Contain("Your new address"));
        Assert.That(errors.GetProperty("services")[0].GetString(), Does.Contain("passport"));
        Assert.That(await App.ScalarAsync("select count(*) from cases"), Is.EqualTo(before));
        Assert.That(await App.ScalarAsync("select count(*) from referrals"), Is.EqualTo(referrals));

        var none = await Client.PostAsJsonAsync("/api/life-events/moving", Move(services: []));
        Assert.That((await none.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("services")[0].GetString(),
            Is.EqualTo("Choose at least one service."));
        var unknown = await Client.PostAsJsonAsync("/api/life-events/winning-the-lottery", Move());
        Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await App.ScalarAsync("select count(*) from cases"), Is.EqualTo(before));
    }

    [Test]
    public async Task A_body_that_is_not_a_life_event_gets_a_clear_answer_and_writes_nothing()
    {
        var before = await App.ScalarAsync("select count(*) from cases");
        var plain = await Client.PostAsync("/api/life-events/moving", new StringContent("moving to Ottawa"));
        var broken = await Client.PostAsync("/api/life-events/moving", new StringContent("{\"shared\": {", System.Text.Encoding.UTF8, "application/json"));
        var shaped = await Client.PostAsync("/api/life-events/moving", new StringContent("""{"shared": {"new_address": {"street": "Laurier"}}}""", System.Text.Encoding.UTF8, "application/json"));

        Assert.That(plain.StatusCode, Is.EqualTo(HttpStatusCode.UnsupportedMediaType));
        Assert.That(broken.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(shaped.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(Keys((await shaped.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors")), Does.Contain("shared.new_address"));
        Assert.That(await App.ScalarAsync("select count(*) from cases"), Is.EqualTo(before));
    }

    [Test]
    public async Task Only_the_shared_answers_a_chosen_service_receives_are_asked_and_kept()
    {
        // The CRA alone: the old address and the number of people are not asked, and not kept when given.
        var body = Move(services: ["cra-address"], answers: []);
        var number = await FileMoveAsync(body);

        var answers = await App.TextAsync($"select answers::text from cases where number = '{number}'");
        Assert.That(answers, Does.Not.Contain("Gatineau").And.Not.Contain("people"));
        Assert.That(await App.ScalarAsync($"select count(*) from referrals r join cases c on c.id = r.case_id where c.number = '{number}'"), Is.EqualTo(1));
    }

    [Test]
    public async Task A_retried_submission_with_the_same_key_makes_no_second_case()
    {
        var key = "move-" + Guid.NewGuid();
        HttpRequestMessage Post() => new(HttpMethod.Post, "/api/life-events/moving") { Content = JsonContent.Create(Move()), Headers = { { "Idempotency-Key", key } } };
        var before = await App.ScalarAsync("select count(*) from cases");

        var first = await Client.SendAsync(Post());
        var second = await Client.SendAsync(Post());

        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetString(),
            Is.EqualTo((await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetString()));
        Assert.That(await App.ScalarAsync("select count(*) from cases"), Is.EqualTo(before + 1));
        Assert.That(await App.ScalarAsync($"select count(*) from referrals r join cases c on c.id = r.case_id where c.idempotency_key = '{key}'"), Is.EqualTo(8));
    }

    [Test]
    public async Task Each_provider_sees_only_its_own_packet_and_a_held_referral_only_once_an_agent_sends_it()
    {
        var number = await FileMoveAsync();
        await using var ontario = await DesktopClient.ConnectAsync(App, "ontario.desk", "right-password");
        await using var cra = await DesktopClient.ConnectAsync(App, "cra.desk", "right-password");
        await using var ramq = await DesktopClient.ConnectAsync(App, "ramq.desk", "right-password");
        await using var agent = await DesktopClient.ConnectAsync(App, "agent");

        var seenByOntario = await ontario.Hub.InvokeAsync<CaseDetail>("OpenCase", number);
        var ontarioText = JsonSerializer.Serialize(seenByOntario);
        Assert.That(seenByOntario.Referrals.Select(r => r.Category), Is.EquivalentTo(new[] { "health-card", "driver-licence" }));
        Assert.That(ontarioText, Does.Contain("340 Laurier Ave W").And.Contain("Gatineau"));
        Assert.That(ontarioText, Does.Not.Contain("CABC 123").And.Not.Contain("robin@example.org"), "no other service's answers, no email it does not receive");
        Assert.That(seenByOntario.Resident.Phone, Is.EqualTo("+16135550142"));
        Assert.That(seenByOntario.Resident.Email, Is.Null);

        var seenByCra = await cra.Hub.InvokeAsync<CaseDetail>("OpenCase", number);
        var craText = JsonSerializer.Serialize(seenByCra);
        Assert.That(craText, Does.Contain("340 Laurier Ave W").And.Contain("Robin Mover"));
        Assert.That(craText, Does.Not.Contain("Gatineau").And.Not.Contain("CABC 123").And.Not.Contain("5550142").And.Not.Contain("ServiceOntario"));
        Assert.That(seenByCra.History.Select(h => h.Text), Has.None.Contains("ServiceOntario").And.None.Contains("serviceontario"));

        // RAMQ's referral waits for an agent: RAMQ cannot open the case until it is sent.
        Assert.ThrowsAsync<HubException>(() => ramq.Hub.InvokeAsync<CaseDetail>("OpenCase", number));
        Assert.That((await ramq.Hub.InvokeAsync<Contact.Agent.Desktop.DesktopSnapshot>("Snapshot")).Referrals, Has.None.Matches<ReferralView>(r => r.CaseNumber == number));
        await agent.Hub.InvokeAsync<CaseDetail>("Claim", number);
        await agent.Hub.InvokeAsync<CaseDetail>("SendReviewedReferrals", number);
        var seenByRamq = await ramq.Hub.InvokeAsync<CaseDetail>("OpenCase", number);
        Assert.That(seenByRamq.Referrals.Single().Category, Is.EqualTo("ramq-move"));
        Assert.That(JsonSerializer.Serialize(seenByRamq), Does.Contain("Gatineau").And.Not.Contain("CABC 123"));
        var ex = Assert.ThrowsAsync<HubException>(() => agent.Hub.InvokeAsync<CaseDetail>("SendReviewedReferrals", number));
        Assert.That(ex!.Message, Does.Contain("no referral waiting for review"));
    }

    [Test]
    public async Task The_case_resolves_when_every_referral_is_done_and_the_resident_hears_each_once()
    {
        var number = await FileMoveAsync(Move(services: ["health-card", "cra-address"], answers: []));
        await using var ontario = await DesktopClient.ConnectAsync(App, "ontario.desk", "right-password");
        await using var cra = await DesktopClient.ConnectAsync(App, "cra.desk", "right-password");
        long Id(CaseDetail d) => d.Referrals.Single().Id;
        var health = Id(await ontario.Hub.InvokeAsync<CaseDetail>("OpenCase", number));
        var tax = Id(await cra.Hub.InvokeAsync<CaseDetail>("OpenCase", number));

        await ontario.Hub.InvokeAsync<ReferralView>("AcceptReferral", health, "");
        await cra.Hub.InvokeAsync<ReferralView>("DeclineReferral", tax, "Change it in My Account instead");
        Assert.That(await App.TextAsync($"select status from cases where number = '{number}'"), Is.EqualTo("referred"));
        await ontario.Hub.InvokeAsync<ReferralView>("CompleteReferral", health, "Address changed");

        Assert.That(await App.TextAsync($"select status from cases where number = '{number}'"), Is.EqualTo("resolved"));
        var texts = (await App.TextAsync($"select string_agg(o.kind || '=' || o.body, '|' order by o.id) from outbox o join cases c on c.id = o.case_id where c.number = '{number}'"))!.Split('|');
        Assert.That(texts.Select(t => t.Split('=')[0]), Is.EqualTo(new[] { "life_event.received", "life_event.declined", "life_event.completed_all" }));
        Assert.That(texts[1], Does.Contain("Canada Revenue Agency").And.Contain("My Account"));
        Assert.That(texts[2], Does.Contain("ServiceOntario").And.Contain("Every part of your request is now done"));
    }

    [Test]
    public async Task A_provider_that_no_longer_serves_a_service_is_named_and_nothing_is_written()
    {
        var before = await App.ScalarAsync("select count(*) from cases");
        await App.ScalarAsync("with u as (update providers set active = false where code = 'cra' returning 1) select count(*) from u");
        try
        {
            var response = await Client.PostAsJsonAsync("/api/life-events/moving", Move(services: ["health-card", "cra-address"], answers: []));

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
            Assert.That(errors.GetProperty("services.cra-address")[0].GetString(), Does.Contain("Change your address with the Canada Revenue Agency"));
            Assert.That(await App.ScalarAsync("select count(*) from cases"), Is.EqualTo(before));
        }
        finally
        {
            await App.ScalarAsync("with u as (update providers set active = true where code = 'cra' returning 1) select count(*) from u");
        }
    }

    [Test]
    public async Task The_definition_names_who_delivers_each_service_and_what_it_receives()
    {
        var definition = await Client.GetFromJsonAsync<JsonElement>("/api/life-events/moving");
        var cra = definition.GetProperty("services").EnumerateArray().Single(s => s.GetProperty("category").GetString() == "cra-address");
        Assert.That(cra.GetProperty("deliveredBy").GetProperty("fr").GetString(), Is.EqualTo("Gouvernement du Canada · Agence du revenu du Canada"));
        Assert.That(cra.GetProperty("receives").EnumerateArray().Select(x => x.GetString()), Is.EqualTo(new[] { "name", "new_address", "date" }));
        var health = definition.GetProperty("services").EnumerateArray().Single(s => s.GetProperty("category").GetString() == "health-card");
        Assert.That(health.GetProperty("questions").GetArrayLength(), Is.EqualTo(0), "the move answers the health card's own question");
        var all = await Client.GetFromJsonAsync<JsonElement>("/api/life-events");
        Assert.That(all.EnumerateArray().Select(e => e.GetProperty("code").GetString()), Is.EqualTo(new[] { "moving", "new-baby", "death", "losing-a-job" }));
    }
}
