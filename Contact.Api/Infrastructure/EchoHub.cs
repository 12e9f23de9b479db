using Microsoft.AspNetCore.SignalR;

namespace Contact.Api.Infrastructure;

/// <summary>
/// A bare SignalR hub for the desktop benchmark's baseline: whatever one connection sends, every connection
/// gets back. Mapped only when Benchmarks:EchoHub is true, so production never exposes it.
/// </summary>
internal sealed class EchoHub : Hub
{
    public Task Broadcast(long stamp) => Clients.All.SendAsync("Echo", stamp);
}

/// <summary>
/// Maps the benchmarks' bare baselines when configuration Benchmarks:EchoHub is true: <see cref="EchoHub"/> at
/// /hubs/echo, and POST /bench/twiml, which reads the posted form as a Twilio webhook would and answers a fixed
/// TwiML string (the request parsing of the IVR without the IVR).
/// </summary>
internal static class EchoHubEndpoints
{
    private const string BareTwiml =
        """<?xml version="1.0" encoding="UTF-8"?><Response><Gather action="/twilio/voice/menu" numDigits="1"><Say>For English, press 1.</Say></Gather></Response>""";

    public static void MapEchoHub(this WebApplication app)
    {
        if (app.Configuration.GetValue("Benchmarks:EchoHub", false))
        {
            app.MapHub<EchoHub>("/hubs/echo");
            app.MapPost("/bench/twiml", async (HttpContext http) =>
            {
                var form = await http.Request.ReadFormAsync(http.RequestAborted);
                return form["CallSid"].ToString().Length == 0
                    ? Results.BadRequest()
                    : Results.Text(BareTwiml, "application/xml; charset=utf-8");
            }).ExcludeFromDescription().DisableAntiforgery();
        }
    }
}
