using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Contact.Tests.Desktop;
using Npgsql;

namespace Contact.Tests.Infrastructure;

/// <summary>The host behind a proxy: client addresses, cookies, HSTS, security headers, health, webhook limits.</summary>
public sealed class HostSecurityTests
{
    [TestCase("/")]
    [TestCase("/requests/1000000")]
    [TestCase("/api/catalog")]
    [TestCase("/no-such-page")]
    [TestCase("/agent")]
    public async Task Every_response_carries_the_security_headers(string path)
    {
        await using var app = await ContactFactory.CreateAsync();
        var response = await app.CreateClient(new() { AllowAutoRedirect = false }).GetAsync(path);
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        var scripts = csp.Split(';').Select(d => d.Trim()).Single(d => d.StartsWith("script-src", StringComparison.Ordinal));
        Assert.Multiple(() =>
        {
            Assert.That(scripts, Is.EqualTo("script-src 'self'"), "no inline or eval scripts");
            Assert.That(csp, Does.Contain("frame-ancestors 'none'"));
            Assert.That(csp, Does.Contain("style-src 'self';"));
            Assert.That(response.Headers.GetValues("X-Content-Type-Options").Single(), Is.EqualTo("nosniff"));
            Assert.That(response.Headers.GetValues("Referrer-Policy").Single(), Is.EqualTo("no-referrer"));
            Assert.That(response.Headers.GetValues("X-Frame-Options").Single(), Is.EqualTo("DENY"));
        });
    }

    [Test]
    public async Task Health_says_unhealthy_without_the_exception_text()
    {
        await using var app = await ContactFactory.CreateAsync();
        var client = app.CreateClient();
        var healthy = await client.GetFromJsonAsync<JsonElement>("/health");
        Assert.That(healthy.GetProperty("status").GetString(), Is.EqualTo("healthy"));

        await using (DatabaseOutage.Begin(app.ConnectionString))
        {
            var response = await client.GetAsync("/health");
            var text = await response.Content.ReadAsStringAsync();
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(text, Does.Contain("unhealthy").And.Not.Contain("error").And.Not.Contain("connections"));
        }
        Assert.That((await client.GetAsync("/health")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "healthy again once the database is back");
    }

    [Test]
    public async Task Behind_a_known_proxy_rate_limits_count_the_forwarded_client()
    {
        await using var app = new ContactFactory(await TestDatabase.CloneAsync(), new Dictionary<string, string?>
        {
            ["RateLimits:PublicReadsPerMinute"] = "2",
            ["ForwardedHeaders:KnownProxies:0"] = "10.0.0.1",
        });
        var client = app.CreateClient();

        async Task<HttpStatusCode> GetAsync(string from, string? forwardedFor)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/catalog");
            request.Headers.Add(ContactFactory.TestClientHeader, from);
            if (forwardedFor is not null)
            {
                request.Headers.Add("X-Forwarded-For", forwardedFor);
            }
            using var response = await client.SendAsync(request);
            return response.StatusCode;
        }

        // Two residents behind the one proxy each have their own allowance.
        Assert.That(await GetAsync("10.0.0.1", "203.0.113.5"), Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await GetAsync("10.0.0.1", "203.0.113.5"), Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await GetAsync("10.0.0.1", "203.0.113.5"), Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(await GetAsync("10.0.0.1", "203.0.113.6"), Is.EqualTo(HttpStatusCode.OK));
        // A client that is not the proxy cannot choose its address by sending the header itself.
        Assert.That(await GetAsync("198.51.100.7", "203.0.113.50"), Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await GetAsync("198.51.100.7", "203.0.113.51"), Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await GetAsync("198.51.100.7", "203.0.113.52"), Is.EqualTo(HttpStatusCode.TooManyRequests));
    }

    [Test]
    public async Task Outside_development_cookies_are_secure_and_https_answers_carry_hsts()
    {
        await using var app = new ContactFactory(await TestDatabase.CloneAsync(), new Dictionary<string, string?>
        {
            ["environment"] = "Production",
            ["Twilio:AuthToken"] = "test-token",
            ["DataProtection:KeyEncryptionKey"] = DataProtectionTests.TestKey,
        });
        var client = app.CreateClient(new() { BaseAddress = new Uri("https://contact.example.org"), AllowAutoRedirect = false });
        var response = await client.GetAsync("/api/staff/antiforgery");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var cookies = response.Headers.GetValues("Set-Cookie").ToList();
        Assert.That(cookies, Is.Not.Empty);
        Assert.That(cookies, Has.All.Contains("secure").IgnoreCase.And.All.Contains("httponly").IgnoreCase);
        Assert.That(response.Headers.GetValues("Strict-Transport-Security").Single(), Does.StartWith("max-age=31536000"));

        var language = await client.GetAsync("/language/fr?returnUrl=/");
        Assert.That(language.Headers.GetValues("Set-Cookie"), Has.All.Contains("secure").IgnoreCase);
    }

    [Test]
    public async Task In_development_cookies_follow_the_request_and_there_is_no_hsts()
    {
        await using var app = await ContactFactory.CreateAsync();
        var response = await app.CreateClient().GetAsync("/api/staff/antiforgery");
        Assert.That(response.Headers.GetValues("Set-Cookie"), Has.None.Contains("secure").IgnoreCase);
        Assert.That(response.Headers.Contains("Strict-Transport-Security"), Is.False);
    }

    [Test]
    public async Task A_webhook_body_over_16_KB_is_refused_before_it_is_read()
    {
        await using var app = await ContactFactory.CreateAsync();
        var client = app.CreateClient();
        var before = await app.ScalarAsync("select count(*) from sms_inbound");
        var fields = new Dictionary<string, string> { ["From"] = "+16135550101", ["To"] = "+16135550311", ["Body"] = new string('x', 17 * 1024), ["MessageSid"] = "SMbig" };
        var big = await client.PostAsync("/twilio/sms", new FormUrlEncodedContent(fields));
        Assert.That(big.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));

        // Without a Content-Length (chunked), the cap holds too.
        var chunked = new StreamContent(new MemoryStream(Encoding.ASCII.GetBytes("From=%2B16135550101&Body=" + new string('y', 20 * 1024))));
        chunked.Headers.ContentType = new("application/x-www-form-urlencoded");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/twilio/sms") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        Assert.That((await client.SendAsync(request)).StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
        Assert.That(await app.ScalarAsync("select count(*) from sms_inbound"), Is.EqualTo(before), "nothing recorded");

        fields["Body"] = "hello";
        fields["MessageSid"] = "SMsmall";
        Assert.That((await client.PostAsync("/twilio/sms", new FormUrlEncodedContent(fields))).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Without_a_token_development_takes_unsigned_webhooks_from_loopback_only()
    {
        await using var app = await ContactFactory.CreateAsync();
        var client = app.CreateClient();
        var fields = new Dictionary<string, string> { ["From"] = "+16135550102", ["To"] = "+16135550311", ["CallSid"] = "CAremote" };
        using var remote = new HttpRequestMessage(HttpMethod.Post, "/twilio/voice") { Content = new FormUrlEncodedContent(fields) };
        remote.Headers.Add(ContactFactory.TestClientHeader, "203.0.113.9");
        Assert.That((await client.SendAsync(remote)).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        using var local = new HttpRequestMessage(HttpMethod.Post, "/twilio/voice") { Content = new FormUrlEncodedContent(fields) };
        Assert.That((await client.SendAsync(local)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task The_jobs_dashboard_is_read_only_for_supervisors()
    {
        await using var app = await ContactFactory.CreateAsync();
        async Task<string> PageAsync(string user)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/jobs/recurring");
            request.Headers.Add("Cookie", await DesktopClient.SignInAsync(app, user));
            var response = await app.CreateClient(new() { AllowAutoRedirect = false }).SendAsync(request);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), user);
            return await response.Content.ReadAsStringAsync();
        }
        Assert.That(await PageAsync("admin"), Does.Contain("recurring/trigger"));
        Assert.That(await PageAsync("supervisor"), Does.Not.Contain("recurring/trigger"));

        // The same well-formed trigger (form token included): an admin's runs, a supervisor's is refused.
        async Task<HttpStatusCode> TriggerAsync(string user)
        {
            var client = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
            var cookie = await DesktopClient.SignInAsync(app, user);
            using var tokenRequest = new HttpRequestMessage(HttpMethod.Get, "/api/staff/antiforgery");
            tokenRequest.Headers.Add("Cookie", cookie);
            var tokenResponse = await client.SendAsync(tokenRequest);
            var token = (await tokenResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
            var antiforgeryCookie = string.Join("; ", tokenResponse.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]));
            using var trigger = new HttpRequestMessage(HttpMethod.Post, "/jobs/recurring/trigger")
            {
                Content = new FormUrlEncodedContent([new("jobs[]", "outbox-sweep")]),
            };
            trigger.Headers.Add("Cookie", cookie + "; " + antiforgeryCookie);
            trigger.Headers.Add("X-CSRF-TOKEN", token);
            return (await client.SendAsync(trigger)).StatusCode;
        }
        Assert.That((int)await TriggerAsync("admin"), Is.InRange(200, 299));
        Assert.That(await TriggerAsync("supervisor"), Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task A_statement_longer_than_the_timeout_is_cancelled_by_the_server()
    {
        await using var app = new ContactFactory(await TestDatabase.CloneAsync(), new Dictionary<string, string?> { ["Database:StatementTimeoutSeconds"] = "1" });
        _ = app.CreateClient();
        var dataSource = (NpgsqlDataSource)app.Services.GetService(typeof(NpgsqlDataSource))!;
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand("select pg_sleep(3)", connection);
        var error = Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
        Assert.That(error!.SqlState, Is.EqualTo(PostgresErrorCodes.QueryCanceled));
    }
}
