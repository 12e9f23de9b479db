using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Twilio.Clients;

namespace Contact.Benchmarks.Notifications;

/// <summary>
/// A local HTTP server standing in for Twilio's Messages API (every create answers 201 with a fresh "SM…" sid),
/// and a TwilioRestClient whose HttpClient sends api.twilio.com requests to it. It counts the requests it
/// answered and how many each recipient got, so a benchmark can tell a double send.
/// </summary>
public sealed class TwilioStubServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _perRecipient = new(StringComparer.Ordinal);
    private long _requests;

    private TwilioStubServer(WebApplication app) => _app = app;

    /// <summary>Where the stub listens, e.g. http://127.0.0.1:41234.</summary>
    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    /// <summary>Message creates answered so far.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Distinct "To" numbers texted so far.</summary>
    public int Recipients => _perRecipient.Count;

    /// <summary>Recipients texted more than once so far.</summary>
    public int RecipientsTextedTwice => _perRecipient.Count(r => r.Value > 1);

    /// <summary>Starts the stub on 127.0.0.1 and a free port.</summary>
    public static async Task<TwilioStubServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var stub = new TwilioStubServer(app);
        app.MapPost("/2010-04-01/Accounts/{account}/Messages.json", async (string account, HttpContext http) =>
        {
            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            Interlocked.Increment(ref stub._requests);
            var to = form["To"].ToString();
            stub._perRecipient.AddOrUpdate(to, 1, (_, n) => n + 1);
            var sid = "SM" + Guid.NewGuid().ToString("N");
            return Results.Json(new
            {
                sid,
                account_sid = account,
                to,
                from = form["From"].ToString(),
                body = form["Body"].ToString(),
                status = "queued",
                num_segments = "1",
                direction = "outbound-api",
                api_version = "2010-04-01",
                date_created = DateTimeOffset.UtcNow.ToString("R", CultureInfo.InvariantCulture),
                uri = $"/2010-04-01/Accounts/{account}/Messages/{sid}.json",
            }, statusCode: 201);
        });
        await app.StartAsync(cancellationToken);
        stub.BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return stub;
    }

    /// <summary>A Twilio REST client for <paramref name="accountSid"/> that talks to this stub.</summary>
    /// <param name="accountSid">The account the requests name.</param>
    public ITwilioRestClient Client(string accountSid) =>
        new TwilioRestClient(accountSid, "stub-token", httpClient: new Twilio.Http.SystemNetHttpClient(
            new HttpClient(new ToStub(BaseAddress)) { Timeout = TimeSpan.FromSeconds(60) }));

    /// <summary>Sends every request to the stub instead of api.twilio.com.</summary>
    private sealed class ToStub(Uri stub) : DelegatingHandler(new SocketsHttpHandler
    {
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        UseCookies = false,
        UseProxy = false,
    })
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.RequestUri = new UriBuilder(request.RequestUri!) { Scheme = stub.Scheme, Host = stub.Host, Port = stub.Port }.Uri;
            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>Stops the stub.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
