using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Contact.Tests.Desktop;
using Contact.Tests.Infrastructure;

namespace Contact.Tests.Sla;

public sealed class SlaAdminApiTests : AppFixture
{
    private string _admin = null!;

    protected override async Task SetUpAppAsync()
    {
        _admin = await DesktopClient.SignInAsync(App, "admin");
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, object? body = null, string? cookie = null)
    {
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        if ((cookie ?? _admin) is { Length: > 0 } c)
        {
            request.Headers.Add("Cookie", c);
        }
        return await App.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false }).SendAsync(request);
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) => await response.Content.ReadFromJsonAsync<JsonElement>();

    private static object Policy(string category, string? priority, int firstResponse = 120, int resolution = 1440, string calendar = "always-open") => new
    {
        category, priority, calendar, firstResponseMinutes = firstResponse, resolutionMinutes = resolution,
        warningPercent = 75, secondBreachPercent = 200, escalationPhone = "613 555 0100",
    };

    [Test]
    public async Task Only_admins_may_read_the_policies()
    {
        var anonymous = await SendAsync(HttpMethod.Get, "/api/admin/sla/policies", cookie: "");
        Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        foreach (var user in new[] { "agent", "supervisor" })
        {
            var cookie = await DesktopClient.SignInAsync(App, user);
            var response = await SendAsync(HttpMethod.Get, "/api/admin/sla/policies", cookie: cookie);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), user);
        }
        var admin = await SendAsync(HttpMethod.Get, "/api/admin/sla/policies");
        Assert.That(admin.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await JsonAsync(admin)).GetArrayLength(), Is.GreaterThan(0));
    }

    [Test]
    public async Task An_admin_creates_a_policy_that_is_listed_and_audited_and_an_update_records_before_and_after()
    {
        var created = await SendAsync(HttpMethod.Post, "/api/admin/sla/policies", Policy("graffiti", "urgent"));
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), await created.Content.ReadAsStringAsync());
        var policy = await JsonAsync(created);
        var id = policy.GetProperty("id").GetInt32();
        Assert.That(policy.GetProperty("escalationPhone").GetString(), Is.EqualTo("+16135550100"));

        var list = await JsonAsync(await SendAsync(HttpMethod.Get, "/api/admin/sla/policies"));
        var listed = list.EnumerateArray().Single(p => p.GetProperty("id").GetInt32() == id);
        Assert.That(listed.GetProperty("category").GetString(), Is.EqualTo("graffiti"));
        Assert.That(listed.GetProperty("priority").GetString(), Is.EqualTo("urgent"));
        Assert.That(listed.GetProperty("calendar").GetString(), Is.EqualTo("always-open"));
        Assert.That(listed.GetProperty("firstResponseMinutes").GetInt32(), Is.EqualTo(120));
        Assert.That(listed.GetProperty("resolutionMinutes").GetInt32(), Is.EqualTo(1440));

        var audit = await JsonAsync(await SendAsync(HttpMethod.Get, $"/api/admin/sla/audit?entity=policy&id={id}"));
        Assert.That(audit.GetArrayLength(), Is.EqualTo(1));
        Assert.That(audit[0].GetProperty("action").GetString(), Is.EqualTo("created"));
        Assert.That(audit[0].GetProperty("actor").GetString(), Is.EqualTo("admin"));
        Assert.That(audit[0].GetProperty("before").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(audit[0].GetProperty("after").GetProperty("priority").GetString(), Is.EqualTo("urgent"));

        var updated = await SendAsync(HttpMethod.Put, $"/api/admin/sla/policies/{id}", Policy("graffiti", "urgent", firstResponse: 180, resolution: 2880));
        Assert.That(updated.StatusCode, Is.EqualTo(HttpStatusCode.OK), await updated.Content.ReadAsStringAsync());
        Assert.That((await JsonAsync(updated)).GetProperty("firstResponseMinutes").GetInt32(), Is.EqualTo(180));

        audit = await JsonAsync(await SendAsync(HttpMethod.Get, $"/api/admin/sla/audit?entity=policy&id={id}"));
        Assert.That(audit.EnumerateArray().Select(a => a.GetProperty("action").GetString()), Is.EqualTo(new[] { "updated", "created" }), "newest first");
        Assert.That(audit[0].GetProperty("actor").GetString(), Is.EqualTo("admin"));
        Assert.That(audit[0].GetProperty("before").GetProperty("first_response").GetString(), Is.EqualTo("02:00:00"));
        Assert.That(audit[0].GetProperty("after").GetProperty("first_response").GetString(), Is.EqualTo("03:00:00"));
        Assert.That(await App.ScalarAsync($"select count(*) from sla_audit where entity = 'policy' and entity_id = {id} and actor = 'admin'"), Is.EqualTo(2));
    }

    [Test]
    public async Task A_target_under_two_hours_is_refused_with_a_field_error_and_nothing_is_written()
    {
        var policies = await App.ScalarAsync("select count(*) from sla_policies");
        var audits = await App.ScalarAsync("select count(*) from sla_audit");

        var response = await SendAsync(HttpMethod.Post, "/api/admin/sla/policies", Policy("pothole", "urgent", firstResponse: 60));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var problem = await JsonAsync(response);
        Assert.That(problem.GetProperty("errors").TryGetProperty("firstResponseMinutes", out _), Is.True, problem.ToString());

        Assert.That(await App.ScalarAsync("select count(*) from sla_policies"), Is.EqualTo(policies));
        Assert.That(await App.ScalarAsync("select count(*) from sla_audit"), Is.EqualTo(audits));
    }

    [Test]
    public async Task A_calendar_in_an_unknown_time_zone_is_refused()
    {
        var response = await SendAsync(HttpMethod.Post, "/api/admin/sla/calendars", new
        {
            code = "nowhere", nameEn = "Nowhere", nameFr = "Nulle part", timeZone = "Mars/Olympus_Mons",
            hours = new { monday = new[] { new[] { "09:00", "17:00" } } },
        });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await JsonAsync(response)).GetProperty("errors").TryGetProperty("timeZone", out _), Is.True);
        Assert.That(await App.ScalarAsync("select count(*) from business_calendars where code = 'nowhere'"), Is.Zero);
    }

    [Test]
    public async Task A_second_policy_for_the_same_category_and_priority_is_a_conflict()
    {
        var first = await SendAsync(HttpMethod.Post, "/api/admin/sla/policies", Policy("pothole", "low", resolution: 10000, calendar: "city-hours"));
        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Created), await first.Content.ReadAsStringAsync());
        var audits = await App.ScalarAsync("select count(*) from sla_audit");

        var second = await SendAsync(HttpMethod.Post, "/api/admin/sla/policies", Policy("pothole", "low"));
        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(second.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(await App.ScalarAsync("select count(*) from sla_audit"), Is.EqualTo(audits));
    }

    [Test]
    public async Task A_policy_a_case_uses_cannot_be_deleted()
    {
        var number = await App.FileAsync();
        var policyId = await App.ScalarAsync($"select sla_policy_id from cases where number = '{number}'");

        var response = await SendAsync(HttpMethod.Delete, $"/api/admin/sla/policies/{policyId}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(await App.ScalarAsync($"select count(*) from sla_policies where id = {policyId}"), Is.EqualTo(1));
    }

    [Test]
    public async Task A_calendar_made_with_weekday_hours_shows_its_holiday()
    {
        var weekday = new[] { new[] { "09:00", "17:00" } };
        var created = await SendAsync(HttpMethod.Post, "/api/admin/sla/calendars", new
        {
            code = "library-hours", nameEn = "Library hours", nameFr = "Heures des bibliothèques", timeZone = "America/Toronto",
            hours = new { monday = weekday, tuesday = weekday, wednesday = weekday, thursday = weekday, friday = weekday },
        });
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), await created.Content.ReadAsStringAsync());

        var holiday = await SendAsync(HttpMethod.Post, "/api/admin/sla/calendars/library-hours/holidays",
            new { date = "2026-12-24", nameEn = "Christmas Eve", nameFr = "Veille de Noël" });
        Assert.That(holiday.StatusCode, Is.EqualTo(HttpStatusCode.Created), await holiday.Content.ReadAsStringAsync());

        var calendars = await JsonAsync(await SendAsync(HttpMethod.Get, "/api/admin/sla/calendars"));
        var library = calendars.EnumerateArray().Single(c => c.GetProperty("code").GetString() == "library-hours");
        Assert.That(library.GetProperty("timeZone").GetString(), Is.EqualTo("America/Toronto"));
        Assert.That(library.GetProperty("hours").GetProperty("friday")[0][1].GetString(), Is.EqualTo("17:00"));
        Assert.That(library.GetProperty("hours").TryGetProperty("saturday", out _), Is.False);
        Assert.That(library.GetProperty("holidays").EnumerateArray().Select(h => h.GetProperty("date").GetString()), Is.EqualTo(new[] { "2026-12-24" }));
        var calendarId = library.GetProperty("id").GetInt32();
        Assert.That(await App.ScalarAsync($"select count(*) from sla_audit where entity in ('calendar', 'holiday') and entity_id = {calendarId}"), Is.EqualTo(2));
    }

    [Test]
    public async Task Opening_hours_with_a_made_up_day_or_overlapping_stretches_are_refused()
    {
        var response = await SendAsync(HttpMethod.Post, "/api/admin/sla/calendars", new
        {
            code = "odd-hours", nameEn = "Odd", nameFr = "Bizarre", timeZone = "America/Toronto",
            hours = new Dictionary<string, string[][]> { ["funday"] = [["09:00", "17:00"]], ["monday"] = [["09:00", "12:00"], ["11:00", "13:00"]] },
        });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var errors = (await JsonAsync(response)).GetProperty("errors");
        Assert.That(errors.TryGetProperty("hours.funday", out _), Is.True, errors.ToString());

        response = await SendAsync(HttpMethod.Post, "/api/admin/sla/calendars", new
        {
            code = "odd-hours", nameEn = "Odd", nameFr = "Bizarre", timeZone = "America/Toronto",
            hours = new Dictionary<string, string[][]> { ["monday"] = [["09:00", "12:00"], ["11:00", "13:00"]], ["tuesday"] = [["17:00", "09:00"]] },
        });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await JsonAsync(response)).GetProperty("errors").TryGetProperty("hours", out _), Is.True);
        Assert.That(await App.ScalarAsync("select count(*) from business_calendars where code = 'odd-hours'"), Is.Zero);
    }

    [Test]
    public async Task A_holiday_given_twice_is_a_conflict_and_one_not_there_is_not_found_and_neither_is_audited()
    {
        var day = new { date = "2026-12-31", nameEn = "New Year's Eve", nameFr = "Veille du jour de l'An" };
        Assert.That((await SendAsync(HttpMethod.Post, "/api/admin/sla/calendars/always-open/holidays", day)).StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var audited = await App.ScalarAsync("select count(*) from sla_audit");

        var twice = await SendAsync(HttpMethod.Post, "/api/admin/sla/calendars/always-open/holidays", day);
        var missing = await SendAsync(HttpMethod.Delete, "/api/admin/sla/calendars/always-open/holidays/2026-07-02");
        var badDate = await SendAsync(HttpMethod.Delete, "/api/admin/sla/calendars/always-open/holidays/02-07-2026");
        var noCalendar = await SendAsync(HttpMethod.Post, "/api/admin/sla/calendars/no-such-calendar/holidays", day);

        Assert.That(twice.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That((await JsonAsync(twice)).GetProperty("detail").GetString(), Is.EqualTo("2026-12-31 is already a holiday of always-open."));
        Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(badDate.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await JsonAsync(badDate)).GetProperty("errors").TryGetProperty("date", out _), Is.True);
        Assert.That(noCalendar.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await JsonAsync(noCalendar)).GetProperty("title").GetString(), Is.EqualTo("No such calendar"));
        Assert.That(await App.ScalarAsync("select count(*) from sla_audit"), Is.EqualTo(audited), "a refused change writes no audit row");
        Assert.That(await App.ScalarAsync(
            "select count(*) from calendar_holidays h join business_calendars c on c.id = h.calendar_id where c.code = 'always-open' and h.date = '2026-12-31'"),
            Is.EqualTo(1));
    }

    [Test]
    public async Task A_policy_for_an_unknown_category_and_calendar_names_both_and_an_unknown_id_is_not_found()
    {
        var unknown = await SendAsync(HttpMethod.Post, "/api/admin/sla/policies", Policy("no-such-category", null, calendar: "no-such-calendar"));
        var noPolicy = await SendAsync(HttpMethod.Put, "/api/admin/sla/policies/999999", Policy("pothole", "low"));
        var badEntity = await SendAsync(HttpMethod.Get, "/api/admin/sla/audit?entity=case");

        Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var errors = (await JsonAsync(unknown)).GetProperty("errors");
        Assert.That(errors.GetProperty("category")[0].GetString(), Is.EqualTo("There is no category no-such-category."));
        Assert.That(errors.GetProperty("calendar")[0].GetString(), Is.EqualTo("There is no business calendar no-such-calendar."));
        Assert.That(noPolicy.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(badEntity.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }
}
