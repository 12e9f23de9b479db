using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Contact.Tests.Infrastructure;

namespace Contact.Tests.Sla;

public sealed class EscalationTests
{
    private static async Task<long> EventuallyAsync(ContactFactory app, string sql, long expected, int seconds)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        long value;
        do
        {
            value = await app.ScalarAsync(sql);
            if (value >= expected)
            {
                return value;
            }
            await Task.Delay(200);
        }
        while (DateTime.UtcNow < until);
        return value;
    }

    [Test]
    public async Task A_case_with_a_short_target_escalates_through_every_step_exactly_once_with_two_job_servers()
    {
        var database = await TestDatabase.CloneAsync();
        await using (var setup = new ContactFactory(database))
        {
            // Graffiti, counted around the clock: first response in 2 s, resolution in 4 s; warned at half, manager told at 150%.
            await setup.ScalarAsync("""
                update sla_policies set calendar_id = (select id from business_calendars where code = 'always-open'),
                       first_response = interval '2 seconds', resolution = interval '4 seconds', warning_percent = 50,
                       second_breach_percent = 150, escalation_phone = '+16135550100'
                where category_id = (select id from categories where code = 'graffiti') and priority is null
                returning 1
                """);
        }
        // Two hosts, each with its own Hangfire server, on one database.
        await using var first = new ContactFactory(database);
        await using var second = new ContactFactory(database);
        _ = second.Server;
        var response = await first.CreateClient().PostAsJsonAsync("/api/cases", new
        {
            category = "graffiti", language = "en", address = "9 Clarence St", answers = new { surfaces = new[] { "wall" } },
        });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var number = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetString();
        var caseId = $"(select id from cases where number = '{number}')";

        var steps = await EventuallyAsync(first, $"select count(*) from sla_escalations where case_id = {caseId}", 6, seconds: 30);
        Assert.That(steps, Is.EqualTo(6), "warning, breach and second breach of both clocks");
        await Task.Delay(2500);
        Assert.That(await first.ScalarAsync($"select count(*) from sla_escalations where case_id = {caseId}"), Is.EqualTo(6), "and each only once");
        Assert.That(await first.ScalarAsync($"select count(*) from case_events where case_id = {caseId} and kind like 'sla_%'"), Is.EqualTo(6));
        Assert.That(await first.ScalarAsync($"select count(distinct (kind, data->>'clock')) from case_events where case_id = {caseId} and kind like 'sla_%'"), Is.EqualTo(6));
        // Two breaches: priority raised twice, into the escalations queue; the manager told twice.
        Assert.That(await first.ScalarAsync($"select count(*) from cases where id = {caseId} and priority = 'urgent' and queue = 'escalations'"), Is.EqualTo(1));
        Assert.That(await first.ScalarAsync($"select count(*) from outbox where case_id = {caseId} and kind = 'manager_breach' and to_address = '+16135550100'"), Is.EqualTo(2));
        Assert.That(await first.ScalarAsync($"select count(*) from cases where id = {caseId} and sla_next_check_at is null"), Is.EqualTo(1), "nothing left to check");
        // Each step fired close to when it was due.
        var lateMs = await first.ScalarAsync($"select (max(extract(epoch from done_at - due_at)) * 1000)::bigint from sla_escalations where case_id = {caseId}");
        Assert.That(lateMs, Is.LessThan(5000));
        TestContext.Out.WriteLine($"Latest step fired {lateMs} ms after it was due");
    }

    [Test]
    public async Task A_paused_case_does_not_escalate_and_the_sweep_leaves_it_alone()
    {
        await using var app = await ContactFactory.CreateAsync();
        var response = await app.CreateClient().PostAsJsonAsync("/api/cases", new { category = "pothole", language = "en", address = "1 Main St", answers = new { size = "small" } });
        var number = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetString();
        await app.ScalarAsync($"update cases set sla_paused_at = now(), status = 'waiting_on_resident', sla_next_check_at = now() - interval '1 minute' where number = '{number}' returning 1");
        var escalator = (Contact.Core.Sla.SlaEscalator)app.Services.GetService(typeof(Contact.Core.Sla.SlaEscalator))!;
        var id = await app.ScalarAsync($"select id from cases where number = '{number}'");
        Assert.That(await escalator.CheckAsync(id), Is.Null);
        Assert.That(await app.ScalarAsync($"select count(*) from sla_escalations where case_id = {id}"), Is.EqualTo(0));
        Assert.That(await escalator.DueAsync(), Does.Not.Contain(id));
    }
}
