using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Contact.Benchmarks.Infrastructure;

/// <summary>
/// The bare substrate the benchmarks compare Contact with, in a process of its own as the host is
/// (<c>Contact.Benchmarks bare-host --urls …</c>): ASP.NET Core and SignalR with nothing of Contact's.
/// <see cref="EchoHub"/> at /hubs/echo sends whatever one connection broadcasts to every connection; POST /bench/twiml
/// reads the posted form as a Twilio webhook would and answers a fixed TwiML string. Never part of the product host.
/// </summary>
public static class BareHost
{
    private const string BareTwiml =
        """<?xml version="1.0" encoding="UTF-8"?><Response><Gather action="/twilio/voice/menu" numDigits="1"><Say>For English, press 1.</Say></Gather></Response>""";

    /// <summary>A bare SignalR hub: a broadcast stamp comes back to every connection.</summary>
    public sealed class EchoHub : Hub
    {
        /// <summary>Sends <paramref name="stamp"/> to every connection.</summary>
        public Task Broadcast(long stamp) => Clients.All.SendAsync("Echo", stamp);
    }

    /// <summary>Runs the bare host until it is stopped; <paramref name="args"/> are ASP.NET Core's (--urls).</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSignalR();
        var app = builder.Build();
        app.MapGet("/health", () => Results.Text("ok"));
        app.MapHub<EchoHub>("/hubs/echo");
        app.MapPost("/bench/twiml", async (HttpContext http) =>
        {
            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            return form["CallSid"].ToString().Length == 0
                ? Results.BadRequest()
                : Results.Text(BareTwiml, "application/xml; charset=utf-8");
        });
        await app.RunAsync();
        return 0;
    }
}
