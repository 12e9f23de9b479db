using Contact.Core.Residents;
using Contact.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Contact.Tests.Residents;

/// <summary>The one-time code machinery on its own, against a clock the tests move.</summary>
public sealed class OneTimeCodeTests
{
    private NpgsqlDataSource _db = null!;
    private FakeTimeProvider _clock = null!;
    private OneTimeCodes _codes = null!;
    private string _sent = "";

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        _db = NpgsqlDataSource.Create(await TestDatabase.CloneAsync());
        _clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        _codes = new OneTimeCodes(_db, _clock, Nothing.Outbox);
    }

    [OneTimeTearDown]
    public async Task TearDownAsync() => await _db.DisposeAsync();

    private async Task<CodeSending> SendAsync(string subject, string phone = "+16135550140") =>
        (await _codes.SendAsync(subject, phone, null, "en", code => _sent = $"code {code}")).Outcome;

    private string LastCode => _sent[5..];

    [Test]
    public async Task A_code_lasts_ten_minutes()
    {
        Assert.That(await SendAsync("test:expiry"), Is.EqualTo(CodeSending.Sent));
        _clock.Advance(TimeSpan.FromMinutes(10));
        var verdict = await _codes.VerifyAsync("test:expiry", LastCode);
        Assert.That(verdict.Outcome, Is.EqualTo(CodeCheck.Expired));

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.That(await SendAsync("test:expiry"), Is.EqualTo(CodeSending.Sent));
        _clock.Advance(TimeSpan.FromMinutes(9));
        Assert.That((await _codes.VerifyAsync("test:expiry", LastCode)).Outcome, Is.EqualTo(CodeCheck.Accepted));
    }

    [Test]
    public async Task Wrong_codes_count_across_new_codes_and_the_fifth_locks_for_an_hour()
    {
        const string subject = "test:lock";
        Assert.That(await SendAsync(subject), Is.EqualTo(CodeSending.Sent));
        for (var i = 0; i < 3; i++)
        {
            Assert.That((await _codes.VerifyAsync(subject, Wrong())).TriesLeft, Is.EqualTo(4 - i));
        }
        // Asking for a new code does not reset the count.
        _clock.Advance(OneTimeCodes.ResendAfter);
        Assert.That(await SendAsync(subject), Is.EqualTo(CodeSending.Sent));
        Assert.That((await _codes.VerifyAsync(subject, Wrong())).Outcome, Is.EqualTo(CodeCheck.Wrong));
        var fifth = await _codes.VerifyAsync(subject, Wrong());
        Assert.That(fifth.Outcome, Is.EqualTo(CodeCheck.Locked));
        Assert.That(fifth.LockedUntil, Is.EqualTo(_clock.GetUtcNow() + TimeSpan.FromHours(1)));

        Assert.That((await _codes.VerifyAsync(subject, LastCode)).Outcome, Is.EqualTo(CodeCheck.Locked), "the right code is refused while locked");
        var refused = await _codes.SendAsync(subject, "+16135550140", null, "en", code => code);
        Assert.That(refused.Outcome, Is.EqualTo(CodeSending.Locked));
        Assert.That(refused.LockedUntil, Is.EqualTo(fifth.LockedUntil).Within(TimeSpan.FromMilliseconds(1)), "stored to the microsecond");
        _clock.Advance(TimeSpan.FromMinutes(59));
        Assert.That(await SendAsync(subject), Is.EqualTo(CodeSending.Locked), "still locked after 59 minutes");
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.That(await SendAsync(subject), Is.EqualTo(CodeSending.Sent), "the lock ends after an hour");
        Assert.That((await _codes.VerifyAsync(subject, Wrong())).TriesLeft, Is.EqualTo(4), "a lock that ran out starts the count afresh");
        Assert.That((await _codes.VerifyAsync(subject, LastCode)).Outcome, Is.EqualTo(CodeCheck.Accepted));
    }

    [Test]
    public async Task Only_a_hash_of_the_code_is_kept()
    {
        await SendAsync("test:hash");
        await using var connection = await _db.OpenConnectionAsync();
        var stored = await connection.QuerySingleAsync<byte[]>("select code_hash from one_time_codes where subject = 'test:hash'");
        Assert.That(stored, Has.Length.EqualTo(32));
        Assert.That(System.Text.Encoding.ASCII.GetString(stored), Does.Not.Contain(LastCode));
    }

    [TestCase("+16135550141", null, CodeSending.NoDestination, TestName = "Nothing is sent without a phone")]
    [TestCase("+16135550142", "STOP", CodeSending.NoDestination, TestName = "Nothing is sent to a number that opted out")]
    public async Task Nothing_is_sent_where_no_text_may_go(string phone, string? optOut, CodeSending expected)
    {
        await using var connection = await _db.OpenConnectionAsync();
        if (optOut is not null)
        {
            await connection.ExecuteAsync("insert into sms_opt_outs (phone, keyword, opted_out_at) values (@phone, @optOut, now())", new { phone, optOut });
        }
        var outcome = await _codes.SendAsync("test:" + phone, optOut is null ? null : phone, null, "en", code => code);
        Assert.That(outcome.Outcome, Is.EqualTo(expected));
        Assert.That(await connection.ExecuteScalarAsync<long>("select count(*) from outbox where to_address = @phone", new { phone }), Is.EqualTo(0));
        Assert.That(await connection.ExecuteScalarAsync<long>("select count(*) from one_time_codes where subject = @s", new { s = "test:" + phone }), Is.EqualTo(0));
    }

    private string Wrong() => LastCode == "000000" ? "000001" : "000000";
}
