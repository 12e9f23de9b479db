using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Contact.Tests.Infrastructure;

/// <summary>The real host over a database of its own, through WebApplicationFactory.</summary>
public sealed class ContactFactory(string connectionString, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    : WebApplicationFactory<Program>
{
    public string ConnectionString { get; } = connectionString;

    public static async Task<ContactFactory> CreateAsync(IDictionary<string, string?>? settings = null) =>
        new(await TestDatabase.CloneAsync(), settings);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("ConnectionStrings:Cases", ConnectionString);
        builder.UseSetting("RateLimits:PublicWritesPerMinute", "100000");
        builder.UseSetting("RateLimits:PublicReadsPerMinute", "100000");
        builder.UseSetting("RateLimits:Open311PerMinute", "100000");
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureServices(s => s.AddSingleton<IStartupFilter, TestClientAddress>());
        if (services is not null)
        {
            builder.ConfigureServices(services);
        }
    }

    /// <summary>
    /// The test server gives requests no client address: each comes from loopback, as from a browser on this
    /// machine, unless its X-Test-Client header names another.
    /// </summary>
    private sealed class TestClientAddress : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((http, following) =>
            {
                http.Connection.RemoteIpAddress = http.Request.Headers.TryGetValue(TestClientHeader, out var value)
                    ? IPAddress.Parse(value.ToString())
                    : http.Connection.RemoteIpAddress ?? IPAddress.Loopback;
                return following(http);
            });
            next(app);
        };
    }

    /// <summary>The header a test request names its client address with.</summary>
    public const string TestClientHeader = "X-Test-Client";

    /// <summary>A client that keeps cookies and does not follow redirects, like a careful browser.</summary>
    public HttpClient Browser(string? language = null)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        if (language is not null)
        {
            client.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);
        }
        return client;
    }

    public async Task<long> ScalarAsync(string sql) =>
        Convert.ToInt64(await ValueAsync(sql), System.Globalization.CultureInfo.InvariantCulture);

    public async Task<string> TextAsync(string sql) =>
        Convert.ToString(await ValueAsync(sql), System.Globalization.CultureInfo.InvariantCulture) ?? "";

    private async Task<object?> ValueAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}

/// <summary>Reading pages and posting their forms as a browser would.</summary>
public static class Html
{
    private static readonly HtmlParser Parser = new();

    public static async Task<IHtmlDocument> GetPageAsync(this HttpClient client, string url, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await client.GetAsync(url);
        Assert.That(response.StatusCode, Is.EqualTo(expected), $"GET {url}");
        return await Parser.ParseDocumentAsync(await response.Content.ReadAsStringAsync());
    }

    public static async Task<IHtmlDocument> ParseAsync(HttpResponseMessage response) =>
        await Parser.ParseDocumentAsync(await response.Content.ReadAsStringAsync());

    /// <summary>Posts the page's form with its hidden fields (the antiforgery token among them) plus <paramref name="fields"/>.</summary>
    public static Task<HttpResponseMessage> SubmitAsync(this HttpClient client, IHtmlDocument page, string action, IEnumerable<KeyValuePair<string, string>> fields, string formSelector = "main form[method=post]")
    {
        var form = page.QuerySelector<IHtmlFormElement>(formSelector) ?? throw new AssertionException($"No form {formSelector} on the page");
        var values = form.QuerySelectorAll<IHtmlInputElement>("input[type=hidden]")
            .Select(i => new KeyValuePair<string, string>(i.Name!, i.Value))
            .Concat(fields)
            .ToList();
        return client.PostAsync(action, new FormUrlEncodedContent(values));
    }
}
