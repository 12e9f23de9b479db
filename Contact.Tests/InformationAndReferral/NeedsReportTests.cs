using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Contact.Core.Cases;
using Contact.Core.Desktop;
using Contact.Core.ResourceDirectory;
using Contact.Core.InformationAndReferral;
using Contact.Core.Staff;
using Contact.Tests.Desktop;
using Contact.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Contact.Tests.InformationAndReferral;

/// <summary>The needs report: what 211 callers needed over a period, met and unmet, by term and by reason.</summary>
public sealed class NeedsReportTests : AppFixture
{
    protected override async Task SetUpAppAsync()
    {
        var ir = App.Services.GetRequiredService<InformationReferral>();
        var work = App.Services.GetRequiredService<CaseWork>();
        var agent = (await App.Services.GetRequiredService<StaffDirectory>().FindAsync("agent"))!;
        var pantry = (await App.Services.GetRequiredService<DirectorySearch>().SearchAsync(new DirectoryQuery(Terms: ["BD-1800"], Limit: 1))).Hits.Single();

        async Task<string> CaseAsync()
        {
            var response = await App.CreateClient().PostAsJsonAsync("/api/cases", new { category = "general-211", language = "en", description = "Needs help this week" });
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            var number = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetString()!;
            await work.ClaimAsync(agent, number);
            return number;
        }

        // Three callers need food: one is referred to a pantry, one is not eligible, one waits; two need shelter and
        // find no bed.
        var fed = await CaseAsync();
        var need = await ir.RecordNeedAsync(agent, fed, "BD-1800");
        await ir.GiveReferralAsync(agent, fed, pantry.ServiceId, pantry.LocationId, need);
        var refused = await CaseAsync();
        await ir.MarkNeedUnmetAsync(agent, refused, await ir.RecordNeedAsync(agent, refused, "BD-1800"), "not_eligible", null);
        await ir.RecordNeedAsync(agent, await CaseAsync(), "BD-1800");
        foreach (var _ in Enumerable.Range(0, 2))
        {
            var number = await CaseAsync();
            await ir.MarkNeedUnmetAsync(agent, number, await ir.RecordNeedAsync(agent, number, "BH-1800"), "service_unavailable", "No bed tonight");
        }
    }

    private async Task<HttpResponseMessage> GetAsync(string url, string user, string? language = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("Cookie", await DesktopClient.SignInAsync(App, user));
        if (language is not null)
        {
            request.Headers.AcceptLanguage.ParseAdd(language);
        }
        return await App.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false }).SendAsync(request);
    }

    [Test]
    public async Task A_supervisor_sees_needs_met_and_unmet_by_term_and_reason_and_nothing_about_the_people()
    {
        var response = await GetAsync("/api/reports/needs", "supervisor");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var body = await response.Content.ReadAsStringAsync();
        var needs = JsonDocument.Parse(body).RootElement.GetProperty("needs").EnumerateArray().ToList();

        Assert.That(needs.Select(n => n.GetProperty("code").GetString()), Is.EqualTo(new[] { "BD-1800", "BH-1800" }), "most recorded first");
        var food = needs[0];
        Assert.That((food.GetProperty("recorded").GetInt32(), food.GetProperty("met").GetInt32(), food.GetProperty("unmet").GetInt32()), Is.EqualTo((3, 1, 1)));
        Assert.That(food.GetProperty("reasons").GetProperty("not_eligible").GetInt32(), Is.EqualTo(1));
        var shelter = needs[1];
        Assert.That((shelter.GetProperty("recorded").GetInt32(), shelter.GetProperty("unmet").GetInt32()), Is.EqualTo((2, 2)));
        Assert.That(shelter.GetProperty("reasons").GetProperty("service_unavailable").GetInt32(), Is.EqualTo(2));
        Assert.That(body, Does.Not.Contain("No bed tonight").And.Not.Contain("number"), "counts only: no notes, no case numbers");
    }

    [Test]
    public async Task A_period_before_the_needs_counts_nothing_and_agents_may_not_read_the_report()
    {
        var before = await GetAsync("/api/reports/needs?from=2020-01-01&to=2020-02-01", "supervisor");
        Assert.That(before.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await before.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("needs").GetArrayLength(), Is.Zero);

        Assert.That((await GetAsync("/api/reports/needs", "agent")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [TestCase("from=yesterday", "from", "en", "Give from as a date")]
    [TestCase("from=2026-11-01T00:00:00", "from", "fr", "Indiquez from sous forme de date")]
    [TestCase("from=2026-03-01&to=2026-02-01", "to", "en", "ends after it starts")]
    [TestCase("from=2024-01-01&to=2026-01-01", "to", "en", "at most 366 days")]
    public async Task A_bad_period_is_a_validation_problem_naming_the_parameter(string query, string field, string language, string message)
    {
        var response = await GetAsync("/api/reports/needs?" + query, "supervisor", language);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(problem.GetProperty("errors").GetProperty(field)[0].GetString(), Does.Contain(message));
    }
}
