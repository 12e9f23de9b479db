using System.ComponentModel.DataAnnotations;
using Contact.Core.InformationAndReferral;
using Contact.Core.Residents;
using Contact.Tests.Infrastructure;
using Dapper;
using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Contact.Tests.Residents;

/// <summary>Data retention against a clock that stands still, over cases whose dates the tests set.</summary>
public sealed class RetentionTests
{
    private NpgsqlDataSource _db = null!;
    private FakeTimeProvider _clock = null!;
    private Retention _retention = null!;
    private int _public311;
    private int _private311;
    private int _category211;
    private int _counter;

    private DateTimeOffset Now => _clock.GetUtcNow();

    private DateTimeOffset MonthsAgo(int months) => Now.AddMonths(-months);

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        _db = NpgsqlDataSource.Create(await TestDatabase.CloneAsync());
        _clock = new FakeTimeProvider(new DateTimeOffset(2031, 6, 15, 12, 0, 0, TimeSpan.Zero));
        // Two rows a transaction, so every test goes through several batches.
        _retention = new Retention(_db, _clock, new RetentionOptions()) { BatchSize = 2 };
        await using var connection = await _db.OpenConnectionAsync();
        _public311 = await connection.ExecuteScalarAsync<int>("select id from categories where line = '311' and is_public order by id limit 1");
        _private311 = await connection.ExecuteScalarAsync<int>("select id from categories where line = '311' and not is_public order by id limit 1");
        _category211 = await connection.ExecuteScalarAsync<int>("select id from categories where line = '211' order by id limit 1");
        Assert.That(new[] { _public311, _private311, _category211 }, Has.All.GreaterThan(0), "the seed has each kind of category");
    }

    [OneTimeTearDown]
    public async Task TearDownAsync() => await _db.DisposeAsync();

    private sealed record CaseRow(string? ResidentName, string? ResidentPhone, string? ResidentEmail, string Description, string Answers,
        string? Address, double? Latitude, string Status, int CategoryId, string Line, string Channel, DateTimeOffset CreatedAt,
        DateTimeOffset UpdatedAt, DateTimeOffset? RedactedAt);

    /// <summary>
    /// A case filed <paramref name="createdMonthsAgo"/> months ago with everything a resident gives, a recording, a
    /// photo, a text and a need; when <paramref name="closedMonthsAgo"/> is given it was closed then (a closed event
    /// and its last update), else it is still open.
    /// </summary>
    private async Task<long> CaseAsync(int categoryId, int createdMonthsAgo, int? closedMonthsAgo, string status = "closed")
    {
        var n = Interlocked.Increment(ref _counter);
        var line = categoryId == _category211 ? "211" : "311";
        var created = MonthsAgo(createdMonthsAgo);
        var updated = closedMonthsAgo is { } m ? MonthsAgo(m) : created;
        await using var connection = await _db.OpenConnectionAsync();
        var id = await connection.ExecuteScalarAsync<long>("""
            insert into cases (line, channel, category_id, description, answers, address, latitude, longitude,
                               resident_name, resident_phone, resident_email, language, status, created_at, updated_at, device_id, account_id)
            values (@line, 'web', @categoryId, 'My neighbour at 12 Elm St', '{"detail": "blue door"}', '12 Elm St', 45.4, -75.7,
                    'Alex Resident', @phone, 'alex@example.org', 'en', @status, @created, @updated, 'device-1', 'account-1')
            returning id
            """, new { line, categoryId, phone = $"+1613555{n:D4}", status = closedMonthsAgo is null ? "new" : status, created, updated });
        await connection.ExecuteAsync("""
            insert into case_events (case_id, at, kind, actor, is_public, data) values (@id, @created, 'created', 'web', true, '{}');
            insert into case_media (case_id, kind, url, created_at) values (@id, 'recording', 'https://api.twilio.com/rec/1', @created),
                                                                          (@id, 'photo', 'https://example.org/photo.jpg', @created);
            insert into outbox (case_id, to_address, language, kind, body, status, next_attempt_at, created_at, updated_at)
            values (@id, '+16135550199', 'en', 'created', 'Alex, your request is received', 'sent', @created, @created, @created);
            insert into case_needs (case_id, taxonomy_code, term_name, note, recorded_by, recorded_at, updated_by, updated_at)
            values (@id, 'BD-1800', 'Food', 'Alex has two children', 'agent', @created, 'agent', @created);
            """, new { id, created });
        if (closedMonthsAgo is not null)
        {
            await connection.ExecuteAsync(
                "insert into case_events (case_id, at, kind, actor, is_public, data) values (@id, @updated, @status, 'agent', true, '{\"note\": \"done\"}')",
                new { id, updated, status });
        }
        return id;
    }

    private async Task<CaseRow> ReadAsync(long id)
    {
        await using var connection = await _db.OpenConnectionAsync();
        return await connection.QuerySingleAsync<CaseRow>("""
            select resident_name, resident_phone, resident_email, description, answers::text as answers, address, latitude, status,
                   category_id, line, channel, created_at, updated_at, redacted_at
            from cases where id = @id
            """, new { id });
    }

    private async Task<string?> TextAsync(string sql, object? args = null)
    {
        await using var connection = await _db.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<string?>(sql, args);
    }

    private async Task<long> CountAsync(string sql, object? args = null)
    {
        await using var connection = await _db.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>(sql, args);
    }

    [Test]
    public async Task A_private_case_closed_25_months_ago_loses_the_residents_data_and_keeps_what_reports_count()
    {
        var id = await CaseAsync(_private311, createdMonthsAgo: 26, closedMonthsAgo: 25);
        var before = await ReadAsync(id);
        var report = new NeedsReport(_db);
        var needsBefore = await report.ReadAsync(MonthsAgo(27), MonthsAgo(20));

        var summary = await _retention.RunAsync();

        Assert.That(summary.Cases, Is.GreaterThanOrEqualTo(1));
        var after = await ReadAsync(id);
        Assert.Multiple(() =>
        {
            Assert.That(after.ResidentName, Is.Null);
            Assert.That(after.ResidentPhone, Is.Null);
            Assert.That(after.ResidentEmail, Is.Null);
            Assert.That(after.Description, Is.Empty);
            Assert.That(after.Answers, Is.EqualTo("{}"));
            Assert.That(after.Address, Is.Null);
            Assert.That(after.Latitude, Is.Null);
            Assert.That(after.RedactedAt, Is.EqualTo(Now).Within(TimeSpan.FromMilliseconds(1)));
            Assert.That(after with { ResidentName = null, ResidentPhone = null, ResidentEmail = null, Description = "", Answers = "{}", Address = null, Latitude = null, RedactedAt = null },
                Is.EqualTo(before with { ResidentName = null, ResidentPhone = null, ResidentEmail = null, Description = "", Answers = "{}", Address = null, Latitude = null }),
                "category, status, line, channel and dates unchanged");
        });
        await Assert.MultipleAsync(async () =>
        {
            Assert.That(await CountAsync("select count(*) from case_media where case_id = @id", new { id }), Is.Zero, "recording and photo gone");
            Assert.That(await CountAsync("select count(*) from outbox where case_id = @id and (body <> '' or to_address <> '')", new { id }), Is.Zero);
            Assert.That(await CountAsync("select count(*) from outbox where case_id = @id", new { id }), Is.EqualTo(1), "the text is still counted");
            Assert.That(await CountAsync("select count(*) from case_needs where case_id = @id and note = ''", new { id }), Is.EqualTo(1), "the need stays, its note goes");
            Assert.That(await CountAsync("select count(*) from case_events where case_id = @id and kind in ('created', 'closed')", new { id }), Is.EqualTo(2), "history kept");
            Assert.That(await CountAsync("select count(*) from cases where id = @id and device_id is null and account_id is null", new { id }), Is.EqualTo(1));
        });
        await using var connection = await _db.OpenConnectionAsync();
        var events = (await connection.QueryAsync<(string Actor, bool IsPublic, string Data)>(
            "select actor, is_public, data::text from case_events where case_id = @id and kind = 'retention_applied'", new { id })).ToList();
        Assert.That(events, Has.Count.EqualTo(1));
        Assert.That(events[0].Actor, Is.EqualTo("system"));
        Assert.That(events[0].IsPublic, Is.False);
        Assert.That(events[0].Data, Does.Contain("\"contact\"").And.Contain("\"description\"").And.Not.Contain("Alex").And.Not.Contain("Elm"));

        var needsAfter = await report.ReadAsync(MonthsAgo(27), MonthsAgo(20));
        Assert.That(needsAfter.Needs.Sum(n => n.Recorded), Is.EqualTo(needsBefore.Needs.Sum(n => n.Recorded)).And.GreaterThanOrEqualTo(1),
            "the needs report counts the redacted case as before");
    }

    [Test]
    public async Task A_public_311_case_keeps_its_description_and_place_but_not_the_residents_name_phone_or_email()
    {
        var id = await CaseAsync(_public311, createdMonthsAgo: 30, closedMonthsAgo: 25, status: "resolved");
        await _retention.RunAsync();
        var after = await ReadAsync(id);
        await Assert.MultipleAsync(async () =>
        {
            Assert.That(after.ResidentName, Is.Null);
            Assert.That(after.ResidentPhone, Is.Null);
            Assert.That(after.ResidentEmail, Is.Null);
            Assert.That(after.Description, Is.EqualTo("My neighbour at 12 Elm St"));
            Assert.That(after.Address, Is.EqualTo("12 Elm St"));
            Assert.That(after.Latitude, Is.EqualTo(45.4));
            Assert.That(after.Status, Is.EqualTo("resolved"));
            Assert.That(after.RedactedAt, Is.Not.Null);
            Assert.That(await CountAsync("select count(*) from case_media where case_id = @id and kind = 'recording'", new { id }), Is.Zero);
            Assert.That(await CountAsync("select count(*) from case_media where case_id = @id and kind = 'photo'", new { id }), Is.EqualTo(1), "the public photo stays");
            Assert.That(await CountAsync("select count(*) from case_events where case_id = @id and kind = 'retention_applied'", new { id }), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task A_life_events_packets_lose_the_residents_answers_and_contact()
    {
        var id = await CaseAsync(_private311, createdMonthsAgo: 26, closedMonthsAgo: 25);
        await using (var connection = await _db.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("""
                insert into referrals (case_id, provider_id, category_id, status, referred_by, created_at, updated_at, packet)
                select @id, p.id, @_private311, 'completed', 'resident', now(), now(),
                       '{"lifeEvent": "moving", "service": "cra-address", "language": "en", "resident": {"name": "Robin"}, "shared": {"new_address": "340 Laurier"}, "answers": {}}'::jsonb
                from providers p where p.code = 'cra'
                """, new { id, _private311 });
        }

        await _retention.RunAsync();

        Assert.That(await TextAsync("select packet::text from referrals where case_id = @id", new { id }), Is.EqualTo("""{"service": "cra-address", "lifeEvent": "moving"}"""));
    }

    [Test]
    public async Task Every_211_case_loses_its_description_and_place()
    {
        var id = await CaseAsync(_category211, createdMonthsAgo: 40, closedMonthsAgo: 25);
        await _retention.RunAsync();
        var after = await ReadAsync(id);
        Assert.That((after.ResidentName, after.Description, after.Address, after.Line), Is.EqualTo(((string?)null, "", (string?)null, "211")));
    }

    [Test]
    public async Task A_case_closed_23_months_ago_and_an_open_case_from_three_years_ago_are_untouched()
    {
        var recent = await CaseAsync(_private311, createdMonthsAgo: 30, closedMonthsAgo: 23);
        var open = await CaseAsync(_category211, createdMonthsAgo: 36, closedMonthsAgo: null);
        var recentBefore = await ReadAsync(recent);
        var openBefore = await ReadAsync(open);
        await _retention.RunAsync();
        Assert.That(await ReadAsync(recent), Is.EqualTo(recentBefore));
        Assert.That(await ReadAsync(open), Is.EqualTo(openBefore));
        Assert.That(await CountAsync("select count(*) from case_media where case_id = any(@ids)", new { ids = new[] { recent, open } }), Is.EqualTo(4));
        Assert.That(await CountAsync("select count(*) from case_events where case_id = any(@ids) and kind = 'retention_applied'", new { ids = new[] { recent, open } }), Is.Zero);
    }

    [Test]
    public async Task The_last_status_change_counts_not_the_last_update()
    {
        // Closed 25 months ago, but touched since (an update that is no status change): its closing is what counts.
        var id = await CaseAsync(_private311, createdMonthsAgo: 30, closedMonthsAgo: 25);
        await using (var connection = await _db.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("update cases set updated_at = @at where id = @id", new { id, at = MonthsAgo(1) });
        }
        // Closed 23 months ago with its last update long before (imported data): not yet.
        var recent = await CaseAsync(_private311, createdMonthsAgo: 30, closedMonthsAgo: 23);
        await using (var connection = await _db.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("update cases set updated_at = @at where id = @recent", new { recent, at = MonthsAgo(29) });
        }
        await _retention.RunAsync();
        Assert.That((await ReadAsync(id)).RedactedAt, Is.Not.Null);
        Assert.That((await ReadAsync(recent)).RedactedAt, Is.Null);
    }

    [Test]
    public async Task Running_twice_changes_nothing_the_second_time_and_writes_one_event_a_case()
    {
        var ids = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await CaseAsync(i % 2 == 0 ? _private311 : _public311, createdMonthsAgo: 40, closedMonthsAgo: 25 + i));
        }
        var first = await _retention.RunAsync();
        Assert.That(first.Cases, Is.GreaterThanOrEqualTo(5), "several batches of two");
        var second = await _retention.RunAsync();
        Assert.That(second, Is.EqualTo(RetentionSummary.Nothing));
        Assert.That(await CountAsync("select count(*) from case_events where case_id = any(@ids) and kind = 'retention_applied'", new { ids }), Is.EqualTo(5));
        Assert.That(await CountAsync("select count(*) from cases where id = any(@ids) and redacted_at is not null", new { ids }), Is.EqualTo(5));
    }

    [Test]
    public async Task Texts_and_calls_past_their_limits_are_cleared_and_recent_ones_kept()
    {
        await using (var connection = await _db.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("""
                insert into sms_inbound (message_sid, phone, body, reply, received_at) values
                    ('SMold', '+16135550101', 'my name is Alex', 'Thanks Alex', @old),
                    ('SMnew', '+16135550102', 'pothole on Elm', 'Got it', @recent);
                insert into sms_conversations (phone, language, state, started_at, updated_at) values
                    ('+16135550101', 'en', '{"step": "describe"}', @old, @old),
                    ('+16135550102', 'en', '{"step": "describe"}', @recent, @recent);
                insert into calls (call_sid, line, from_number, to_number, state, connect_twiml, created_at, updated_at) values
                    ('CAold', '311', '+16135550101', '+16135550311', '{"step": "menu"}', '<Response/>', @old, @old),
                    ('CAnew', '311', '+16135550102', '+16135550311', '{"step": "menu"}', null, @recent, @recent);
                insert into webhook_replies (token, call_sid, reply, created_at) values
                    ('old-token', 'CAold', '<Response/>', @old), ('new-token', 'CAnew', '<Response/>', @recent);
                insert into outbox (case_id, to_address, language, kind, body, status, next_attempt_at, created_at, updated_at) values
                    (null, '+16135550101', 'en', 'code', 'code 123456', 'sent', @old, @old, @old),
                    (null, '+16135550102', 'en', 'code', 'code 654321', 'sent', @recent, @recent, @recent);
                insert into one_time_codes (subject, destination, sent_at, expires_at) values
                    ('case:old', '+16135550101', @old, @old), ('case:new', '+16135550102', @justNow, @inTenMinutes);
                """, new { old = MonthsAgo(3) - TimeSpan.FromDays(1), recent = MonthsAgo(3) + TimeSpan.FromDays(1), justNow = Now, inTenMinutes = Now.AddMinutes(10) });
        }

        var summary = await _retention.RunAsync();

        Assert.That(summary with { Cases = 0 }, Is.EqualTo(new RetentionSummary(0, 1, 1, 1, 1, 1, 1)));
        await Assert.MultipleAsync(async () =>
        {
            Assert.That(await CountAsync("select count(*) from sms_inbound where message_sid = 'SMold' and body = '' and reply = ''"), Is.EqualTo(1), "kept blank for idempotency");
            Assert.That(await CountAsync("select count(*) from sms_inbound where message_sid = 'SMnew' and body = 'pothole on Elm' and reply = 'Got it'"), Is.EqualTo(1));
            Assert.That(await CountAsync("select count(*) from sms_conversations where phone in ('+16135550101', '+16135550102')"), Is.EqualTo(1));
            Assert.That(await CountAsync("select count(*) from sms_conversations where phone = '+16135550102'"), Is.EqualTo(1));
            Assert.That(await CountAsync("""
                select count(*) from calls where call_sid = 'CAold' and state = '{}' and from_number is null and to_number is null and connect_twiml is null and line = '311'
                """), Is.EqualTo(1));
            Assert.That(await CountAsync("select count(*) from calls where call_sid = 'CAnew' and from_number = '+16135550102' and state <> '{}'"), Is.EqualTo(1));
            Assert.That(await CountAsync("select count(*) from webhook_replies where token in ('old-token', 'new-token')"), Is.EqualTo(1));
            Assert.That(await CountAsync("select count(*) from webhook_replies where token = 'new-token'"), Is.EqualTo(1));
            Assert.That(await CountAsync("select count(*) from outbox where case_id is null and body = '' and to_address = ''"), Is.EqualTo(1));
            Assert.That(await CountAsync("select count(*) from outbox where case_id is null and body = 'code 654321'"), Is.EqualTo(1));
            Assert.That(await CountAsync("select count(*) from one_time_codes where subject in ('case:old', 'case:new')"), Is.EqualTo(1));
        });
        Assert.That(await _retention.RunAsync(), Is.EqualTo(RetentionSummary.Nothing), "a second run finds nothing");
    }

    [Test]
    public async Task Switched_off_it_removes_nothing()
    {
        var id = await CaseAsync(_private311, createdMonthsAgo: 40, closedMonthsAgo: 30);
        var off = new Retention(_db, _clock, new RetentionOptions { Enabled = false });
        Assert.That(await off.RunAsync(), Is.EqualTo(RetentionSummary.Nothing));
        Assert.That((await ReadAsync(id)).ResidentName, Is.EqualTo("Alex Resident"));
    }

    [TestCase(nameof(RetentionOptions.ClosedCaseMonths))]
    [TestCase(nameof(RetentionOptions.SmsMonths))]
    [TestCase(nameof(RetentionOptions.CallMonths))]
    public void A_setting_that_is_not_a_positive_number_of_months_stops_the_job_naming_it(string setting)
    {
        var options = new RetentionOptions();
        typeof(RetentionOptions).GetProperty(setting)!.SetValue(options, 0);
        var error = Assert.Throws<ValidationException>(() => _ = new Retention(_db, _clock, options));
        Assert.That(error!.Message, Does.Contain($"Retention:{setting}"));
    }

    [Test]
    public async Task A_bad_setting_stops_the_host_naming_it()
    {
        // The real host, as a process: it must stop with an error that names the setting.
        var (code, output) = await HostProcess.RunAsync(await TestDatabase.CloneAsync(), null,
            new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Development", ["Seed__DemoData"] = "false", ["Retention__ClosedCaseMonths"] = "0" },
            "--urls", "http://127.0.0.1:0");
        Assert.That(code, Is.Not.EqualTo(0), "the host stopped");
        Assert.That(output, Does.Contain("Retention:ClosedCaseMonths must be a whole number of months"));
    }

    [Test]
    public async Task The_host_runs_retention_nightly()
    {
        await using var factory = new ContactFactory(await TestDatabase.CloneAsync(), new Dictionary<string, string?> { ["Retention:SmsMonths"] = "6" });
        factory.CreateClient().Dispose();
        using var connection = factory.Services.GetRequiredService<JobStorage>().GetConnection();
        var job = connection.GetRecurringJobs().SingleOrDefault(j => j.Id == "retention");
        Assert.That(job, Is.Not.Null, "the recurring job is registered");
        Assert.That(job!.Cron, Is.EqualTo(Cron.Daily(3, 15)));
        Assert.That(job.TimeZoneId, Is.EqualTo("America/Toronto"));
        Assert.That(await factory.Services.GetRequiredService<Retention>().RunAsync(), Is.EqualTo(RetentionSummary.Nothing), "a fresh database has nothing to remove");
    }
}
