using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Contact.Core.Cases;
using Contact.Api.Jobs;
using Contact.Core.Desktop;
using Contact.Core.ResourceDirectory;
using Contact.Core.Infrastructure;
using Contact.Core.Notifications;
using Contact.Core.InformationAndReferral;
using Contact.Core.Staff;
using Contact.Tests.Desktop;
using Contact.Tests.Infrastructure;
using Contact.Tests.Sms;
using Dapper;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Contact.Tests.InformationAndReferral;

/// <summary>Information and referral on 211 cases, through the real host and its database.</summary>
public sealed class InformationReferralTests : AppFixture
{
    private NpgsqlDataSource _db = null!;
    private InformationReferral _ir = null!;
    private CaseWork _work = null!;
    private DesktopQueries _queries = null!;
    private StaffMember _agent = null!;
    private StaffMember _agentFr = null!;
    private StaffMember _supervisor = null!;
    private static int _phone = 10;

    // After the host's own set-up (NUnit runs a base class's first).
    [OneTimeSetUp]
    public async Task ArrangeAsync()
    {
        _db = NpgsqlDataSource.Create(App.ConnectionString);
        _ir = App.Services.GetRequiredService<InformationReferral>();
        _work = App.Services.GetRequiredService<CaseWork>();
        _queries = App.Services.GetRequiredService<DesktopQueries>();
        var staff = App.Services.GetRequiredService<StaffDirectory>();
        _agent = (await staff.FindAsync("agent"))!;
        _agentFr = (await staff.FindAsync("agent.fr"))!;
        _supervisor = (await staff.FindAsync("supervisor"))!;
        await using var connection = await _db.OpenConnectionAsync();
        // A small directory of this fixture's own, beside whatever the template holds.
        await connection.ExecuteAsync("""
            insert into directory.organizations (id, name, description, name_fr) values
                ('ir-org', 'Ottawa Food Network', 'Food help across the city', 'Réseau alimentaire d''Ottawa');
            insert into directory.taxonomy_terms (id, code, name, description, name_fr) values
                ('ir-t-food', 'ZZ-1800', 'Test Emergency Food', 'Food', 'Aide alimentaire test'),
                ('ir-t-rent', 'ZZ-3800', 'Test Rent Help', 'Rent', 'Aide au loyer test');
            insert into directory.services (id, organization_id, name, description, status, eligibility_description, fees_description, name_fr) values
                ('ir-pantry', 'ir-org', 'Centretown Food Cupboard', 'Groceries once a week.', 'active', 'Ottawa residents', 'Free', 'Armoire alimentaire du Centre-ville'),
                ('ir-meals', 'ir-org', 'Lowertown Evening Meals', 'A hot supper every evening.', 'active', null, null, 'Soupers de la Basse-Ville');
            insert into directory.attributes (id, link_id, taxonomy_term_id, link_entity) values
                ('ir-a1', 'ir-pantry', 'ir-t-food', 'service'), ('ir-a2', 'ir-meals', 'ir-t-food', 'service');
            insert into directory.locations (id, location_type, name, latitude, longitude) values
                ('ir-l-1', 'physical', 'Bank Street Hall', 45.4150, -75.6980),
                ('ir-l-2', 'physical', 'Rideau Centre Annex', 45.4290, -75.6920);
            insert into directory.service_at_location (id, service_id, location_id) values
                ('ir-sal-1', 'ir-pantry', 'ir-l-1'), ('ir-sal-2', 'ir-meals', 'ir-l-2');
            insert into directory.addresses (id, location_id, address_1, city, state_province, postal_code, country, address_type) values
                ('ir-ad-1', 'ir-l-1', '200 Bank Street', 'Ottawa', 'ON', 'K2P 1X1', 'CA', 'physical'),
                ('ir-ad-2', 'ir-l-2', '45 Rideau Street', 'Ottawa', 'ON', 'K1N 5W8', 'CA', 'physical');
            insert into directory.phones (id, service_id, number) values
                ('ir-p-1', 'ir-pantry', '613-555-0142'), ('ir-p-2', 'ir-meals', '613-555-0143');
            insert into directory.schedules (id, service_id, freq, byday, opens_at, closes_at) values
                ('ir-sc-1', 'ir-pantry', 'WEEKLY', 'MO,TU,WE,TH,FR', '09:00', '17:00'),
                ('ir-sc-2', 'ir-meals', 'WEEKLY', 'MO,TU,WE,TH,FR,SA,SU', '17:00', '19:00');
            """);
    }

    [OneTimeTearDown]
    public async Task CloseDatabaseAsync() => await _db.DisposeAsync();

    private static string NewPhone() => "+161355502" + Interlocked.Increment(ref _phone).ToString("00", CultureInfo.InvariantCulture);

    /// <summary>Files a 211 request through the API and has the demo agent claim it.</summary>
    private async Task<string> ClaimedCaseAsync(string? phone = null, bool notify = false, string language = "en")
    {
        var response = await App.CreateClient().PostAsJsonAsync("/api/cases", new
        {
            category = "general-211",
            language,
            description = "No food left for the children this week",
            name = "Pat Private",
            phone,
            notify,
        });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var number = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetString()!;
        await _work.ClaimAsync(language == "fr" ? _agentFr : _agent, number);
        return number;
    }

    private async Task<CaseDetail> DetailAsync(string number) => (await _queries.DetailAsync(_supervisor, number, e => e.Kind))!;

    private async Task<long> CountAsync(string sql, object args)
    {
        await using var connection = await _db.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>(sql, args);
    }

    [Test]
    public async Task A_need_is_recorded_with_its_terms_name_once_and_an_unknown_term_is_refused()
    {
        var number = await ClaimedCaseAsync(language: "fr");
        await _ir.RecordNeedAsync(_agentFr, number, "ZZ-1800");

        var need = (await DetailAsync(number)).InformationReferral!.Needs.Single();
        Assert.That((need.Code, need.Name, need.Status, need.RecordedBy), Is.EqualTo(("ZZ-1800", "Aide alimentaire test", "open", "agent.fr")),
            "the term's name is recorded in the case's language");

        var again = Assert.ThrowsAsync<WorkRefusedException>(() => _ir.RecordNeedAsync(_agentFr, number, "ZZ-1800"));
        Assert.That(again!.Code, Is.EqualTo("refused.need_recorded"));
        var unknown = Assert.ThrowsAsync<WorkRefusedException>(() => _ir.RecordNeedAsync(_agentFr, number, "NO-SUCH"));
        Assert.That(unknown!.Code, Is.EqualTo("refused.no_term"));
        var detail = await DetailAsync(number);
        Assert.That(detail.InformationReferral!.Needs, Has.Count.EqualTo(1));
        Assert.That(detail.History.Count(h => h.Kind == "need_recorded"), Is.EqualTo(1));
        Assert.That(detail.History.Where(h => h.Kind == "need_recorded").All(h => !h.IsPublic), Is.True);
    }

    [Test]
    public async Task An_unmet_need_keeps_its_reason_and_a_bad_reason_is_refused_and_changes_nothing()
    {
        var number = await ClaimedCaseAsync();
        var needId = await _ir.RecordNeedAsync(_agent, number, "ZZ-3800");

        var bad = Assert.ThrowsAsync<WorkRefusedException>(() => _ir.MarkNeedUnmetAsync(_agent, number, needId, "too_hard", null));
        Assert.That(bad!.Code, Is.EqualTo("refused.bad_unmet_reason"));
        var noNote = Assert.ThrowsAsync<WorkRefusedException>(() => _ir.MarkNeedUnmetAsync(_agent, number, needId, "other", " "));
        Assert.That(noNote!.Code, Is.EqualTo("refused.note_required"), "'other' needs a note saying what");
        Assert.That((await DetailAsync(number)).InformationReferral!.Needs.Single().Status, Is.EqualTo("open"));
        Assert.That(await CountAsync("select count(*) from case_events e join cases c on c.id = e.case_id where c.number = @number and e.kind = 'need_unmet'", new { number }), Is.EqualTo(0));

        await _ir.MarkNeedUnmetAsync(_agent, number, needId, "waitlist_full", "Every rent bank in the east end is full until March");
        var need = (await DetailAsync(number)).InformationReferral!.Needs.Single();
        Assert.That((need.Status, need.UnmetReason, need.Note), Is.EqualTo(("unmet", "waitlist_full", "Every rent bank in the east end is full until March")));
        var words = (await _queries.DetailAsync(_supervisor, number, e => App.Services.GetRequiredService<Contact.Agent.Desktop.CaseTextLocalizer>().Describe(e, Language.English)))!
            .History.Single(h => h.Kind == "need_unmet").Text;
        Assert.That(words, Is.EqualTo("Need not met: Test Rent Help (waitlist full): Every rent bank in the east end is full until March"));
    }

    [Test]
    public async Task A_referral_keeps_what_was_said_when_the_directory_changes_later()
    {
        var number = await ClaimedCaseAsync();
        var needId = await _ir.RecordNeedAsync(_agent, number, "ZZ-1800");
        await _ir.GiveReferralAsync(_agent, number, "ir-pantry", "ir-l-1", needId);

        await using (var connection = await _db.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("""
                update directory.services set name = 'Renamed Cupboard' where id = 'ir-pantry';
                update directory.phones set number = '613-555-0199' where id = 'ir-p-1';
                update directory.addresses set address_1 = '999 Elsewhere Road' where id = 'ir-ad-1';
                """);
        }
        try
        {
            var ir = (await DetailAsync(number)).InformationReferral!;
            var given = ir.Referrals.Single();
            Assert.That(given.Details.Name, Is.EqualTo("Centretown Food Cupboard"));
            Assert.That(given.Details.Organization, Is.EqualTo("Ottawa Food Network"));
            Assert.That(given.Details.Address, Does.Contain("200 Bank Street"));
            Assert.That(given.Details.Phone, Is.EqualTo("613-555-0142"));
            Assert.That(given.Details.Hours, Is.Not.Empty);
            Assert.That((given.Details.Eligibility, given.Details.Fees), Is.EqualTo(("Ottawa residents", "Free")));
            Assert.That((given.ServiceId, given.LocationId, given.ServiceAtLocationId, given.NeedId), Is.EqualTo(("ir-pantry", "ir-l-1", "ir-sal-1", (long?)needId)));
            Assert.That(ir.Needs.Single().Status, Is.EqualTo("met"), "the need the referral answers is met");

            var twice = Assert.ThrowsAsync<WorkRefusedException>(() => _ir.GiveReferralAsync(_agent, number, "ir-pantry", "ir-l-1"));
            Assert.That(twice!.Code, Is.EqualTo("refused.already_given"));
            var unknown = Assert.ThrowsAsync<WorkRefusedException>(() => _ir.GiveReferralAsync(_agent, number, "ir-pantry", "ir-l-2"));
            Assert.That(unknown!.Code, Is.EqualTo("refused.no_service"), "that service is not at that location");
        }
        finally
        {
            await using var connection = await _db.OpenConnectionAsync();
            await connection.ExecuteAsync("""
                update directory.services set name = 'Centretown Food Cupboard' where id = 'ir-pantry';
                update directory.phones set number = '613-555-0142' where id = 'ir-p-1';
                update directory.addresses set address_1 = '200 Bank Street' where id = 'ir-ad-1';
                """);
        }
    }

    [Test]
    public async Task Referrals_are_texted_once_in_one_message_and_a_second_send_sends_only_what_is_new()
    {
        var phone = NewPhone();
        var number = await ClaimedCaseAsync(phone, notify: true);
        await _ir.GiveReferralAsync(_agent, number, "ir-pantry", "ir-l-1");
        await _ir.GiveReferralAsync(_agent, number, "ir-meals", "ir-l-2");

        Assert.That(await _ir.SendReferralsByTextAsync(_agent, number), Is.EqualTo(1));
        var bodies = (await QueryBodiesAsync(number)).ToList();
        Assert.That(bodies, Has.Count.EqualTo(1));
        Assert.That(bodies[0], Does.Contain(number).And.Contain("1. Centretown Food Cupboard (Ottawa Food Network), 200 Bank Street")
            .And.Contain("613-555-0142").And.Contain("2. Lowertown Evening Meals").And.Contain("613-555-0143"));
        Assert.That(SmsSegments.Count(bodies[0]), Is.LessThanOrEqualTo(InformationReferral.ReferralTextSegments));

        var again = Assert.ThrowsAsync<WorkRefusedException>(() => _ir.SendReferralsByTextAsync(_agent, number));
        Assert.That(again!.Code, Is.EqualTo("refused.nothing_to_send"));
        Assert.That(await QueryBodiesAsync(number), Has.Count.EqualTo(1), "nothing is sent twice");

        await using (var connection = await _db.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("""
                insert into directory.service_at_location (id, service_id, location_id) values ('ir-sal-3', 'ir-meals', 'ir-l-1')
                on conflict do nothing
                """);
        }
        await _ir.GiveReferralAsync(_agent, number, "ir-meals", "ir-l-1");
        Assert.That(await _ir.SendReferralsByTextAsync(_agent, number), Is.EqualTo(1));
        bodies = [.. await QueryBodiesAsync(number)];
        Assert.That(bodies, Has.Count.EqualTo(2));
        Assert.That(bodies[1], Does.Contain("1. Lowertown Evening Meals").And.Not.Contain("Centretown"), "only the new referral");
        var referrals = (await DetailAsync(number)).InformationReferral!.Referrals;
        Assert.That(referrals.All(r => r.SentAt is not null), Is.True);
    }

    private async Task<IReadOnlyList<string>> QueryBodiesAsync(string number)
    {
        await using var connection = await _db.OpenConnectionAsync();
        return [.. await connection.QueryAsync<string>(
            "select o.body from outbox o join cases c on c.id = o.case_id where c.number = @number and o.kind = 'referrals' order by o.id", new { number })];
    }

    [Test]
    public async Task Many_referrals_go_in_as_many_texts_as_they_need_each_within_three_segments_in_french()
    {
        var number = await ClaimedCaseAsync(NewPhone(), notify: true, language: "fr");
        await using (var connection = await _db.OpenConnectionAsync())
        {
            for (var i = 0; i < 6; i++)
            {
                await connection.ExecuteAsync($"""
                    insert into directory.locations (id, location_type, name) values ('ir-many-{i}', 'physical', 'Lieu {i}') on conflict do nothing;
                    insert into directory.service_at_location (id, service_id, location_id) values ('ir-many-sal-{i}', 'ir-pantry', 'ir-many-{i}') on conflict do nothing;
                    insert into directory.addresses (id, location_id, address_1, city, state_province, postal_code, country, address_type)
                    values ('ir-many-ad-{i}', 'ir-many-{i}', '{100 + i} rue Saint-Patrick, appartement {i}', 'Ottawa', 'ON', 'K1N 5K{i}', 'CA', 'physical') on conflict do nothing;
                    """);
            }
        }
        for (var i = 0; i < 6; i++)
        {
            await _ir.GiveReferralAsync(_agentFr, number, "ir-pantry", $"ir-many-{i}");
        }
        var messages = await _ir.SendReferralsByTextAsync(_agentFr, number);
        var bodies = await QueryBodiesAsync(number);
        Assert.That(messages, Is.GreaterThan(1));
        Assert.That(bodies, Has.Count.EqualTo(messages));
        Assert.That(bodies.All(b => SmsSegments.Count(b) <= InformationReferral.ReferralTextSegments), Is.True, string.Join("\n---\n", bodies));
        Assert.That(bodies[0], Does.StartWith($"Contact 211, demande {number}"));
        Assert.That(string.Join("\n", bodies), Does.Contain("6. Armoire alimentaire du Centre-ville"), "numbering runs on across the texts");
        Assert.That(await CountAsync("select count(*) from service_referrals r join cases c on c.id = r.case_id where c.number = @number and r.outbox_id is null", new { number }), Is.EqualTo(0));
    }

    [Test]
    public async Task A_service_whose_name_alone_overflows_a_text_is_sent_cut_short_with_its_phone()
    {
        var number = await ClaimedCaseAsync(NewPhone(), notify: true);
        await using (var connection = await _db.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("""
                insert into directory.services (id, organization_id, name, description, status) values ('ir-long', 'ir-org', @name, 'Long', 'active');
                insert into directory.phones (id, service_id, number) values ('ir-p-long', 'ir-long', '613-555-0177');
                """, new { name = "Community " + string.Concat(Enumerable.Repeat("and neighbourhood ", 30)) + "help" });
        }
        await _ir.GiveReferralAsync(_agent, number, "ir-long", null);
        Assert.That(await _ir.SendReferralsByTextAsync(_agent, number), Is.EqualTo(1));
        var body = (await QueryBodiesAsync(number)).Single();
        Assert.That(SmsSegments.Count(body), Is.LessThanOrEqualTo(InformationReferral.ReferralTextSegments), body);
        Assert.That(body, Does.Contain("1. Community and neighbourhood").And.Contain("...").And.Contain("613-555-0177"));
    }

    [Test]
    public async Task Sending_referrals_without_the_persons_consent_is_refused_and_writes_nothing()
    {
        var number = await ClaimedCaseAsync(NewPhone(), notify: false);
        await _ir.GiveReferralAsync(_agent, number, "ir-pantry", "ir-l-1");
        var refused = Assert.ThrowsAsync<WorkRefusedException>(() => _ir.SendReferralsByTextAsync(_agent, number));
        Assert.That(refused!.Code, Is.EqualTo("refused.no_text_consent"));
        Assert.That(await QueryBodiesAsync(number), Is.Empty);
        Assert.That((await DetailAsync(number)).InformationReferral!.Referrals.Single().SentAt, Is.Null);
        var byText = Assert.ThrowsAsync<WorkRefusedException>(() => _ir.ScheduleFollowUpAsync(_agent, number, DateTimeOffset.UtcNow.AddDays(3), "text"));
        Assert.That(byText!.Code, Is.EqualTo("refused.no_text_consent"));
    }

    [Test]
    public async Task A_person_who_texted_stop_is_sent_no_referrals_and_their_text_follow_up_goes_to_the_queue()
    {
        var resident = new Texter(App, NewPhone());
        var number = await ClaimedCaseAsync(resident.From, notify: true);
        await _ir.GiveReferralAsync(_agent, number, "ir-pantry", "ir-l-1");
        var due = DateTimeOffset.UtcNow.AddDays(3);
        var id = await _ir.ScheduleFollowUpAsync(_agent, number, due, "text");
        await resident.TextAsync("STOP");

        Assert.That(Assert.ThrowsAsync<WorkRefusedException>(() => _ir.SendReferralsByTextAsync(_agent, number))!.Code, Is.EqualTo("refused.texts_stopped"));
        Assert.That(await QueryBodiesAsync(number), Is.Empty);
        await _work.ResolveAsync(_agent, number, "Referred to the food cupboard");
        Assert.That(await Later(new FakeTimeProvider(due.AddMinutes(1))).FireAsync(id), Is.True);
        var detail = await DetailAsync(number);
        Assert.That((detail.Status, detail.InformationReferral!.FollowUps.Single().Status), Is.EqualTo(("new", "due")));
        Assert.That(await CountAsync("select count(*) from outbox o join cases c on c.id = o.case_id where c.number = @number and o.kind = 'follow_up_question'", new { number }),
            Is.EqualTo(0));
    }

    /// <summary>The same service with a clock of its own, as the follow-up job would run days later.</summary>
    private InformationReferral Later(FakeTimeProvider clock) =>
        new(_db, clock, _work, App.Services.GetRequiredService<DirectorySearch>(), App.Services.GetRequiredService<ChangeFeed>(),
            Nothing.Outbox, Nothing.FollowUps);

    private const string JobsFor = """
        select count(*) from hangfire.job j
        where j.invocationdata::text like '%FollowUpJobs%' and j.invocationdata::text like '%FireAsync%' and j.arguments::text like '["' || @id || '"%'
        """;

    [Test]
    public async Task A_follow_up_by_queue_is_a_hangfire_job_at_its_due_time_and_fires_once_putting_the_case_back_in_its_queue()
    {
        var number = await ClaimedCaseAsync();
        var due = DateTimeOffset.UtcNow.AddDays(3);
        var id = await _ir.ScheduleFollowUpAsync(_agent, number, due, "queue");
        await _work.ResolveAsync(_agent, number, "Referred to the food cupboard");

        Assert.That(await CountAsync(JobsFor + " and j.statename = 'Scheduled'", new { id = id.ToString(CultureInfo.InvariantCulture) }), Is.EqualTo(1),
            "a job is scheduled for the follow-up");

        var early = Later(new FakeTimeProvider(due.AddMinutes(-1)));
        Assert.That(await early.FireAsync(id), Is.False, "not before it is due");

        var later = Later(new FakeTimeProvider(due.AddMinutes(1)));
        Assert.That(await later.FireAsync(id), Is.True);
        Assert.That(await later.FireAsync(id), Is.False, "a second run fires nothing");

        var detail = await DetailAsync(number);
        Assert.That((detail.Status, detail.AssignedTo, detail.Queue), Is.EqualTo(("new", (string?)null, "211-en")));
        Assert.That(detail.InformationReferral!.FollowUps.Single().Status, Is.EqualTo("due"));
        Assert.That(detail.History.Count(h => h.Kind == "follow_up_due" && !h.IsPublic), Is.EqualTo(1));
        var queue = await _queries.QueueAsync(_agent);
        Assert.That(queue.Single(q => q.Number == number).FollowUp, Is.True, "the desktop shows it as a follow-up");
    }

    [Test]
    public async Task The_sweep_fires_a_due_follow_up_whose_job_was_lost()
    {
        var number = await ClaimedCaseAsync();
        var due = DateTimeOffset.UtcNow.AddDays(2);
        // Scheduled by a host that died before it arranged the job.
        var withoutJobs = new InformationReferral(_db, TimeProvider.System, _work, App.Services.GetRequiredService<DirectorySearch>(),
            new ChangeFeed(_db), Nothing.Outbox, Nothing.FollowUps);
        var id = await withoutJobs.ScheduleFollowUpAsync(_agent, number, due, "queue");
        Assert.That(await CountAsync(JobsFor, new { id = id.ToString(CultureInfo.InvariantCulture) }), Is.EqualTo(0));
        var later = Later(new FakeTimeProvider(due.AddMinutes(1)));
        Assert.That(await later.DueAsync(), Does.Contain(id));
        await new FollowUpJobs(later).SweepAsync(CancellationToken.None);

        Assert.That(await later.DueAsync(), Does.Not.Contain(id));
        var detail = await DetailAsync(number);
        Assert.That(detail.InformationReferral!.FollowUps.Single().Status, Is.EqualTo("due"));
        Assert.That(detail.AssignedTo, Is.EqualTo("agent"), "a case its agent still holds and works stays with them");
        Assert.That(detail.History.Count(h => h.Kind == "follow_up_due"), Is.EqualTo(1));
    }

    [Test]
    public async Task A_follow_up_question_nobody_answers_sends_the_case_to_the_queue_after_the_answer_window_once()
    {
        var resident = new Texter(App, NewPhone());
        var number = await ClaimedCaseAsync(resident.From, notify: true);
        var due = DateTimeOffset.UtcNow.AddDays(3);
        var id = await _ir.ScheduleFollowUpAsync(_agent, number, due, "text");
        await _work.ResolveAsync(_agent, number, "Referred to the food cupboard");
        Assert.That(await Later(new FakeTimeProvider(due.AddMinutes(1))).FireAsync(id), Is.True);

        var stillWaiting = Later(new FakeTimeProvider(due.Add(InformationReferral.AnswerWindow).AddMinutes(-5)));
        Assert.That(await stillWaiting.UnansweredAsync(), Does.Not.Contain(id));
        Assert.That(await stillWaiting.StopWaitingAsync(id), Is.False, "not before the window has passed");

        var after = Later(new FakeTimeProvider(due.Add(InformationReferral.AnswerWindow).AddMinutes(5)));
        Assert.That(await after.UnansweredAsync(), Does.Contain(id));
        await new FollowUpJobs(after).SweepAsync(CancellationToken.None);
        await new FollowUpJobs(after).SweepAsync(CancellationToken.None);

        var detail = await DetailAsync(number);
        Assert.That((detail.Status, detail.AssignedTo), Is.EqualTo(("new", (string?)null)));
        Assert.That(detail.InformationReferral!.FollowUps.Single().Status, Is.EqualTo("unanswered"));
        Assert.That(detail.History.Count(h => h.Kind == "follow_up_unanswered" && !h.IsPublic), Is.EqualTo(1), "once, however often the sweep runs");
        Assert.That((await _queries.QueueAsync(_agent)).Single(q => q.Number == number).FollowUp, Is.True);

        // A late answer finds no question waiting: it is not taken as an answer.
        await resident.TextAsync("2");
        Assert.That(await CountAsync("select count(*) from follow_ups where id = @id and status = 'unanswered'", new { id }), Is.EqualTo(1));
        Assert.That((await DetailAsync(number)).History.Count(h => h.Kind == "follow_up_no"), Is.EqualTo(0));
    }

    [Test]
    public async Task Merging_a_duplicate_moves_its_scheduled_follow_up_to_the_case_it_joined_or_cancels_it_when_that_has_one()
    {
        var kept = await ClaimedCaseAsync();
        var duplicate = await ClaimedCaseAsync();
        var moved = await _ir.ScheduleFollowUpAsync(_agent, duplicate, DateTimeOffset.UtcNow.AddDays(3), "queue");
        await _work.MergeAsync(_agent, duplicate, kept);
        Assert.That((await DetailAsync(kept)).InformationReferral!.FollowUps.Select(f => (f.Id, f.Status)), Is.EqualTo(new[] { (moved, "scheduled") }));
        Assert.That((await DetailAsync(duplicate)).InformationReferral!.FollowUps, Is.Empty);

        var another = await ClaimedCaseAsync();
        var cancelled = await _ir.ScheduleFollowUpAsync(_agent, another, DateTimeOffset.UtcNow.AddDays(5), "queue");
        await _work.MergeAsync(_agent, another, kept);
        Assert.That((await DetailAsync(another)).InformationReferral!.FollowUps.Select(f => (f.Id, f.Status)), Is.EqualTo(new[] { (cancelled, "cancelled") }));
        Assert.That((await DetailAsync(kept)).InformationReferral!.FollowUps.Select(f => (f.Id, f.Status)), Is.EqualTo(new[] { (moved, "scheduled") }));
    }

    [Test]
    public async Task Rescheduling_a_follow_up_replaces_the_one_scheduled_and_bad_methods_and_dates_are_refused()
    {
        var number = await ClaimedCaseAsync();
        var first = await _ir.ScheduleFollowUpAsync(_agent, number, DateTimeOffset.UtcNow.AddDays(3), "queue");
        var second = await _ir.ScheduleFollowUpAsync(_agent, number, DateTimeOffset.UtcNow.AddDays(7), "queue");
        var followUps = (await DetailAsync(number)).InformationReferral!.FollowUps;
        Assert.That(followUps.Select(f => (f.Id, f.Status)), Is.EqualTo(new[] { (first, "cancelled"), (second, "scheduled") }));
        Assert.That(await Later(new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(4))).FireAsync(first), Is.False, "a cancelled follow-up never fires");

        Assert.That(Assert.ThrowsAsync<WorkRefusedException>(() => _ir.ScheduleFollowUpAsync(_agent, number, DateTimeOffset.UtcNow.AddDays(3), "email"))!.Code,
            Is.EqualTo("refused.bad_follow_up_method"));
        Assert.That(Assert.ThrowsAsync<WorkRefusedException>(() => _ir.ScheduleFollowUpAsync(_agent, number, DateTimeOffset.UtcNow.AddDays(-1), "queue"))!.Code,
            Is.EqualTo("refused.bad_follow_up_due"));
        Assert.That((await DetailAsync(number)).InformationReferral!.FollowUps, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task A_follow_up_by_text_asks_and_a_no_reopens_the_case_for_an_agent()
    {
        var resident = new Texter(App, NewPhone());
        var number = await ClaimedCaseAsync(resident.From, notify: true);
        var due = DateTimeOffset.UtcNow.AddDays(3);
        var id = await _ir.ScheduleFollowUpAsync(_agent, number, due, "text");
        await _work.ResolveAsync(_agent, number, "Referred to the food cupboard");

        Assert.That(await Later(new FakeTimeProvider(due.AddMinutes(1))).FireAsync(id), Is.True);
        var question = await CountAsync("""
            select count(*) from outbox o join cases c on c.id = o.case_id
            where c.number = @number and o.kind = 'follow_up_question' and o.to_address = @From
              and o.body like '%Reply 1 for yes, 2 for no%' and o.body like '%' || @number || '%'
            """, new { number, resident.From });
        Assert.That(question, Is.EqualTo(1));
        Assert.That((await DetailAsync(number)).Status, Is.EqualTo("resolved"), "asking changes nothing yet");

        var reply = await resident.TextAsync("2");
        Assert.That(reply, Does.Contain("Someone from 211 will contact you").And.Contain(number));
        var detail = await DetailAsync(number);
        Assert.That((detail.Status, detail.AssignedTo, detail.Queue), Is.EqualTo(("new", (string?)null, "211-en")));
        Assert.That(detail.InformationReferral!.FollowUps.Single().Status, Is.EqualTo("answered_no"));
        Assert.That(detail.History.Single(h => h.Kind == "follow_up_no").Actor, Is.EqualTo("resident"));
        Assert.That((await _queries.QueueAsync(_agent)).Single(q => q.Number == number).FollowUp, Is.True);

        // Answered: another "2" is no longer a follow-up answer.
        Assert.That(await resident.TextAsync("2"), Does.Not.Contain("211 will contact you"));
    }

    [Test]
    public async Task A_yes_to_a_follow_up_is_recorded_and_leaves_the_case_closed()
    {
        var resident = new Texter(App, NewPhone());
        var number = await ClaimedCaseAsync(resident.From, notify: true, language: "fr");
        var due = DateTimeOffset.UtcNow.AddDays(3);
        var id = await _ir.ScheduleFollowUpAsync(_agentFr, number, due, "text");
        await _work.ResolveAsync(_agentFr, number, "Orienté vers l'armoire alimentaire");
        await Later(new FakeTimeProvider(due.AddMinutes(1))).FireAsync(id);

        var reply = await resident.TextAsync("1");
        Assert.That(reply, Does.StartWith("Merci."));
        var detail = await DetailAsync(number);
        Assert.That(detail.Status, Is.EqualTo("resolved"));
        Assert.That(detail.InformationReferral!.FollowUps.Single().Status, Is.EqualTo("answered_yes"));
        Assert.That(detail.History.Count(h => h.Kind == "follow_up_yes"), Is.EqualTo(1));
    }

    [Test]
    public async Task A_crisis_makes_the_case_urgent_and_first_in_its_queue_without_claiming_it()
    {
        var before = await ClaimedCaseAsync();
        await _work.ReleaseAsync(_agent, before);
        // An older case already urgent waits too: a crisis goes before it.
        var urgent = await ClaimedCaseAsync();
        await _work.ChangePriorityAsync(_agent, urgent, "urgent");
        await _work.ReleaseAsync(_agent, urgent);
        var number = await ClaimedCaseAsync();
        await _work.ReleaseAsync(_agent, number);

        await _ir.SetCrisisAsync(_agent, number, true);
        var queue = (await _queries.QueueAsync(_agent)).Where(q => q.Queue == "211-en").ToList();
        Assert.That(queue[0].Number, Is.EqualTo(number));
        Assert.That(queue[1].Number, Is.EqualTo(urgent));
        Assert.That((queue[0].Priority, queue[0].Crisis), Is.EqualTo(("urgent", true)));
        var detail = await DetailAsync(number);
        Assert.That(detail.Crisis, Is.True);
        Assert.That(detail.History.Single(h => h.Kind == "crisis_flagged").IsPublic, Is.False);
        Assert.That(Assert.ThrowsAsync<WorkRefusedException>(() => _ir.SetCrisisAsync(_agent, number, true))!.Code, Is.EqualTo("refused.crisis_already"));
        Assert.That(await _work.ClaimNextAsync(_agent), Is.EqualTo(number), "the next claim takes the crisis");
    }

    [Test]
    public async Task Information_and_referral_is_refused_on_a_311_case()
    {
        var number = await App.FileAsync();
        await _work.ClaimAsync(_agent, number);
        Assert.That(Assert.ThrowsAsync<WorkRefusedException>(() => _ir.RecordNeedAsync(_agent, number, "ZZ-1800"))!.Code, Is.EqualTo("refused.not_211"));
        Assert.That(Assert.ThrowsAsync<WorkRefusedException>(() => _ir.SetCrisisAsync(_agent, number, true))!.Code, Is.EqualTo("refused.not_211"));
        Assert.That((await DetailAsync(number)).InformationReferral, Is.Null);
    }

    [Test]
    public async Task Every_view_of_a_211_case_on_the_desktop_is_in_its_history_and_a_311_view_is_not()
    {
        var number = await ClaimedCaseAsync();
        var other = await App.FileAsync();
        await using var supervisor = await DesktopClient.ConnectAsync(App, "supervisor");

        var detail = await supervisor.Hub.InvokeAsync<JsonElement>("OpenCase", number);
        var viewed = detail.GetProperty("history").EnumerateArray().Where(h => h.GetProperty("kind").GetString() == "viewed").ToList();
        Assert.That(viewed.Select(v => v.GetProperty("actor").GetString()), Does.Contain("supervisor"));
        Assert.That(viewed.All(v => !v.GetProperty("isPublic").GetBoolean()), Is.True);
        await supervisor.Hub.InvokeAsync<JsonElement>("OpenCase", number);
        Assert.That(await CountAsync("""
            select count(*) from case_events e join cases c on c.id = e.case_id where c.number = @number and e.kind = 'viewed' and e.actor = 'supervisor'
            """, new { number }), Is.EqualTo(1), "at most one entry per member per minute");

        await supervisor.Hub.InvokeAsync<JsonElement>("OpenCase", other);
        Assert.That(await CountAsync("select count(*) from case_events e join cases c on c.id = e.case_id where c.number = @other and e.kind = 'viewed'", new { other }), Is.EqualTo(0));
    }

    [Test]
    public async Task The_desktop_records_a_need_and_gives_a_referral_and_refusals_come_back_in_words()
    {
        var number = await ClaimedCaseAsync(NewPhone(), notify: true);
        await using var agent = await DesktopClient.ConnectAsync(App, "agent");
        var detail = await agent.Hub.InvokeAsync<JsonElement>("RecordNeed", number, "ZZ-1800");
        var needId = detail.GetProperty("informationReferral").GetProperty("needs")[0].GetProperty("id").GetInt64();
        detail = await agent.Hub.InvokeAsync<JsonElement>("GiveReferral", number, "ir-meals", "ir-l-2", needId);
        var ir = detail.GetProperty("informationReferral");
        Assert.That(ir.GetProperty("referrals")[0].GetProperty("details").GetProperty("name").GetString(), Is.EqualTo("Lowertown Evening Meals"));
        Assert.That(ir.GetProperty("needs")[0].GetProperty("status").GetString(), Is.EqualTo("met"));
        Assert.That(detail.GetProperty("crisisLine").GetProperty("number").GetString(), Is.EqualTo("+16135550100"));

        detail = await agent.Hub.InvokeAsync<JsonElement>("SendReferralsByText", number);
        Assert.That(detail.GetProperty("informationReferral").GetProperty("referrals")[0].GetProperty("sentAt").ValueKind, Is.Not.EqualTo(JsonValueKind.Null));
        var error = Assert.ThrowsAsync<HubException>(() => agent.Hub.InvokeAsync<JsonElement>("SendReferralsByText", number));
        Assert.That(error!.Message, Does.Contain($"Every referral on case {number} was already sent."));
        error = Assert.ThrowsAsync<HubException>(() => agent.Hub.InvokeAsync<JsonElement>("ScheduleFollowUp", number, 0, "queue"));
        Assert.That(error!.Message, Does.Contain("A follow-up is due in the next 90 days."));
        detail = await agent.Hub.InvokeAsync<JsonElement>("ScheduleFollowUp", number, 3, "text");
        Assert.That(detail.GetProperty("informationReferral").GetProperty("followUps")[0].GetProperty("method").GetString(), Is.EqualTo("text"));
    }

    [Test]
    public async Task The_crisis_line_offered_is_the_one_configured()
    {
        await using var app = await ContactFactory.CreateAsync(new Dictionary<string, string?> { ["Directory:CrisisLine"] = "+18665550123" });
        var response = await app.CreateClient().PostAsJsonAsync("/api/cases", new { category = "general-211", language = "en", description = "Scared for my life" });
        var number = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetString()!;
        await using var agent = await DesktopClient.ConnectAsync(app, "agent");
        var detail = await agent.Hub.InvokeAsync<JsonElement>("SetCrisis", number, true);
        Assert.That(detail.GetProperty("crisis").GetBoolean(), Is.True);
        Assert.That(detail.GetProperty("priority").GetString(), Is.EqualTo("urgent"));
        var line = detail.GetProperty("crisisLine");
        Assert.That((line.GetProperty("number").GetString(), line.GetProperty("demo").GetBoolean()), Is.EqualTo(("+18665550123", false)));
    }

    [Test]
    public async Task The_status_page_and_the_api_show_only_the_status_of_a_211_case_with_its_referrals_and_open311_nothing()
    {
        var phone = NewPhone();
        var number = await ClaimedCaseAsync(phone, notify: true);
        var needId = await _ir.RecordNeedAsync(_agent, number, "ZZ-1800");
        await _ir.GiveReferralAsync(_agent, number, "ir-pantry", "ir-l-1", needId);
        await _ir.MarkNeedUnmetAsync(_agent, number, await _ir.RecordNeedAsync(_agent, number, "ZZ-3800"), "no_service_found", "Nothing for rent arrears");
        await _ir.ScheduleFollowUpAsync(_agent, number, DateTimeOffset.UtcNow.AddDays(3), "queue");
        await _ir.SetCrisisAsync(_agent, number, true);

        var api = await App.CreateClient().GetFromJsonAsync<JsonElement>($"/api/cases/{number}");
        var names = api.EnumerateObject().Where(p => p.Value.ValueKind != JsonValueKind.Null).Select(p => p.Name).ToList();
        Assert.That(names, Is.SubsetOf(new[] { "number", "line", "status", "statusText", "updatedAt", "expectedBy", "category", "categoryName", "createdAt" }));
        var text = api.GetRawText();
        foreach (var secret in new[] { "Centretown", "Cupboard", "ZZ-1800", "Emergency Food", "arrears", "crisis", "urgent", "follow" })
        {
            Assert.That(text, Does.Not.Contain(secret).IgnoreCase);
        }

        // To Open311 a 211 case does not exist.
        var open311 = await App.CreateClient().GetAsync($"/open311/v2/requests/{number}.json");
        Assert.That(open311.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        var listed = await App.CreateClient().GetStringAsync("/open311/v2/requests.json");
        Assert.That(listed, Does.Not.Contain(number).And.Not.Contain("Centretown"));

        var browser = App.Browser("en");
        var page = await browser.GetPageAsync($"/requests/{number}");
        Assert.That(page.Body!.TextContent, Does.Not.Contain("Centretown").And.Not.Contain("Emergency Food").And.Not.Contain("crisis"));
        // Even with the resident's own code, needs, referrals and follow-ups stay staff-only.
        var sent = await Html.ParseAsync(await browser.SubmitAsync(page, $"/requests/{number}", [], "main form.send-code-form"));
        var texted = await App.TextAsync($"select body from outbox where kind = 'code' and to_address = '{phone}' order by id desc limit 1");
        var code = System.Text.RegularExpressions.Regex.Match(texted, @"\b\d{6}\b").Value;
        var details = await Html.ParseAsync(await browser.SubmitAsync(sent, $"/requests/{number}", [new("code", code)], "main form.code-form"));
        Assert.That(details.Body!.TextContent, Does.Contain("No food left").And.Not.Contain("Centretown").And.Not.Contain("Emergency Food")
            .And.Not.Contain("rent arrears").And.Not.Contain("Follow-up"));
        Assert.That(await CountAsync("""
            select count(*) from case_events e join cases c on c.id = e.case_id
            where c.number = @number and e.is_public and e.kind not in ('created')
            """, new { number }), Is.EqualTo(0), "no information and referral event is public");
    }
}
