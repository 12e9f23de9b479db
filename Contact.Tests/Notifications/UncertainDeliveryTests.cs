using System.Globalization;
using Contact.Core.Notifications;
using Contact.Ivr.Twilio;
using Contact.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Contact.Tests.Notifications;

/// <summary>The host was killed mid-delivery: the exception ends the delivery where it stands.</summary>
public sealed class HostKilledException() : Exception("The host was killed.");

/// <summary>
/// A carrier in memory: it keeps every text it accepted, can be down until a time, can accept a text and then
/// "kill the host" before the outcome is recorded, and can stand for Twilio without an account.
/// </summary>
public sealed class FakeCarrier(TimeProvider clock) : ISmsSender
{
    private readonly List<(string To, string Line, string Body, string Sid, DateTimeOffset At)> _accepted = [];

    /// <summary>Whether the carrier has an account (false: Twilio not configured).</summary>
    public bool CanSend { get; set; } = true;

    /// <summary>Until when the carrier cannot be reached.</summary>
    public DateTimeOffset DownUntil { get; set; } = DateTimeOffset.MinValue;

    /// <summary>The next text is accepted, then the host dies before it records so.</summary>
    public bool CrashAfterAccept { get; set; }

    /// <summary>How often anything asked the carrier to send (accepted or not).</summary>
    public int SendCalls;

    /// <summary>The texts accepted.</summary>
    public IReadOnlyList<(string To, string Line, string Body, string Sid, DateTimeOffset At)> Accepted
    {
        get
        {
            lock (_accepted)
            {
                return [.. _accepted];
            }
        }
    }

    public Task<SmsSendResult> SendAsync(string to, string body, string line, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref SendCalls);
        if (clock.GetUtcNow() < DownUntil)
        {
            throw new HttpRequestException("Twilio is unreachable");
        }
        var sid = "SM" + Guid.NewGuid().ToString("N");
        lock (_accepted)
        {
            _accepted.Add((to, line, body, sid, clock.GetUtcNow()));
        }
        if (CrashAfterAccept)
        {
            CrashAfterAccept = false;
            throw new HostKilledException();
        }
        return Task.FromResult(new SmsSendResult("sent", sid));
    }

    public Task<SmsLookupResult> FindSentAsync(string to, string line, DateTimeOffset since, string body, IReadOnlySet<string> except, CancellationToken cancellationToken)
    {
        if (clock.GetUtcNow() < DownUntil)
        {
            throw new HttpRequestException("Twilio is unreachable");
        }
        var found = Accepted.LastOrDefault(m => m.To == to && m.Line == line && m.Body == body && m.At >= since && !except.Contains(m.Sid));
        return Task.FromResult(found.Sid is null ? SmsLookupResult.Absent : SmsLookupResult.Found(found.Sid, "sent"));
    }
}

/// <summary>The outbox never resends blindly, rides out a Twilio outage, gives up by age, and waits for an account.</summary>
public sealed class UncertainDeliveryTests
{
    private NpgsqlDataSource _db = null!;
    private FakeTimeProvider _clock = null!;
    private FakeCarrier _carrier = null!;

    [SetUp]
    public async Task SetUpAsync()
    {
        _db = NpgsqlDataSource.Create(await TestDatabase.CloneAsync());
        _clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        _carrier = new FakeCarrier(_clock);
    }

    [TearDown]
    public async Task TearDownAsync() => await _db.DisposeAsync();

    private OutboxDelivery Delivery() => new(_db, _carrier, _clock);

    private async Task<long> MessageAsync(string body = "Contact: we got your request.", TimeSpan? age = null, string phone = "+16135550142")
    {
        await using var connection = await _db.OpenConnectionAsync();
        var caseId = await connection.ExecuteScalarAsync<long>("""
            insert into cases (line, channel, category_id, language, resident_phone, notify_consent, created_at, updated_at)
            values ('311', 'web', (select id from categories where code = 'pothole'), 'en', @phone, true, now(), now()) returning id
            """, new { phone });
        var now = _clock.GetUtcNow();
        return await connection.ExecuteScalarAsync<long>("""
            insert into outbox (case_id, to_address, language, kind, body, next_attempt_at, created_at, updated_at)
            values (@caseId, @phone, 'en', 'created', @body, @now, @created, @now) returning id
            """, new { caseId, phone, body, now, created = now - (age ?? TimeSpan.Zero) });
    }

    private async Task<(string Status, int Attempts, string? Sid, string? LastError)> RowAsync(long id)
    {
        await using var connection = await _db.OpenConnectionAsync();
        return await connection.QuerySingleAsync<(string, int, string?, string?)>(
            "select status, attempts, provider_message_id, last_error from outbox where id = @id", new { id });
    }

    /// <summary>What the minute sweep does: every due row delivered, until none is due.</summary>
    private async Task SweepAsync()
    {
        var delivery = Delivery();
        for (var round = 0; round < 20; round++)
        {
            var due = await delivery.DueAsync(TimeSpan.Zero);
            if (due.Count == 0)
            {
                return;
            }
            foreach (var id in due)
            {
                await delivery.DeliverAsync(id);
            }
        }
    }

    [Test]
    public async Task A_text_twilio_accepted_before_the_host_died_is_found_there_and_not_sent_again()
    {
        var id = await MessageAsync();
        _carrier.CrashAfterAccept = true;
        Assert.ThrowsAsync<HostKilledException>(() => Delivery().DeliverAsync(id));
        Assert.That((await RowAsync(id)).Status, Is.EqualTo("sending"));

        await SweepAsync();
        Assert.That((await RowAsync(id)).Status, Is.EqualTo("sending"), "a fresh claim is left alone");

        _clock.Advance(TimeSpan.FromMinutes(6));
        var due = await Delivery().DueAsync(TimeSpan.FromSeconds(30));
        Assert.That(due, Does.Contain(id));
        Assert.That((await RowAsync(id)).Status, Is.EqualTo("uncertain"), "never put back to pending blindly");
        await SweepAsync();

        var (status, attempts, sid, _) = await RowAsync(id);
        Assert.That(_carrier.Accepted, Has.Count.EqualTo(1), "sent exactly once");
        Assert.That((status, attempts, sid), Is.EqualTo(("sent", 1, _carrier.Accepted.Single().Sid)));
        Assert.That(_carrier.SendCalls, Is.EqualTo(1));
        await using var connection = await _db.OpenConnectionAsync();
        Assert.That(await connection.QueryAsync<string>("select outcome from outbox_attempts where outbox_id = @id order by id", new { id }),
            Is.EqualTo(new[] { "interrupted", "found" }));
    }

    [Test]
    public async Task A_text_the_host_died_before_handing_over_is_not_found_and_is_sent_once()
    {
        var id = await MessageAsync();
        await using (var connection = await _db.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("update outbox set status = 'sending', attempts = 1, claimed_at = @now, updated_at = @now where id = @id",
                new { id, now = _clock.GetUtcNow() });
        }
        _clock.Advance(TimeSpan.FromMinutes(6));
        await SweepAsync();
        Assert.That(_carrier.Accepted, Has.Count.EqualTo(1));
        Assert.That(await RowAsync(id), Is.EqualTo(("sent", 2, _carrier.Accepted.Single().Sid, (string?)null)));
    }

    [Test]
    public async Task A_thirty_minute_twilio_outage_delivers_every_text_exactly_once_and_fails_none()
    {
        // One text Twilio took just before it went down, the host dying before it recorded so.
        var crashed = await MessageAsync("Text 0");
        _carrier.CrashAfterAccept = true;
        Assert.ThrowsAsync<HostKilledException>(() => Delivery().DeliverAsync(crashed));
        var ids = new List<long> { crashed };
        _carrier.DownUntil = _clock.GetUtcNow() + TimeSpan.FromMinutes(30);
        for (var i = 1; i <= 5; i++)
        {
            ids.Add(await MessageAsync("Text " + i.ToString(CultureInfo.InvariantCulture)));
        }
        // Every fake minute for two hours, the sweep; new texts keep arriving during the outage.
        for (var minute = 0; minute < 120; minute++)
        {
            if (minute is 10 or 20)
            {
                ids.Add(await MessageAsync("Text at minute " + minute.ToString(CultureInfo.InvariantCulture)));
            }
            await SweepAsync();
            if (minute == 15)
            {
                Assert.That((await RowAsync(crashed)).Status, Is.EqualTo("uncertain"), "Twilio cannot be asked: it waits, uncertain");
            }
            _clock.Advance(TimeSpan.FromMinutes(1));
        }
        Assert.That(_carrier.Accepted.GroupBy(m => m.Body).Select(g => g.Count()), Has.All.EqualTo(1), "no text twice");
        Assert.That(_carrier.Accepted, Has.Count.EqualTo(ids.Count), "every text once");
        foreach (var id in ids)
        {
            Assert.That((await RowAsync(id)).Status, Is.EqualTo("sent"), "text " + id.ToString(CultureInfo.InvariantCulture));
        }
    }

    [Test]
    public async Task A_text_gives_up_by_age_not_by_attempts()
    {
        var old = await MessageAsync("Old", TimeSpan.FromHours(24) + TimeSpan.FromMinutes(1));
        var recent = await MessageAsync("Recent", TimeSpan.FromHours(23));
        _carrier.DownUntil = _clock.GetUtcNow() + TimeSpan.FromMinutes(1);

        Assert.That(await Delivery().DeliverAsync(old), Is.Null);
        var (status, attempts, _, error) = await RowAsync(old);
        Assert.That((status, attempts), Is.EqualTo(("failed", 0)), "past its age: given up without an attempt");
        Assert.That(error, Does.Contain("Given up: not sent within 24 hours"));

        Assert.That(await Delivery().DeliverAsync(recent), Is.EqualTo(OutboxDelivery.Backoff(1)), "at 23 hours: still retried");
        Assert.That((await RowAsync(recent)).Status, Is.EqualTo("pending"));
        Assert.That(_carrier.Accepted, Is.Empty);

        // Many more attempts than the old limit of eight, within the day: still retried.
        var tries = await MessageAsync("Tries", TimeSpan.FromHours(20));
        _carrier.DownUntil = _clock.GetUtcNow() + TimeSpan.FromHours(5);
        var start = _clock.GetUtcNow();
        while (_clock.GetUtcNow() < start + TimeSpan.FromHours(5))
        {
            await Delivery().DeliverAsync(tries);
            _clock.Advance(TimeSpan.FromMinutes(10));
        }
        (status, attempts, _, error) = await RowAsync(tries);
        Assert.That(status, Is.EqualTo("failed"));
        Assert.That(attempts, Is.GreaterThan(8));
        Assert.That(error, Does.Contain("Given up"));
    }

    [Test]
    public async Task A_retry_that_fails_past_the_age_gives_up()
    {
        var id = await MessageAsync(age: TimeSpan.FromHours(24) - TimeSpan.FromSeconds(1));
        _carrier.DownUntil = DateTimeOffset.MaxValue;
        var wait = await Delivery().DeliverAsync(id);
        Assert.That(wait, Is.EqualTo(OutboxDelivery.Backoff(1)));
        _clock.Advance(wait!.Value);
        Assert.That(await Delivery().DeliverAsync(id), Is.Null);
        Assert.That(_carrier.SendCalls, Is.EqualTo(1), "the second attempt is past the age: not made");
        var (status, attempts, _, error) = await RowAsync(id);
        Assert.That((status, attempts), Is.EqualTo(("failed", 1)));
        Assert.That(error, Does.Contain("Given up").And.Contain("Twilio is unreachable"));
    }

    [Test]
    public async Task The_give_up_age_is_a_setting()
    {
        var id = await MessageAsync(age: TimeSpan.FromHours(2));
        var delivery = new OutboxDelivery(_db, _carrier, _clock, options: Options.Create(new NotificationOptions { GiveUpAfter = TimeSpan.FromHours(1) }));
        await delivery.DeliverAsync(id);
        Assert.That((await RowAsync(id)).Status, Is.EqualTo("failed"));
        Assert.That((await RowAsync(id)).LastError, Does.Contain("within 1 hours"));
    }

    [Test]
    public async Task Without_a_twilio_account_nothing_is_attempted_nor_counted()
    {
        _carrier.CanSend = false;
        var id = await MessageAsync();
        for (var minute = 0; minute < 30; minute++)
        {
            Assert.That(await Delivery().DueAsync(TimeSpan.Zero), Is.Empty);
            Assert.That(await Delivery().DeliverAsync(id), Is.Null);
            _clock.Advance(TimeSpan.FromMinutes(1));
        }
        Assert.That(await RowAsync(id), Is.EqualTo(("pending", 0, (string?)null, (string?)null)));
        Assert.That(_carrier.SendCalls, Is.EqualTo(0));

        // An account arrives: the text goes, at its first attempt.
        _carrier.CanSend = true;
        await SweepAsync();
        Assert.That((await RowAsync(id)).Status, Is.EqualTo("sent"));
        Assert.That((await RowAsync(id)).Attempts, Is.EqualTo(1));
    }

    [Test]
    public void The_host_without_a_twilio_account_outside_development_cannot_send()
    {
        var sender = new UnconfiguredSmsSender(Microsoft.Extensions.Logging.Abstractions.NullLogger<UnconfiguredSmsSender>.Instance);
        Assert.That(sender.CanSend, Is.False);
    }
}

/// <summary>The Twilio lookup: what MessageResource.Read asks for, and what its answers come to.</summary>
public sealed class TwilioLookupTests
{
    private TwilioStub _stub = null!;

    [SetUp]
    public async Task SetUpAsync() => _stub = await TwilioStub.StartAsync();

    [TearDown]
    public async Task TearDownAsync() => await _stub.DisposeAsync();

    private TwilioSmsSender Sender() => new(_stub.Client(), Options.Create(new TwilioOptions
    {
        AccountSid = "ACstub",
        AuthToken = "stub-token",
        Lines = new() { ["+16135550311"] = "311", ["+16135550211"] = "211" },
    }));

    [Test]
    public async Task A_sent_text_is_found_by_recipient_line_number_time_and_body()
    {
        var since = DateTimeOffset.UtcNow.AddMinutes(-1);
        var sent = await Sender().SendAsync("+16135550142", "Contact: we got your request 1000002.", "211", CancellationToken.None);
        await Sender().SendAsync("+16135550142", "Another text.", "211", CancellationToken.None);

        var found = await Sender().FindSentAsync("+16135550142", "211", since, "Contact: we got your request 1000002.", new HashSet<string>(), CancellationToken.None);
        Assert.That(found, Is.EqualTo(SmsLookupResult.Found(sent.MessageSid!, "delivered")));
        var query = _stub.Listed.Last();
        Assert.That(query["To"].ToString(), Is.EqualTo("+16135550142"));
        Assert.That(query["From"].ToString(), Is.EqualTo("+16135550211"), "from the line's number");
        Assert.That(DateTimeOffset.Parse(query["DateSent>"].ToString(), CultureInfo.InvariantCulture), Is.EqualTo(since).Within(TimeSpan.FromSeconds(1)));
        Assert.That(query["PageSize"].ToString(), Is.EqualTo(TwilioSmsSender.LookupLimit.ToString(CultureInfo.InvariantCulture)));

        Assert.That(await Sender().FindSentAsync("+16135550142", "211", since, "A text never sent.", new HashSet<string>(), CancellationToken.None),
            Is.EqualTo(SmsLookupResult.Absent));
        Assert.That(await Sender().FindSentAsync("+16135550142", "311", since, "Another text.", new HashSet<string>(), CancellationToken.None),
            Is.EqualTo(SmsLookupResult.Absent), "not from the other line's number");
        Assert.That(await Sender().FindSentAsync("+16135550142", "211", since, "Contact: we got your request 1000002.", new HashSet<string> { sent.MessageSid! }, CancellationToken.None),
            Is.EqualTo(SmsLookupResult.Absent), "a text already matched to another row is not this one");
        Assert.That(await Sender().FindSentAsync("+16135550142", "211", DateTimeOffset.UtcNow.AddMinutes(5), "Another text.", new HashSet<string>(), CancellationToken.None),
            Is.EqualTo(SmsLookupResult.Absent), "not before the claim");
    }

    [TestCase(500)]
    [TestCase(429)]
    public async Task Twilio_unreachable_is_no_answer(int status)
    {
        _stub.ListAnswer = (status, 20500);
        var found = await Sender().FindSentAsync("+16135550142", "311", DateTimeOffset.UtcNow, "Anything.", new HashSet<string>(), CancellationToken.None);
        Assert.That(found.Outcome, Is.EqualTo("unknown"));
    }
}
