using System.Net.Http.Json;
using System.Text.Json;
using Contact.Core.Cases;
using Contact.Core.Catalog;
using Contact.Core.Desktop;
using Contact.Core.Infrastructure;
using Contact.Core.Sla;
using Contact.Core.Staff;
using Contact.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Contact.Tests.Sla;

public sealed class SlaClockTests
{
    private static readonly TimeZoneInfo Ottawa = TimeZoneInfo.FindSystemTimeZoneById("America/Toronto");
    private NpgsqlDataSource _db = null!;
    private FakeTimeProvider _clock = null!;
    private CaseIntake _intake = null!;
    private CaseWork _work = null!;
    private StaffMember _agent = null!;

    private static DateTimeOffset Local(int year, int month, int day, int hour, int minute) =>
        new(new DateTime(year, month, day, hour, minute, 0), Ottawa.GetUtcOffset(new DateTime(year, month, day, hour, minute, 0)));

    [SetUp]
    public async Task SetUpAsync()
    {
        _db = NpgsqlDataSource.Create(await TestDatabase.CloneAsync());
        // Friday 27 November 2026, 15:30 in Ottawa.
        _clock = new FakeTimeProvider(Local(2026, 11, 27, 15, 30).ToUniversalTime());
        var sla = new SlaStore(_db, _clock);
        var changes = new ChangeFeed(_db);
        _intake = new CaseIntake(new CatalogStore(_db, _clock), new CaseCommands(_db, _clock, changes, Nothing.Outbox, sla, Nothing.SlaTimers),
            NullLogger<CaseIntake>.Instance);
        _work = new CaseWork(_db, _clock, changes, Nothing.Outbox, sla, new SlaEscalator(_db, sla, _clock, changes, Nothing.Outbox), Nothing.SlaTimers);
        _agent = await new StaffDirectory(_db, _clock, changes).CreateAsync(new NewStaffMember("sla.agent", "SLA Agent", Roles.Agent, "pw-sla"));
    }

    [TearDown]
    public async Task TearDownAsync() => await _db.DisposeAsync();

    private async Task<string> PotholeAsync()
    {
        var result = await _intake.SubmitAsync(new NewCase("pothole", "web", "en",
            Answers: new Dictionary<string, IReadOnlyList<string>> { ["size"] = ["small"] }, Address: "1 Main St"), "resident");
        Assert.That(result.Errors, Is.Empty);
        return result.Case!.Number;
    }

    private async Task<(DateTimeOffset? FirstResponseDue, DateTimeOffset? ResolutionDue, DateTimeOffset? FirstResponseAt)> DueAsync(string number)
    {
        await using var connection = await _db.OpenConnectionAsync();
        var row = await connection.QuerySingleAsync<(DateTime? F, DateTime? R, DateTime? A)>(
            "select first_response_due_at, resolution_due_at, first_response_at from cases where number = @number", new { number });
        static DateTimeOffset? Utc(DateTime? d) => d is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)) : null;
        return (Utc(row.F), Utc(row.R), Utc(row.A));
    }

    [Test]
    public async Task A_new_case_gets_due_times_in_business_hours_from_its_categorys_standard()
    {
        var number = await PotholeAsync();
        var (first, resolution, _) = await DueAsync(number);
        // A normal 311 case: 8 business hours to a first response, 80 to resolution, Monday to Friday 08:30–16:30.
        Assert.That(first, Is.EqualTo(Local(2026, 11, 30, 15, 30)));
        Assert.That(resolution, Is.EqualTo(Local(2026, 12, 11, 15, 30)));
    }

    [Test]
    public async Task Raising_the_priority_recomputes_the_due_times_and_claiming_answers_the_first_response()
    {
        var number = await PotholeAsync();
        await _work.ClaimAsync(_agent, number);
        await _work.ChangeCategoryAsync(_agent, number, "water-main-break");
        var (first, resolution, answered) = await DueAsync(number);
        // A water main break is high priority: 4 and 72 hours, counted around the clock.
        Assert.That(first, Is.EqualTo(_clock.GetUtcNow().AddHours(4)));
        Assert.That(resolution, Is.EqualTo(_clock.GetUtcNow().AddHours(72)));
        Assert.That(answered, Is.EqualTo(_clock.GetUtcNow()));
    }

    [Test]
    public async Task Waiting_on_the_resident_pauses_the_clock_and_the_case_keeps_the_time_it_had_left()
    {
        var number = await PotholeAsync();
        await _work.ClaimAsync(_agent, number);
        var (_, before, _) = await DueAsync(number);

        await _work.SetWaitingAsync(_agent, number, "Which side of the street?");
        // The resident answers on Wednesday at 10:00: Friday 1 h, Monday 8 h, Tuesday 8 h, Wednesday 1.5 h of business time later.
        _clock.SetUtcNow(Local(2026, 12, 2, 10, 0).ToUniversalTime());
        await _work.ResolveAsync(_agent, number, "Patched");
        var (_, after, _) = await DueAsync(number);

        var waited = BusinessCalendar.Weekdays(Ottawa, new TimeOnly(8, 30), new TimeOnly(16, 30), CanadianHolidays.Ontario(2026).Select(h => h.Date))
            .BusinessTimeBetween(Local(2026, 11, 27, 15, 30), Local(2026, 12, 2, 10, 0));
        Assert.That(waited, Is.EqualTo(TimeSpan.FromHours(18.5)));
        Assert.That(after, Is.EqualTo(Local(2026, 12, 16, 10, 0)), "the 80-hour target (Friday 11 December 15:30) moved by the 18.5 business hours spent waiting");
        Assert.That(after, Is.GreaterThan(before!.Value));
    }

    [Test]
    public async Task The_resident_sees_the_expected_date_and_the_api_gives_it()
    {
        await using var app = await ContactFactory.CreateAsync();
        var response = await app.CreateClient().PostAsJsonAsync("/api/cases", new { category = "pothole", language = "en", address = "1 Main St", answers = new { size = "small" } });
        Assert.That(response.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var expected = body.GetProperty("expectedBy").GetDateTimeOffset();
        Assert.That(expected, Is.GreaterThan(DateTimeOffset.UtcNow.AddDays(9)));
        var page = await app.Browser("en").GetPageAsync($"/requests/{body.GetProperty("number").GetString()}");
        Assert.That(page.QuerySelector("time.expected")?.GetAttribute("datetime"), Is.Not.Null);
        var fetched = await app.CreateClient().GetFromJsonAsync<JsonElement>($"/api/cases/{body.GetProperty("number").GetString()}");
        Assert.That(fetched.GetProperty("expectedBy").GetDateTimeOffset(), Is.EqualTo(expected));
    }
}

public sealed class DemoCalendarTests
{
    [Test]
    public async Task The_demo_has_city_federal_and_quebec_calendars_with_their_own_holidays()
    {
        await using var db = NpgsqlDataSource.Create(await TestDatabase.CloneAsync());
        await using var connection = await db.OpenConnectionAsync();
        var holidays = (await connection.QueryAsync<(string Code, DateTime Date)>(
            "select c.code, h.date from calendar_holidays h join business_calendars c on c.id = h.calendar_id where extract(year from h.date) = 2026"))
            .ToLookup(h => h.Code, h => DateOnly.FromDateTime(h.Date));
        Assert.That(holidays["city-hours"], Does.Contain(new DateOnly(2026, 2, 16)), "Family Day, Ontario");
        Assert.That(holidays["quebec-hours"], Does.Contain(new DateOnly(2026, 6, 24)).And.Not.Contain(new DateOnly(2026, 2, 16)), "St-Jean, not Family Day");
        Assert.That(holidays["federal-hours"], Does.Contain(new DateOnly(2026, 9, 30)).And.Contain(new DateOnly(2026, 11, 11)), "Truth and Reconciliation, Remembrance Day");
        Assert.That(await connection.ExecuteScalarAsync<long>("select count(*) from business_calendars where code = 'always-open'"), Is.EqualTo(1));
    }
}
