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

    /// <summary>The messages created, as Twilio would list them.</summary>
    public ConcurrentQueue<(string Sid, string To, string From, string Body, DateTimeOffset SentAt)> Messages { get; } = new();

    /// <summary>The query strings of message list requests (MessageResource.Read).</summary>
    public ConcurrentQueue<IQueryCollection> Listed { get; } = new();

    /// <summary>What a message list answers when not 200: (HTTP status, Twilio error code).</summary>
    public (int Status, int? Code) ListAnswer { get; set; } = (200, null);

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
            stub.Messages.Enqueue((sid, form["To"].ToString(), form["From"].ToString(), form["Body"].ToString(), DateTimeOffset.UtcNow));
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
        app.MapGet("/2010-04-01/Accounts/{account}/Messages.json", (string account, HttpContext http) =>
        {
            var query = http.Request.Query;
            stub.Listed.Enqueue(query);
            if (stub.ListAnswer.Status >= 300)
            {
                var (status, code) = stub.ListAnswer;
                return Results.Json(new { code, message = $"stub error {code}", more_info = "https://www.twilio.com/docs/errors/" + code, status }, statusCode: status);
            }
            // Filtered as Twilio does: To, From, DateSent>= (newest first).
            var after = query["DateSent>"].ToString() is { Length: > 0 } a ? DateTimeOffset.Parse(a, System.Globalization.CultureInfo.InvariantCulture) : DateTimeOffset.MinValue;
            var messages = stub.Messages
                .Where(m => (query["To"].Count == 0 || m.To == query["To"].ToString()) && (query["From"].Count == 0 || m.From == query["From"].ToString()) && m.SentAt >= after)
                .Reverse()
                .Select(m => new
                {
                    sid = m.Sid, account_sid = account, to = m.To, from = m.From, body = m.Body, status = "delivered", num_segments = "1",
                    direction = "outbound-api", api_version = "2010-04-01",
                    date_created = m.SentAt.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
                    date_sent = m.SentAt.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
                    uri = $"/2010-04-01/Accounts/{account}/Messages/{m.Sid}.json",
                })
                .ToList();
            return Results.Json(new
            {
                messages, end = messages.Count - 1, first_page_uri = $"/2010-04-01/Accounts/{account}/Messages.json?PageSize=50&Page=0",
                next_page_uri = (string?)null, page = 0, page_size = 50, previous_page_uri = (string?)null, start = 0,
                uri = $"/2010-04-01/Accounts/{account}/Messages.json?PageSize=50&Page=0",
            });
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
