using Contact.Tests.Infrastructure;
using Contact.Core.Infrastructure;
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
        var staff = new StaffDirectory(db, new FakeTimeProvider(DateTimeOffset.UtcNow), new ChangeFeed(db));
        var signedIn = await staff.SignInAsync("jdoe", "a long passphrase", "127.0.0.1");
        Assert.That(signedIn.Member?.Languages, Is.EqualTo(new[] { "en", "fr" }));
        Assert.That(signedIn.Member?.DisplayName, Is.EqualTo("Jo Doe"));
        Assert.That((await staff.SignInAsync("jdoe", "wrong", "127.0.0.1")).Member, Is.Null);

        var (again, message) = await HostProcess.RunAsync(database, "another long passphrase", "users", "add", "jdoe", "--role", "agent");
        Assert.That(again, Is.EqualTo(1));
        Assert.That(message, Does.Contain("already an account named jdoe"));
        var (badRole, why) = await HostProcess.RunAsync(database, "x1234", "users", "add", "sam", "--role", "wizard");
        Assert.That(badRole, Is.EqualTo(1));
        Assert.That(why, Does.Contain("Unknown role wizard"));

        var (weak, weakWhy) = await HostProcess.RunAsync(database, "short", "users", "add", "sam", "--role", "agent");
        Assert.That(weak, Is.EqualTo(1));
        Assert.That(weakWhy, Does.Contain("at least 12 characters"));
        var (common, commonWhy) = await HostProcess.RunAsync(database, "Password1234", "users", "add", "sam", "--role", "agent");
        Assert.That(common, Is.EqualTo(1));
        Assert.That(commonWhy, Does.Contain("common passwords"));

        var (disabled, said) = await HostProcess.RunAsync(database, "", "users", "disable", "jdoe");
        Assert.That(disabled, Is.EqualTo(0), said);
        Assert.That((await staff.SignInAsync("jdoe", "a long passphrase", "127.0.0.1")).Member, Is.Null, "a disabled account cannot sign in");
        var (listed, list) = await HostProcess.RunAsync(database, "", "users", "list");
        Assert.That(listed, Is.EqualTo(0));
        Assert.That(list, Does.Match(@"jdoe\s+agent\s+disabled"));
        Assert.That((await HostProcess.RunAsync(database, "", "users", "enable", "jdoe")).Item1, Is.EqualTo(0));
        Assert.That((await HostProcess.RunAsync(database, "a brand new passphrase", "users", "set-password", "jdoe")).Item1, Is.EqualTo(0));
        Assert.That((await staff.SignInAsync("jdoe", "a long passphrase", "127.0.0.1")).Member, Is.Null, "the old password no longer works");
        Assert.That((await staff.SignInAsync("jdoe", "a brand new passphrase", "127.0.0.1")).Member, Is.Not.Null);
    }
}

public sealed class StaffCookieTests
{
    private static async Task<System.Net.HttpStatusCode> MeAsync(ContactFactory app, string cookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/staff/me");
        request.Headers.Add("Cookie", cookie);
        using var response = await app.CreateClient(new() { HandleCookies = false }).SendAsync(request);
        return response.StatusCode;
    }

    [Test]
    public async Task A_cookie_stops_working_once_its_account_is_disabled_or_given_a_new_password()
    {
        await using var app = await ContactFactory.CreateAsync(new Dictionary<string, string?> { ["Staff:RevalidateSeconds"] = "0" });
        await using var db = NpgsqlDataSource.Create(app.ConnectionString);
        var staff = new StaffDirectory(db, TimeProvider.System, new ChangeFeed(db));
        var cookie = await Desktop.DesktopClient.SignInAsync(app, "agent");
        Assert.That(await MeAsync(app, cookie), Is.EqualTo(System.Net.HttpStatusCode.OK));
        Assert.That(await staff.SetActiveAsync("agent", false), Is.True);
        Assert.That(await MeAsync(app, cookie), Is.EqualTo(System.Net.HttpStatusCode.Unauthorized), "disabled");
        Assert.That(await staff.SetActiveAsync("agent", true), Is.True);
        Assert.That(await MeAsync(app, cookie), Is.EqualTo(System.Net.HttpStatusCode.Unauthorized), "enabling again does not revive an old cookie");

        var fresh = await Desktop.DesktopClient.SignInAsync(app, "supervisor");
        Assert.That(await MeAsync(app, fresh), Is.EqualTo(System.Net.HttpStatusCode.OK));
        Assert.That(await staff.SetPasswordAsync("supervisor", "a completely new passphrase"), Is.True);
        Assert.That(await MeAsync(app, fresh), Is.EqualTo(System.Net.HttpStatusCode.Unauthorized), "new password");
    }
}
