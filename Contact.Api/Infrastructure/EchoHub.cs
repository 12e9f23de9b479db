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

/// <summary>Maps <see cref="EchoHub"/> at /hubs/echo when configuration Benchmarks:EchoHub is true.</summary>
internal static class EchoHubEndpoints
{
    public static void MapEchoHub(this WebApplication app)
    {
        if (app.Configuration.GetValue("Benchmarks:EchoHub", false))
        {
            app.MapHub<EchoHub>("/hubs/echo");
        }
    }
}
