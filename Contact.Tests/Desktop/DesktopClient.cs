using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Contact.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace Contact.Tests.Desktop;

/// <summary>A member of staff signed in over HTTP and connected to the hub with the .NET SignalR client.</summary>
public sealed class DesktopClient : IAsyncDisposable
{
    private DesktopClient(HubConnection hub, string cookie)
    {
        Hub = hub;
        Cookie = cookie;
    }

    public HubConnection Hub { get; }

    public string Cookie { get; }

    /// <summary>Signs in and returns the cookie header to send, or throws with the response.</summary>
    public static async Task<string> SignInAsync(ContactFactory app, string userName, string password = "demo")
    {
        var (status, cookie, body) = await TrySignInAsync(app, userName, password);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body);
        return cookie!;
    }

    public static async Task<(HttpStatusCode Status, string? Cookie, string Body)> TrySignInAsync(ContactFactory app, string userName, string password, string? from = null)
    {
        var client = app.CreateClient(new() { HandleCookies = false, AllowAutoRedirect = false });
        var tokenResponse = await client.GetAsync("/api/staff/antiforgery");
        var antiforgeryCookie = string.Join("; ", tokenResponse.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]));
        var token = (await tokenResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/staff/signin") { Content = JsonContent.Create(new { userName, password }) };
        request.Headers.Add("Cookie", antiforgeryCookie);
        request.Headers.Add("X-CSRF-TOKEN", token);
        if (from is not null)
        {
            request.Headers.Add(ContactFactory.TestClientHeader, from);
        }
        var response = await client.SendAsync(request);
        var cookie = response.Headers.TryGetValues("Set-Cookie", out var values)
            ? values.Select(c => c.Split(';')[0]).FirstOrDefault(c => c.StartsWith("contact-staff=", StringComparison.Ordinal))
            : null;
        return (response.StatusCode, cookie, await response.Content.ReadAsStringAsync());
    }

    public static HubConnection Build(ContactFactory app, string? cookie) =>
        new HubConnectionBuilder()
            .WithUrl(new Uri(app.Server.BaseAddress, "/hubs/agent"), options =>
            {
                options.HttpMessageHandlerFactory = _ => app.Server.CreateHandler();
                options.Transports = HttpTransportType.WebSockets;
                options.WebSocketFactory = async (context, ct) =>
                {
                    var ws = app.Server.CreateWebSocketClient();
                    if (cookie is not null)
                    {
                        ws.ConfigureRequest = r => r.Headers.Cookie = cookie;
                    }
                    return await ws.ConnectAsync(context.Uri, ct);
                };
                if (cookie is not null)
                {
                    options.Headers["Cookie"] = cookie;
                }
            })
            .Build();

    public static async Task<DesktopClient> ConnectAsync(ContactFactory app, string userName, string password = "demo")
    {
        var cookie = await SignInAsync(app, userName, password);
        var hub = Build(app, cookie);
        await hub.StartAsync();
        return new DesktopClient(hub, cookie);
    }

    public async ValueTask DisposeAsync() => await Hub.DisposeAsync();
}

/// <summary>Files cases through the public API, as any channel would.</summary>
public static class Filing
{
    public static async Task<string> FileAsync(this ContactFactory app, string category = "pothole", string language = "en",
        object? answers = null, string address = "111 Wellington St", double? latitude = null, double? longitude = null)
    {
        var client = app.CreateClient();
        var response = await client.PostAsJsonAsync("/api/cases", new
        {
            category,
            language,
            address,
            latitude,
            longitude,
            description = "Filed by a test",
            answers = answers ?? new Dictionary<string, object> { ["size"] = "large" },
        });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetString()!;
    }
}
