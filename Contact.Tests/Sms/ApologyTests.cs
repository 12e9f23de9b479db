using Contact.Tests.Infrastructure;
using Npgsql;

namespace Contact.Tests.Sms;

/// <summary>When answering a text fails, the apology is in the conversation's language, not the host's.</summary>
public sealed class ApologyTests
{
    private ContactFactory _app = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _app = new ContactFactory(await TestDatabase.CloneAsync(), new Dictionary<string, string?>
    {
        // A statement waiting on a lock is cancelled after a second: a failure that is not an outage.
        ["Database:StatementTimeoutSeconds"] = "1",
    });

    [OneTimeTearDown]
    public async Task StopAsync() => await _app.DisposeAsync();

    [TestCase("+16135557701", "nid-de-poule au 123 rue Principale", "OUI", "Désolé, un problème est survenu. Réessayez dans quelques minutes.")]
    [TestCase("+16135557702", "pothole at 123 Main Street", "YES", "Sorry, something went wrong on our side. Please try again in a few minutes.")]
    public async Task A_failed_answer_apologises_in_the_texters_language_and_remembers_nothing(string phone, string first, string second, string apology)
    {
        var resident = new Texter(_app, phone);
        await resident.TextAsync(first);

        // Another writer holds the conversation's row: saving the answer waits, and is cancelled.
        await using var blocker = new NpgsqlConnection(_app.ConnectionString);
        await blocker.OpenAsync();
        await using var tx = await blocker.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand("select 1 from sms_conversations where phone = @phone for update", blocker, tx))
        {
            lockRow.Parameters.AddWithValue("phone", phone);
            Assert.That(await lockRow.ExecuteScalarAsync(), Is.EqualTo(1));
        }
        var sid = Texter.NewSid();
        Assert.That(await resident.TextAsync(second, messageSid: sid), Is.EqualTo(apology));
        await tx.RollbackAsync();

        Assert.That(await _app.ScalarAsync($"select count(*) from sms_inbound where message_sid = '{sid}'"), Is.Zero, "nothing remembered: Twilio's retry is answered anew");
        Assert.That(await resident.TextAsync(second, messageSid: sid), Does.Not.StartWith(apology[..5]));
    }
}
