using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Serialization;
using System.Text;
using System.Xml.Linq;
using System.Xml;
using Contact.Core.Infrastructure;
using Contact.Core.Notifications;
using Contact.Core.Residents;
using Contact.Ivr.Twilio;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Contact.Ivr.DevPhone;

/// <summary>Names the development phone's strings: DevPhoneText.resx (English) and DevPhoneText.fr.resx (French).</summary>
public sealed class DevPhoneText;

/// <summary>What the page asks the server to send: a webhook path under /twilio/ and the form fields Twilio would post.</summary>
public sealed record DevPhoneRequest(string? Path, Dictionary<string, string?>? Fields);

/// <summary>A text the system sent or is sending to a number, as the outbox holds it.</summary>
public sealed record DevPhoneMessage(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("body")] string Body,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("updated_at")] DateTimeOffset UpdatedAt);

/// <summary>
/// The development phone at /dev/phone (Development only): tries the IVR without a Twilio account by posting
/// correctly signed requests to the host's own webhooks and showing their TwiML.
/// </summary>
public static class DevPhoneEndpoints
{
    /// <summary>The named HttpClient the phone posts with; tests replace its primary handler.</summary>
    public const string ClientName = "dev-phone";

    public static IServiceCollection AddDevPhone(this IServiceCollection services)
    {
        services.AddHttpClient();
        services.AddHttpClient(ClientName, c => c.Timeout = TimeSpan.FromSeconds(30));
        return services;
    }

    public static void MapDevPhone(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            return;
        }
        app.UseStaticFiles(new StaticFileOptions
        {
            RequestPath = "/dev/phone/assets",
            FileProvider = Files,
            OnPrepareResponse = file => file.Context.Response.Headers.CacheControl = "no-cache",
        });
        var group = app.MapGroup("/dev/phone").ExcludeFromDescription().DisableAntiforgery();
        group.MapGet("", (HttpContext http) =>
        {
            var page = Files.GetFileInfo("phone.html");
            http.Response.Headers.CacheControl = "no-cache";
            return Results.Stream(page.CreateReadStream(), "text/html; charset=utf-8", lastModified: page.LastModified);
        });
        group.MapGet("/texts", (HttpContext http) =>
        {
            return Results.Json(Texts(Language.Of(http.Features.Get<IRequestCultureFeature>()?.RequestCulture.UICulture)));
        });
        group.MapPost("/send", SendAsync);
        group.MapGet("/messages", MessagesAsync);
    }

    /// <summary>The most recent texts (at most 100) the outbox holds for a number, newest last: the notifications as they would arrive.</summary>
    private static async Task<IResult> MessagesAsync(string? number, OutboxMessages outbox, CancellationToken ct)
    {
        var phone = PhoneNumberNormaliser.ToE164(number);
        if (phone is null)
        {
            return Results.BadRequest(new { error = "The number must be a valid phone number, such as +16135550123." });
        }
        var messages = await outbox.ToAsync(phone, cancellationToken: ct);
        return Results.Json(messages.Select(m => new DevPhoneMessage(m.Id, m.Kind, m.Body, m.Status, m.CreatedAt, m.UpdatedAt)).ToList());
    }

    private static async Task<IResult> SendAsync(DevPhoneRequest request, HttpContext http, IHttpClientFactory clients, IOptions<TwilioOptions> options)
    {
        var path = request.Path ?? "";
        if (!path.StartsWith("/twilio/", StringComparison.Ordinal) || path.Contains("..", StringComparison.Ordinal)
            || path.Contains('\\', StringComparison.Ordinal) || path.Contains("//", StringComparison.Ordinal) || path.Contains('#', StringComparison.Ordinal))
        {
            return Results.BadRequest(new { error = "The path must start with /twilio/." });
        }
        var fields = (request.Fields ?? [])
            .Where(f => !string.IsNullOrEmpty(f.Key))
            .ToDictionary(f => f.Key, f => f.Value ?? "", StringComparer.Ordinal);

        // The phone posts to this host's own listening address and signs for the configured public address:
        // never for the request's Host header, which the caller chooses.
        var own = OwnAddress(http.RequestServices.GetService<IServer>()) + http.Request.PathBase;
        var publicBase = options.Value.PublicBaseUrl;
        var calledUrl = (string.IsNullOrEmpty(publicBase) ? own : publicBase.TrimEnd('/') + http.Request.PathBase) + path;

        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(own + path))
        {
            Content = new FormUrlEncodedContent(fields),
        };
        if (!string.IsNullOrEmpty(options.Value.AuthToken))
        {
            message.Headers.TryAddWithoutValidation("X-Twilio-Signature", Sign(options.Value.AuthToken, calledUrl, fields));
        }
        var ct = http.RequestAborted;
        using var response = await clients.CreateClient(ClientName).SendAsync(message, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        return Results.Json(new Dictionary<string, object?>
        {
            ["status"] = (int)response.StatusCode,
            ["url"] = calledUrl,
            ["twiml"] = body,
            ["verbs"] = Verbs(body),
        });
    }

    /// <summary>The first address this host listens on (a wildcard read as localhost), or http://localhost when it has none.</summary>
    private static string OwnAddress(IServer? server)
    {
        if (server?.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() is not { } first)
        {
            return "http://localhost";
        }
        var address = BindingAddress.Parse(first);
        var host = address.Host is "+" or "*" or "0.0.0.0" or "[::]" ? "localhost" : address.Host;
        return $"{address.Scheme}://{host}:{address.Port.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>X-Twilio-Signature as Twilio computes it: HMAC-SHA1 of the URL then every field name and value in name order, base64.</summary>
    public static string Sign(string authToken, string url, IReadOnlyDictionary<string, string> fields)
    {
        var data = new StringBuilder(url);
        foreach (var key in fields.Keys.Order(StringComparer.Ordinal))
        {
            data.Append(key).Append(fields[key]);
        }
        var hash = HMACSHA1.HashData(Encoding.UTF8.GetBytes(authToken), Encoding.UTF8.GetBytes(data.ToString()));
        return Convert.ToBase64String(hash);
    }

    /// <summary>The TwiML's verbs, in order, as plain objects the page can walk; none when the body is not TwiML.</summary>
    public static List<Dictionary<string, object?>> Verbs(string twiml)
    {
        if (string.IsNullOrWhiteSpace(twiml) || !twiml.TrimStart().StartsWith('<'))
        {
            return [];
        }
        try
        {
            var root = XDocument.Parse(twiml).Root;
            return root is null || root.Name.LocalName != "Response" ? [] : [.. root.Elements().Select(Verb)];
        }
        catch (XmlException)
        {
            return [];
        }
    }

    private static Dictionary<string, object?> Verb(XElement e)
    {
        var verb = new Dictionary<string, object?> { ["verb"] = e.Name.LocalName };
        switch (e.Name.LocalName)
        {
            case "Say":
                verb["text"] = e.Value.Trim();
                verb["language"] = Attr(e, "language");
                break;
            case "Gather":
                verb["action"] = Attr(e, "action");
                verb["numDigits"] = Int(e, "numDigits");
                verb["input"] = Attr(e, "input") ?? "dtmf";
                verb["finishOnKey"] = Attr(e, "finishOnKey");
                verb["hints"] = Attr(e, "hints");
                verb["language"] = Attr(e, "language");
                verb["timeout"] = Int(e, "timeout");
                verb["children"] = e.Elements().Select(Verb).ToList();
                break;
            case "Redirect":
                verb["url"] = e.Value.Trim();
                break;
            case "Record":
                verb["action"] = Attr(e, "action");
                verb["maxLength"] = Int(e, "maxLength");
                verb["finishOnKey"] = Attr(e, "finishOnKey");
                break;
            case "Enqueue":
                verb["name"] = e.Value.Trim();
                verb["waitUrl"] = Attr(e, "waitUrl");
                break;
            case "Pause":
                verb["length"] = Int(e, "length") ?? 1;
                break;
            case "Hangup":
                break;
            case "Message":
                var bodies = e.Elements().Where(c => c.Name.LocalName == "Body").ToList();
                verb["text"] = bodies.Count > 0 || e.Elements().Any(c => c.Name.LocalName == "Media")
                    ? string.Join("\n", bodies.Select(b => b.Value.Trim()))
                    : e.Value.Trim();
                verb["media"] = e.Elements().Where(c => c.Name.LocalName == "Media").Select(m => m.Value.Trim()).ToList();
                verb["to"] = Attr(e, "to");
                verb["from"] = Attr(e, "from");
                break;
            default:
                verb["text"] = e.Value.Trim();
                break;
        }
        return verb;
    }

    private static string? Attr(XElement e, string name) => e.Attribute(name)?.Value;

    private static int? Int(XElement e, string name) =>
        int.TryParse(e.Attribute(name)?.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    /// <summary>The phone's page, script and style, from the assembly (served by ASP.NET's static files, with ETags).</summary>
    private static readonly EmbeddedFileProvider Files = new(typeof(DevPhoneEndpoints).Assembly, "Contact.Ivr.DevPhone.wwwroot");

    private static readonly ResourceTexts PageTexts = new("Contact.Ivr.DevPhone.DevPhoneText", typeof(DevPhoneText).Assembly);

    /// <summary>Every phone page string in one language.</summary>
    public static IReadOnlyDictionary<string, string> Texts(Language language) => PageTexts.In(language);
}
