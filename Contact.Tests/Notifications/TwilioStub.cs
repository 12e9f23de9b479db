using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Twilio.Clients;

namespace Contact.Tests.Notifications;

/// <summary>
/// A local HTTP server standing in for Twilio's REST API, and a TwilioRestClient whose HttpClient sends
/// api.twilio.com requests to it.
/// </summary>
public sealed class TwilioStub : IAsyncDisposable
{
    private readonly WebApplication _app;

    /// <summary>What the next message create answers: (HTTP status, Twilio error code or null).</summary>
    public Func<int, (int Status, int? Code)> Answer { get; set; } = _ => (201, null);

    /// <summary>Delay before answering (to stand in for a hung Twilio).</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.Zero;

    public ConcurrentQueue<IFormCollection> Received { get; } = new();

    /// <summary>Live calls redirected through the REST API: (CallSid, TwiML).</summary>
    public ConcurrentQueue<(string CallSid, string Twiml)> CallUpdates { get; } = new();

    public string BaseAddress { get; private set; } = "";

    private int _count;

    private TwilioStub(WebApplication app) => _app = app;

    public static async Task<TwilioStub> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var stub = new TwilioStub(app);
        app.MapPost("/2010-04-01/Accounts/{account}/Messages.json", async (string account, HttpContext http) =>
        {
            var form = await http.Request.ReadFormAsync();
            var n = Interlocked.Increment(ref stub._count);
            stub.Received.Enqueue(form);
            if (stub.Delay > TimeSpan.Zero)
            {
                await Task.Delay(stub.Delay, http.RequestAborted);
            }
            var (status, code) = stub.Answer(n);
            if (status >= 300)
            {
                return Results.Json(new { code, message = $"stub error {code}", more_info = "https://www.twilio.com/docs/errors/" + code, status }, statusCode: status);
            }
            var sid = "SM" + Guid.NewGuid().ToString("N");
            return Results.Json(new
            {
                sid,
                account_sid = account,
                to = form["To"].ToString(),
                from = form["From"].ToString(),
                body = form["Body"].ToString(),
                status = "queued",
                num_segments = "1",
                direction = "outbound-api",
                api_version = "2010-04-01",
                date_created = DateTimeOffset.UtcNow.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
                uri = $"/2010-04-01/Accounts/{account}/Messages/{sid}.json",
            }, statusCode: 201);
        });
        app.MapPost("/2010-04-01/Accounts/{account}/Calls/{callSid}.json", async (string account, string callSid, HttpContext http) =>
        {
            var form = await http.Request.ReadFormAsync();
            stub.CallUpdates.Enqueue((callSid, form["Twiml"].ToString()));
            return Results.Json(new
            {
                sid = callSid, account_sid = account, status = "in-progress", direction = "inbound", api_version = "2010-04-01",
                uri = $"/2010-04-01/Accounts/{account}/Calls/{callSid}.json",
            });
        });
        await app.StartAsync();
        stub.BaseAddress = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return stub;
    }

    /// <summary>A Twilio REST client that talks to this stub.</summary>
    public ITwilioRestClient Client() =>
        new TwilioRestClient("ACstub", "stub-token", httpClient: new Twilio.Http.SystemNetHttpClient(new HttpClient(new ToStub(new Uri(BaseAddress)))));

    private sealed class ToStub(Uri stub) : DelegatingHandler(new SocketsHttpHandler())
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var builder = new UriBuilder(request.RequestUri!) { Scheme = stub.Scheme, Host = stub.Host, Port = stub.Port };
            request.RequestUri = builder.Uri;
            return base.SendAsync(request, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
