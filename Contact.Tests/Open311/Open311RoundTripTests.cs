using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Xml.Linq;
using Contact.Core.Catalog;
using Contact.Core.Desktop;
using Contact.Tests.Desktop;
using Contact.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Contact.Tests.Open311;

/// <summary>Open311 and the desktop on one case store; and what GET never shows.</summary>
public sealed class Open311RoundTripTests : AppFixture
{
    [Test]
    public async Task A_request_located_only_by_an_address_id_shows_that_id_on_the_desktop()
    {
        var id = await Client.FileAsync(("lat", null), ("long", null), ("address_string", null), ("address_id", "OTT-ADDR-778812"));
        await using var agent = await DesktopClient.ConnectAsync(App, "agent");

        var detail = await agent.Hub.InvokeAsync<CaseDetail>("Claim", id);

        Assert.That((detail.Address, detail.Latitude, detail.AddressId), Is.EqualTo(((string?)null, (double?)null, "OTT-ADDR-778812")));
    }

    [Test]
    public async Task A_request_stays_open_data_after_its_category_is_retired_from_the_catalog()
    {
        await using var app = await ContactFactory.CreateAsync();
        using var client = app.CreateClient();
        var id = await client.FileAsync();
        // Retired: the catalog no longer offers it (one statement, returning the rows it changed).
        Assert.That(await app.ScalarAsync("with r as (update categories set active = false where code = 'pothole' returning 1) select count(*) from r"), Is.EqualTo(1));
        app.Services.GetRequiredService<CatalogStore>().Invalidate();
        Assert.That((await client.GetJsonAsync("services.json")).EnumerateArray().Select(s => s.GetProperty("service_code").GetString()), Does.Not.Contain("pothole"));

        var all = await client.GetJsonAsync("requests.json");
        Assert.That(all.EnumerateArray().Select(r => r.GetProperty("service_request_id").GetString()), Does.Contain(id));
        var byCode = await client.GetJsonAsync("requests.json?service_code=pothole");
        Assert.That(byCode.EnumerateArray().Select(r => r.GetProperty("service_request_id").GetString()), Is.EqualTo(new[] { id }));
    }

    [Test]
    public async Task A_request_filed_through_open311_reaches_the_agent_queue_and_the_agents_work_shows_in_get_requests_and_notes()
    {
        var id = await Client.FileAsync(("service_code", "fallen-tree"), ("attribute[size]", null), ("attribute[blocking]", "road"), ("attribute[wires]", "no"));
        await using var agent = await DesktopClient.ConnectAsync(App, "agent");

        var snapshot = await agent.Hub.InvokeAsync<JsonElement>("Snapshot");
        var queued = snapshot.GetProperty("queue").EnumerateArray().Single(q => q.GetProperty("number").GetString() == id);
        Assert.That(queued.GetProperty("channel").GetString(), Is.EqualTo("open311"));
        Assert.That(queued.GetProperty("queue").GetString(), Is.EqualTo("311-en"));

        await agent.Hub.InvokeAsync<CaseDetail>("Claim", id);
        await agent.Hub.InvokeAsync<CaseDetail>("Refer", id, new[] { "city-forestry" }, "Crew needed with a chipper");
        var referred = (await Client.GetXmlAsync($"requests.xml?service_request_id={id}&extensions=true")).Element("request")!;
        Assert.That(referred.Text("status"), Is.EqualTo("open"));
        Assert.That(referred.Text("status_notes"), Is.Empty, "a referral's note is for the provider, not the public");
        Assert.That(referred.ToString(), Does.Not.Contain("chipper"));
        Assert.That(referred.Text("agency_responsible"), Does.Contain("Forestry"));
        Assert.That(referred.Element("extended_attributes")!.Element("referred_to")!.Elements("provider").Select(p => p.Value), Is.EqualTo(new[] { "city-forestry" }));
        Assert.That(referred.Element("extended_attributes")!.Text("channel"), Is.EqualTo("open311"));

        await agent.Hub.InvokeAsync<CaseDetail>("Resolve", id, "Tree removed and road reopened");

        var json = await Client.GetJsonAsync($"requests.json?service_code=fallen-tree&status=closed&extensions=true");
        var request = json.EnumerateArray().Single(r => r.GetProperty("service_request_id").GetString() == id);
        Assert.That(request.GetProperty("status").GetString(), Is.EqualTo("closed"));
        Assert.That(request.GetProperty("status_notes").GetString(), Is.EqualTo("Tree removed and road reopened"));
        Assert.That(request.GetProperty("expected_datetime").ValueKind, Is.EqualTo(JsonValueKind.Null), "a closed request expects nothing more");
        var notes = request.GetProperty("notes").EnumerateArray().ToList();
        Assert.That(notes.Select(n => n.GetProperty("type").GetString()), Is.EqualTo(new[] { "opened", "referred", "closed" }));
        Assert.That(notes[2].GetProperty("description").GetString(), Is.EqualTo("Tree removed and road reopened"));
        Assert.That(notes[1].GetProperty("description").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(notes.Select(n => n.GetProperty("summary").GetString()), Has.None.Empty);
        Assert.That(request.GetProperty("updated_datetime").GetString(), Is.EqualTo(notes[2].GetProperty("datetime").GetString()), "updated when it was closed");
        var open = await Client.GetJsonAsync($"requests.json?service_code=fallen-tree&status=open");
        Assert.That(open.EnumerateArray().Select(r => r.GetProperty("service_request_id").GetString()), Has.None.EqualTo(id));
    }

    [Test]
    public async Task A_merged_duplicate_names_its_parent_request()
    {
        var original = await Client.FileAsync(("service_code", "dead-animal"), ("attribute[size]", "small"));
        var duplicate = await Client.FileAsync(("service_code", "dead-animal"), ("attribute[size]", "small"));
        await using var agent = await DesktopClient.ConnectAsync(App, "agent");
        await agent.Hub.InvokeAsync<CaseDetail>("Claim", duplicate);
        await agent.Hub.InvokeAsync<CaseDetail>("Merge", duplicate, original);

        var request = (await Client.GetXmlAsync($"requests/{duplicate}.xml?extensions=true")).Element("request")!;
        Assert.That(request.Element("extended_attributes")!.Text("duplicate_of"), Is.EqualTo(original));
        Assert.That(request.Element("notes")!.Elements("note").Select(n => n.Text("type")), Does.Contain("closed as duplicate"));
        var plain = (await Client.GetXmlAsync($"requests/{duplicate}.xml")).Element("request")!;
        Assert.That(plain.Element("extended_attributes"), Is.Null, "extensions only when asked for");
    }

    [Test]
    public async Task A_request_merged_into_a_private_case_never_shows_that_cases_number()
    {
        using var web = App.CreateClient();
        var created = await web.PostAsJsonAsync("/api/cases", new { category = "noise-complaint", language = "en", address = "40 Elgin St", answers = new { type = "music" } });
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), await created.Content.ReadAsStringAsync());
        var noise = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetString()!;
        var duplicate = await Client.FileAsync();
        await using (var agent = await DesktopClient.ConnectAsync(App, "agent"))
        {
            await agent.Hub.InvokeAsync<CaseDetail>("Claim", duplicate);
            await agent.Hub.InvokeAsync<CaseDetail>("Merge", duplicate, noise);
        }

        foreach (var path in new[] { $"requests/{duplicate}.json?extensions=true", $"requests/{duplicate}.xml?extensions=true" })
        {
            var body = await Client.GetStringAsync(Open311Client.Base + path);
            Assert.That(body, Does.Contain(duplicate).And.Not.Contain(noise), path);
        }
        var request = (await Client.GetJsonAsync($"requests/{duplicate}.json?extensions=true"))[0];
        Assert.That(request.GetProperty("status").GetString(), Is.EqualTo("closed"));
        Assert.That(request.GetProperty("extended_attributes").GetProperty("duplicate_of").ValueKind, Is.EqualTo(JsonValueKind.Null));
        var merged = request.GetProperty("notes").EnumerateArray().Single(n => n.GetProperty("type").GetString() == "closed as duplicate");
        Assert.That(merged.GetProperty("summary").GetString(), Is.EqualTo("Merged into another request about the same problem."));
    }

    [Test]
    public async Task Personal_data_and_private_notes_never_appear_in_any_get_response()
    {
        const string First = "Zebulon", Last = "Quixotic", Phone = "613-555-0177", Email = "zebulon.q@example.org";
        const string Device = "device-7f3a9c", Account = "account-55821", Secret = "Resident is recovering from surgery";
        var response = await (await Client.PostRequestAsync("json", Open311Client.Pothole(("first_name", First), ("last_name", Last), ("phone", Phone),
            ("email", Email), ("device_id", Device), ("account_id", Account)))).JsonAsync();
        var id = response[0].GetProperty("service_request_id").GetString()!;
        var token = response[0].GetProperty("token").GetString()!;
        await using (var agent = await DesktopClient.ConnectAsync(App, "agent"))
        {
            await agent.Hub.InvokeAsync<CaseDetail>("Claim", id);
            await agent.Hub.InvokeAsync<CaseDetail>("AddNote", id, Secret);
            await agent.Hub.InvokeAsync<CaseDetail>("SetWaiting", id, "Asked for a photo");
        }

        string[] paths =
        [
            $"requests.xml", $"requests.json", $"requests.xml?extensions=true", $"requests.json?extensions=true&service_code=pothole",
            $"requests/{id}.xml?extensions=true", $"requests/{id}.json?extensions=true", $"requests.json?service_request_id={id}&extensions=true",
            $"requests/{id}.xml", $"requests/{id}.json", $"requests.xml?service_request_id={id}&extensions=true",
            $"tokens/{token}.xml", $"tokens/{token}.json", "services.xml", "services.json", "services/pothole.xml", "services/pothole.json",
            "discovery.xml", "discovery.json",
        ];
        var seen = 0;
        foreach (var path in paths)
        {
            var body = await Client.GetStringAsync(Open311Client.Base + path);
            seen += body.Contains(id, StringComparison.Ordinal) ? 1 : 0;
            Assert.That(body, Does.Not.Contain(First).And.Not.Contain(Last).And.Not.Contain(Email)
                .And.Not.Contain(Phone).And.Not.Contain("6135550177").And.Not.Contain(Device).And.Not.Contain(Account).And.Not.Contain(Secret), path);
        }
        Assert.That(seen, Is.EqualTo(12), "the request itself is listed by every request and token path");
    }

    [Test]
    public async Task Cases_in_211_and_private_categories_are_never_listed_even_by_number()
    {
        var web = App.CreateClient();
        async Task<string> FileOnWebAsync(object body)
        {
            var created = await web.PostAsJsonAsync("/api/cases", body);
            Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), await created.Content.ReadAsStringAsync());
            return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetString()!;
        }
        var foodBank = await FileOnWebAsync(new { category = "food-bank", language = "en", answers = new { household = "3" }, phone = "613-555-0166" });
        var noise = await FileOnWebAsync(new { category = "noise-complaint", language = "en", address = "12 Elgin St", answers = new { type = "music" } });
        var pothole = await Client.FileAsync();

        var xml = await Client.GetXmlAsync($"requests.xml?service_request_id={foodBank},{noise},{pothole}");
        Assert.That(xml.Elements("request").Select(r => r.Text("service_request_id")), Is.EqualTo(new[] { pothole }));
        var all = await Client.GetJsonAsync("requests.json?page_size=500");
        Assert.That(all.EnumerateArray().Select(r => r.GetProperty("service_request_id").GetString()), Has.None.AnyOf(foodBank, noise).And.Contain(pothole));
        await (await Client.GetAsync(Open311Client.Base + $"requests/{foodBank}.xml")).XmlErrorsAsync(HttpStatusCode.NotFound);
        await (await Client.GetAsync(Open311Client.Base + $"requests/{noise}.json")).JsonErrorsAsync(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task The_rate_limit_applies_per_address_for_reads_and_per_key_for_filing()
    {
        await using var app = await ContactFactory.CreateAsync(new Dictionary<string, string?> { ["RateLimits:Open311PerMinute"] = "2" });
        using var client = app.CreateClient();
        await client.GetXmlAsync("services.xml");
        await client.GetXmlAsync("services.xml");
        var limited = await client.GetAsync(Open311Client.Base + "services.xml");
        await limited.XmlErrorsAsync(HttpStatusCode.TooManyRequests);
        Assert.That(limited.Headers.RetryAfter, Is.Not.Null);

        // Filing counts against the key, not the address the reads used up.
        await client.FileAsync();
        await client.FileAsync();
        var before = await app.CasesAsync();
        await (await client.PostRequestAsync("json", Open311Client.Pothole())).JsonErrorsAsync(HttpStatusCode.TooManyRequests);
        Assert.That(await app.CasesAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task A_made_up_key_counts_against_the_address_and_a_good_key_against_itself_for_reads_too()
    {
        await using var app = await ContactFactory.CreateAsync(new Dictionary<string, string?> { ["RateLimits:Open311PerMinute"] = "2" });
        using var client = app.CreateClient();
        await client.GetXmlAsync("services.xml");
        await client.GetXmlAsync("services.xml");
        var before = await app.CasesAsync();

        // A new key each time is still the same address: no fresh allowance from inventing keys.
        await (await client.PostRequestAsync("xml", Open311Client.Pothole(("api_key", "made-up-1")))).XmlErrorsAsync(HttpStatusCode.TooManyRequests);
        await (await client.PostRequestAsync("json", Open311Client.Pothole(("api_key", "made-up-2")))).JsonErrorsAsync(HttpStatusCode.TooManyRequests);
        await (await client.GetAsync(Open311Client.Base + "requests.json?api_key=made-up-3")).JsonErrorsAsync(HttpStatusCode.TooManyRequests);
        Assert.That(await app.CasesAsync(), Is.EqualTo(before));

        // The demo key has an allowance of its own, shared by its reads and its filings.
        await client.GetJsonAsync("requests.json?api_key=" + Open311Client.DemoKey);
        await client.FileAsync();
        await (await client.GetAsync(Open311Client.Base + "requests.xml?api_key=" + Open311Client.DemoKey)).XmlErrorsAsync(HttpStatusCode.TooManyRequests);
    }
}
