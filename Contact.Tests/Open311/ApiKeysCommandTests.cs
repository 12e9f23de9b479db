using System.Net;
using Contact.Core.Open311;
using Contact.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Contact.Tests.Open311;

public sealed class ApiKeysCommandTests
{
    [Test]
    public async Task Apikeys_add_shows_the_key_once_stores_only_its_hash_and_revoke_stops_it()
    {
        var database = await TestDatabase.CloneAsync();
        var (code, output) = await HostProcess.RunAsync(database, null, "apikeys", "add", "fixit-app");
        Assert.That(code, Is.EqualTo(0), output);
        var key = output.Split('\n', StringSplitOptions.TrimEntries).Single(l => l.StartsWith("o311_", StringComparison.Ordinal));
        Assert.That(key, Has.Length.EqualTo(5 + 43), "256 random bits, base64url");

        await using var db = NpgsqlDataSource.Create(database);
        var keys = new ApiKeys(db, new FakeTimeProvider(DateTimeOffset.UtcNow));
        var id = await keys.AuthenticateAsync(key);
        Assert.That(id, Is.Not.Null);
        await using (var command = db.CreateCommand("select count(*) from api_keys where encode(key_hash, 'hex') = encode(sha256(convert_to($1, 'UTF8')), 'hex') and prefix = left($1, 10)"))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = key });
            Assert.That(await command.ExecuteScalarAsync(), Is.EqualTo(1L));
        }
        await using (var command = db.CreateCommand("select count(*) from api_keys where position($1 in encode(key_hash, 'escape')) > 0"))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = key });
            Assert.That(await command.ExecuteScalarAsync(), Is.EqualTo(0L), "the key itself is never stored");
        }

        var (again, duplicate) = await HostProcess.RunAsync(database, null, "apikeys", "add", "fixit-app");
        Assert.That(again, Is.EqualTo(1));
        Assert.That(duplicate, Does.Contain("already an API key named fixit-app"));
        var (bad, why) = await HostProcess.RunAsync(database, null, "apikeys", "add", "Not A Name");
        Assert.That(bad, Is.EqualTo(1));
        Assert.That(why, Does.Contain("not valid"));

        var (listed, list) = await HostProcess.RunAsync(database, null, "apikeys", "list");
        Assert.That(listed, Is.EqualTo(0));
        Assert.That(list, Does.Contain("fixit-app").And.Contain(key[..10]).And.Contain("active").And.Not.Contain(key));

        var (revoked, said) = await HostProcess.RunAsync(database, null, "apikeys", "revoke", "fixit-app");
        Assert.That(revoked, Is.EqualTo(0), said);
        Assert.That(await keys.AuthenticateAsync(key), Is.Null);
        Assert.That((await HostProcess.RunAsync(database, null, "apikeys", "list")).Output, Does.Contain("revoked"));
        Assert.That((await HostProcess.RunAsync(database, null, "apikeys", "revoke", "fixit-app")).Code, Is.EqualTo(1));

        // A case records which key filed it; a revoked key files nothing.
        await using var app = new ContactFactory(database);
        using var client = app.CreateClient();
        var response = await client.PostRequestAsync("xml", Open311Client.Pothole(("api_key", key)));
        await response.XmlErrorsAsync(HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task The_demo_key_is_seeded_once_and_always_has_the_configured_value()
    {
        var database = await TestDatabase.CloneAsync();
        await using (var app = new ContactFactory(database, new Dictionary<string, string?> { ["Seed:Open311ApiKey"] = "first-demo-key" }))
        {
            using var client = app.CreateClient();
            await client.FileAsync(("api_key", "first-demo-key"));
        }
        await using (var app = new ContactFactory(database, new Dictionary<string, string?> { ["Seed:Open311ApiKey"] = "second-demo-key" }))
        {
            using var client = app.CreateClient();
            var id = await client.FileAsync(("api_key", "second-demo-key"));
            await (await client.PostRequestAsync("xml", Open311Client.Pothole(("api_key", "first-demo-key")))).XmlErrorsAsync(HttpStatusCode.Forbidden);
            Assert.That(await app.ScalarAsync("select count(*) from api_keys"), Is.EqualTo(1));
            Assert.That(await app.ScalarAsync($"select count(*) from cases c join api_keys k on k.id = c.api_key_id where c.number = '{id}' and k.name = 'demo'"), Is.EqualTo(1));
        }
    }
}
