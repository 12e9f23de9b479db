using Contact.Core.Staff;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Contact.Tests.Staff;

public sealed class UsersCommandTests
{
    [Test]
    public async Task Users_add_creates_an_account_whose_password_comes_from_standard_input()
    {
        var database = await TestDatabase.CloneAsync();
        var (code, output) = await HostProcess.RunAsync(database, "a long passphrase", "users", "add", "jdoe", "--role", "agent", "--languages", "en,fr", "--phone", "613-555-0188", "--display-name", "Jo Doe");
        Assert.That(code, Is.EqualTo(0), output);
        Assert.That(output, Does.Contain("Created jdoe"));

        await using var db = NpgsqlDataSource.Create(database);
        var staff = new StaffDirectory(db, new FakeTimeProvider(DateTimeOffset.UtcNow));
        var signedIn = await staff.SignInAsync("jdoe", "a long passphrase");
        Assert.That(signedIn.Member?.Languages, Is.EqualTo(new[] { "en", "fr" }));
        Assert.That(signedIn.Member?.DisplayName, Is.EqualTo("Jo Doe"));
        Assert.That((await staff.SignInAsync("jdoe", "wrong")).Member, Is.Null);

        var (again, message) = await HostProcess.RunAsync(database, "another", "users", "add", "jdoe", "--role", "agent");
        Assert.That(again, Is.EqualTo(1));
        Assert.That(message, Does.Contain("already an account named jdoe"));
        var (badRole, why) = await HostProcess.RunAsync(database, "x1234", "users", "add", "sam", "--role", "wizard");
        Assert.That(badRole, Is.EqualTo(1));
        Assert.That(why, Does.Contain("Unknown role wizard"));
    }
}
