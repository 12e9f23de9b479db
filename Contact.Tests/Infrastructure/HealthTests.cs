using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace Contact.Tests.Infrastructure;

public sealed class HealthTests
{
    [Test]
    public async Task Health_is_200_with_the_database_time_and_503_when_the_database_does_not_answer()
    {
        await using var app = await ContactFactory.CreateAsync();
        var client = app.CreateClient();

        var healthy = await client.GetAsync("/health");
        Assert.That(healthy.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var body = await healthy.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(body.GetProperty("checks").GetProperty("database").GetProperty("responseTimeMs").GetDouble(), Is.GreaterThan(0));

        var database = new NpgsqlConnectionStringBuilder(app.ConnectionString).Database;
        await using (var admin = new NpgsqlConnection(TestDatabase.Server.ConnectionString()))
        {
            await admin.OpenAsync();
            await using var cut = new NpgsqlCommand(
                $"alter database {database} with allow_connections false; select pg_terminate_backend(pid) from pg_stat_activity where datname = '{database}'", admin);
            await cut.ExecuteNonQueryAsync();
        }
        try
        {
            var unhealthy = await client.GetAsync("/health");
            Assert.That(unhealthy.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        }
        finally
        {
            await using var admin = new NpgsqlConnection(TestDatabase.Server.ConnectionString());
            await admin.OpenAsync();
            await using var restore = new NpgsqlCommand($"alter database {database} with allow_connections true", admin);
            await restore.ExecuteNonQueryAsync();
        }
        NpgsqlConnection.ClearAllPools();
        Assert.That((await client.GetAsync("/health")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Public_writes_past_the_rate_limit_get_429_and_reads_count_apart()
    {
        await using var app = new ContactFactory(await TestDatabase.CloneAsync(), new Dictionary<string, string?> { ["RateLimits:PublicWritesPerMinute"] = "2" });
        var client = app.CreateClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            statuses.Add((await client.PostAsJsonAsync("/api/cases", new { category = "streetlight-out", language = "en", address = "1 Main St" })).StatusCode);
            Assert.That((await client.GetAsync("/api/catalog")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }
        Assert.That(statuses, Is.EqualTo(new[] { HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.TooManyRequests }));
        Assert.That(await app.ScalarAsync("select count(*) from cases"), Is.EqualTo(2));
    }
}
