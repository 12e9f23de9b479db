using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Contact.Core.Notifications;
using Contact.Ivr.Twilio;
using Contact.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Contact.Tests.Notifications;

public sealed class OutboxTests
{
    private ContactFactory _app = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _app = await ContactFactory.CreateAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _app.DisposeAsync();

    private async Task<string> FileAsync(string language = "en", bool notify = true, string phone = "613-555-0142")
    {
        var response = await _app.CreateClient().PostAsJsonAsync("/api/cases", new
        {
            category = "pothole", language, address = "1 Main St", answers = new { size = "small" }, phone, notify,
        });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetString()!;
    }

    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done, int seconds = 30)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var value = await read();
            if (done(value) || DateTime.UtcNow > until)
            {
                return value;
            }
            await Task.Delay(100);
        }
    }

    [Test]
    public async Task A_consenting_residents_received_text_is_written_with_the_case_in_their_language_and_delivered_by_a_job()
    {
        var number = await FileAsync("fr");
        Assert.That(await _app.ScalarAsync($"select count(*) from outbox o join cases c on c.id = o.case_id where c.number = '{number}' and o.kind = 'created' and o.language = 'fr' and o.to_address = '+16135550142' and o.body like '%{number}%Nid-de-poule%'"), Is.EqualTo(1));
        // Development has no Twilio account: the same pipeline ends in the logging sender.
        var sent = await EventuallyAsync(() => _app.ScalarAsync($"select count(*) from outbox o join cases c on c.id = o.case_id where c.number = '{number}' and o.status = 'sent' and o.provider_message_id like 'SMdev%'"), n => n == 1);
        Assert.That(sent, Is.EqualTo(1));
        Assert.That(await _app.ScalarAsync($"select count(*) from outbox_attempts a join outbox o on o.id = a.outbox_id join cases c on c.id = o.case_id where c.number = '{number}' and a.outcome = 'sent'"), Is.EqualTo(1));
    }

    [Test]
    public async Task Without_consent_nothing_is_written()
    {
        var number = await FileAsync(notify: false);
        Assert.That(await _app.ScalarAsync($"select count(*) from outbox o join cases c on c.id = o.case_id where c.number = '{number}'"), Is.EqualTo(0));
    }

    [Test]
    public async Task Resolving_a_case_texts_its_resident_with_the_resolution()
    {
        var number = await FileAsync();
        await using var agent = await Desktop.DesktopClient.ConnectAsync(_app, "agent");
        await Microsoft.AspNetCore.SignalR.Client.HubConnectionExtensions.InvokeAsync<JsonElement>(agent.Hub, "Claim", number);
        await Microsoft.AspNetCore.SignalR.Client.HubConnectionExtensions.InvokeAsync<JsonElement>(agent.Hub, "Resolve", number, "Patched this morning");
        Assert.That(await _app.ScalarAsync($"select count(*) from outbox o join cases c on c.id = o.case_id where c.number = '{number}' and o.kind = 'resolved' and o.body like '%resolved. Patched this morning%'"), Is.EqualTo(1));
    }
}

public sealed class DeliveryTests
{
    private NpgsqlDataSource _db = null!;
    private TwilioStub _stub = null!;
    private FakeTimeProvider _clock = null!;

    [SetUp]
    public async Task SetUpAsync()
    {
        _db = NpgsqlDataSource.Create(await TestDatabase.CloneAsync());
        _stub = await TwilioStub.StartAsync();
        _clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
    }

    [TearDown]
    public async Task TearDownAsync()
    {
        await _stub.DisposeAsync();
        await _db.DisposeAsync();
    }

    private OutboxDelivery Delivery() => new(_db, new TwilioSmsSender(_stub.Client(), Options.Create(new TwilioOptions
    {
        AccountSid = "ACstub",
        AuthToken = "stub-token",
        Lines = new() { ["+16135550311"] = "311", ["+16135550211"] = "211" },
    })), _clock);

    private async Task<long> MessageAsync(string phone = "+16135550142")
    {
        await using var connection = await _db.OpenConnectionAsync();
        var caseId = await connection.ExecuteScalarAsync<long>("""
            insert into cases (line, channel, category_id, language, resident_phone, notify_consent, created_at, updated_at)
            values ('311', 'web', (select id from categories where code = 'pothole'), 'en', @phone, true, now(), now()) returning id
            """, new { phone });
        return await connection.ExecuteScalarAsync<long>("""
            insert into outbox (case_id, to_address, language, kind, body, next_attempt_at, created_at, updated_at)
            values (@caseId, @phone, 'en', 'created', 'Contact: we got your request.', @now, @now, @now) returning id
            """, new { caseId, phone, now = _clock.GetUtcNow() });
    }

    private async Task<(string Status, int Attempts, string? Sid)> RowAsync(long id)
    {
        await using var connection = await _db.OpenConnectionAsync();
        return await connection.QuerySingleAsync<(string, int, string?)>("select status, attempts, provider_message_id from outbox where id = @id", new { id });
    }

    [Test]
    public async Task A_text_is_handed_to_twilio_from_the_lines_number_and_marked_sent()
    {
        var id = await MessageAsync();
        Assert.That(await Delivery().DeliverAsync(id), Is.Null);
        var (status, attempts, sid) = await RowAsync(id);
        Assert.That((status, attempts), Is.EqualTo(("sent", 1)));
        Assert.That(sid, Does.StartWith("SM"));
        Assert.That(_stub.Received.Single()["From"].ToString(), Is.EqualTo("+16135550311"));
        Assert.That(_stub.Received.Single()["To"].ToString(), Is.EqualTo("+16135550142"));
    }

    [Test]
    public async Task A_server_error_is_retried_with_backoff_and_then_sent()
    {
        _stub.Answer = n => n == 1 ? (500, 20500) : (201, null);
        var id = await MessageAsync();
        var wait = await Delivery().DeliverAsync(id);
        Assert.That(wait, Is.EqualTo(OutboxDelivery.Backoff(1)));
        Assert.That((await RowAsync(id)).Status, Is.EqualTo("pending"));
        Assert.That(await Delivery().DeliverAsync(id), Is.Null, "not due yet: nothing happens");
        Assert.That(_stub.Received, Has.Count.EqualTo(1));
        _clock.Advance(wait!.Value);
        await Delivery().DeliverAsync(id);
        Assert.That((await RowAsync(id)).Status, Is.EqualTo("sent"));
        Assert.That(_stub.Received, Has.Count.EqualTo(2));
    }

    [TestCase(21610)]
    [TestCase(21211)]
    [TestCase(21614)]
    public async Task A_permanent_error_is_not_retried(int code)
    {
        _stub.Answer = _ => (400, code);
        var id = await MessageAsync();
        Assert.That(await Delivery().DeliverAsync(id), Is.Null);
        Assert.That((await RowAsync(id)).Status, Is.EqualTo("failed"));
        _clock.Advance(TimeSpan.FromHours(1));
        await Delivery().DeliverAsync(id);
        Assert.That(_stub.Received, Has.Count.EqualTo(1));
        await using var connection = await _db.OpenConnectionAsync();
        Assert.That(await connection.ExecuteScalarAsync<long>("select count(*) from outbox_attempts where outbox_id = @id and error_code = @code", new { id, code }), Is.EqualTo(1));
        Assert.That(await connection.ExecuteScalarAsync<long>("select count(*) from sms_opt_outs where phone = '+16135550142'"), Is.EqualTo(code == 21610 ? 1 : 0));
    }

    [Test]
    public async Task A_job_that_runs_twice_for_one_row_sends_once()
    {
        _stub.Delay = TimeSpan.FromMilliseconds(300);
        var id = await MessageAsync();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Delivery().DeliverAsync(id)));
        Assert.That(_stub.Received, Has.Count.EqualTo(1));
        Assert.That((await RowAsync(id)).Status, Is.EqualTo("sent"));
    }

    [Test]
    public async Task An_opted_out_number_is_sent_nothing()
    {
        var id = await MessageAsync("+16135550150");
        await using (var connection = await _db.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("insert into sms_opt_outs (phone, keyword, opted_out_at) values ('+16135550150', 'STOP', now())");
        }
        await Delivery().DeliverAsync(id);
        Assert.That(_stub.Received, Is.Empty);
        Assert.That((await RowAsync(id)).Status, Is.EqualTo("cancelled"));
    }

    [Test]
    public async Task A_delivery_interrupted_between_claim_and_send_goes_out_once_after_the_sweep()
    {
        var id = await MessageAsync();
        // A host claimed the row and died before sending.
        await using (var connection = await _db.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("update outbox set status = 'sending', attempts = 1, updated_at = @then where id = @id", new { id, then = _clock.GetUtcNow() });
        }
        Assert.That(await Delivery().DueAsync(TimeSpan.FromSeconds(30)), Does.Not.Contain(id), "a fresh claim is left alone");
        _clock.Advance(TimeSpan.FromMinutes(6));
        var due = await Delivery().DueAsync(TimeSpan.FromSeconds(30));
        Assert.That(due, Does.Contain(id));
        foreach (var d in due)
        {
            await Delivery().DeliverAsync(d);
        }
        await Delivery().DeliverAsync(id);
        Assert.That(_stub.Received, Has.Count.EqualTo(1));
        Assert.That((await RowAsync(id)).Status, Is.EqualTo("sent"));
    }

    [Test]
    public async Task Twilios_status_callback_updates_the_row()
    {
        var id = await MessageAsync();
        await Delivery().DeliverAsync(id);
        var sid = (await RowAsync(id)).Sid!;
        Assert.That(await Delivery().RecordStatusAsync(sid, "delivered", null), Is.True);
        Assert.That((await RowAsync(id)).Status, Is.EqualTo("delivered"));
        // A late "sent" does not undo "delivered".
        await Delivery().RecordStatusAsync(sid, "sent", null);
        Assert.That((await RowAsync(id)).Status, Is.EqualTo("delivered"));
        Assert.That(await Delivery().RecordStatusAsync("SMunknown", "delivered", null), Is.False);
    }
}

public sealed class JobsDashboardTests
{
    [Test]
    public async Task The_jobs_dashboard_is_for_supervisors_and_admins_only()
    {
        await using var app = await ContactFactory.CreateAsync();
        var anonymous = await app.CreateClient(new() { AllowAutoRedirect = false }).GetAsync("/jobs");
        Assert.That((int)anonymous.StatusCode, Is.AnyOf(401, 403));

        foreach (var (user, allowed) in new[] { ("agent", false), ("provider", false), ("supervisor", true), ("admin", true) })
        {
            var cookie = await Desktop.DesktopClient.SignInAsync(app, user);
            using var request = new HttpRequestMessage(HttpMethod.Get, "/jobs");
            request.Headers.Add("Cookie", cookie);
            var response = await app.CreateClient(new() { AllowAutoRedirect = false }).SendAsync(request);
            Assert.That(response.StatusCode == HttpStatusCode.OK, Is.EqualTo(allowed), user);
        }
    }
}
