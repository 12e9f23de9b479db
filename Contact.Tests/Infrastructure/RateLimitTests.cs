using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Contact.Core.Infrastructure;

namespace Contact.Tests.Infrastructure;

/// <summary>Anonymous reads are limited per client address, an IPv6 client by its /64.</summary>
public sealed class RateLimitTests
{
    private static async Task<HttpStatusCode> GetAsync(HttpClient client, string path, string address)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Test-Client", address);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    [Test]
    public async Task Status_pages_the_case_api_and_open311_reads_are_limited_per_address()
    {
        await using var app = new ContactFactory(await TestDatabase.CloneAsync(),
            new Dictionary<string, string?> { ["RateLimits:PublicReadsPerMinute"] = "3", ["RateLimits:Open311PerMinute"] = "3" });
        var client = app.CreateClient();
        var created = await client.PostAsJsonAsync("/api/cases", new { category = "streetlight-out", language = "en", address = "1 Main St" });
        var number = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetString()!;

        foreach (var path in new[] { $"/requests/{number}", $"/api/cases/{number}", "/open311/v2/services.json" })
        {
            var address = "198.51.100." + Random.Shared.Next(1, 250);
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < 4; i++)
            {
                statuses.Add(await GetAsync(client, path, address));
            }
            Assert.That(statuses, Is.EqualTo(new[] { HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests }), path);
            Assert.That(await GetAsync(client, path, "203.0.113.9" + path.Length % 10), Is.EqualTo(HttpStatusCode.OK), "another address has its own limit");
        }
    }

    [Test]
    public async Task An_ipv6_client_counts_by_its_64()
    {
        await using var app = new ContactFactory(await TestDatabase.CloneAsync(),
            new Dictionary<string, string?> { ["RateLimits:PublicReadsPerMinute"] = "2" });
        var client = app.CreateClient();
        var path = "/requests/" + Contact.Core.Cases.CaseNumber.WithCheckDigit("999999");
        // Unknown numbers answer 404: a walk through numbers counts like any other read.
        Assert.That(await GetAsync(client, path, "2001:db8:1:2::1"), Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await GetAsync(client, path, "2001:db8:1:2:ffff::9"), Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await GetAsync(client, path, "2001:db8:1:2:abcd::7"), Is.EqualTo(HttpStatusCode.TooManyRequests), "same /64");
        Assert.That(await GetAsync(client, path, "2001:db8:1:3::1"), Is.EqualTo(HttpStatusCode.NotFound), "another /64");
    }

    [TestCase("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64")]
    [TestCase("::ffff:192.0.2.4", "192.0.2.4")]
    [TestCase("192.0.2.4", "192.0.2.4")]
    public void Partition_keys(string address, string expected) =>
        Assert.That(ClientAddress.PartitionKey(IPAddress.Parse(address)), Is.EqualTo(expected));
}
