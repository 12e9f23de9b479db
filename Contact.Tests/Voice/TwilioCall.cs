using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Contact.Tests.Infrastructure;

namespace Contact.Tests.Voice;

/// <summary>A simulated Twilio call: posts webhooks as Twilio does (signed when a token is set) and reads the TwiML.</summary>
/// <param name="server">The host's address when it listens on a real port (browser fixtures); the in-memory server otherwise.</param>
public sealed class TwilioCall(ContactFactory app, string from = "+16135550123", string to = "+16135550311", string? authToken = null, string baseUrl = "http://localhost",
    Uri? server = null)
{
    private readonly HttpClient _client = app.CreateClient(new() { AllowAutoRedirect = false, BaseAddress = server ?? new Uri("http://localhost") });

    public string CallSid { get; } = "CA" + Guid.NewGuid().ToString("N");

    public string From => from;

    public XDocument? Last { get; private set; }

    /// <summary>Twilio's signature: HMAC-SHA1 over the URL and the fields sorted by name, base64.</summary>
    public static string Sign(string token, string url, IEnumerable<KeyValuePair<string, string>> fields)
    {
        var data = new StringBuilder(url);
        foreach (var (key, value) in fields.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            data.Append(key).Append(value);
        }
        return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(data.ToString())));
    }

    public async Task<HttpResponseMessage> PostAsync(string path, IDictionary<string, string>? extra = null, string? idempotencyToken = null, string? signature = null)
    {
        var fields = new Dictionary<string, string>
        {
            ["CallSid"] = CallSid,
            ["AccountSid"] = "ACtest",
            ["From"] = from,
            ["To"] = to,
            ["Caller"] = from,
            ["CallStatus"] = "in-progress",
            ["Direction"] = "inbound",
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string>())
        {
            fields[k] = v;
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields) };
        if (signature is not null)
        {
            request.Headers.Add("X-Twilio-Signature", signature);
        }
        else if (authToken is not null)
        {
            request.Headers.Add("X-Twilio-Signature", Sign(authToken, baseUrl + path, fields));
        }
        if (idempotencyToken is not null)
        {
            request.Headers.Add("I-Twilio-Idempotency-Token", idempotencyToken);
        }
        return await _client.SendAsync(request);
    }

    /// <summary>Posts a step and returns its TwiML, checked to be valid TwiML.</summary>
    public async Task<XDocument> StepAsync(string path, IDictionary<string, string>? extra = null, string? idempotencyToken = null)
    {
        var response = await PostAsync(path, extra, idempotencyToken);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/xml"));
        Last = XDocument.Parse(body);
        TwimlRules.Check(Last);
        return Last;
    }

    public Task<XDocument> KeysAsync(string path, string digits) => StepAsync(path, new Dictionary<string, string> { ["Digits"] = digits });

    public Task<XDocument> SaysAsync(string path, string speech) => StepAsync(path, new Dictionary<string, string> { ["SpeechResult"] = speech, ["Confidence"] = "0.92" });

    /// <summary>Where the current Gather (or Record) sends the caller's answer.</summary>
    public string Action => (Last!.Root!.Elements().FirstOrDefault(e => e.Name.LocalName is "Gather" or "Record")?.Attribute("action")?.Value)
        ?? throw new AssertionException("No Gather or Record in: " + Last);

    /// <summary>Everything said, in order.</summary>
    public string Spoken => string.Join(" ", Last!.Descendants("Say").Select(s => s.Value));

    /// <summary>The key the menu gives for an option ("For Pothole, press 4." → "4").</summary>
    public string KeyFor(string option)
    {
        var say = Last!.Descendants("Say").Select(s => s.Value).FirstOrDefault(s => s.Contains(option + ",", StringComparison.Ordinal))
            ?? throw new AssertionException($"No option {option} in: {Spoken}");
        return new string(say.Where(char.IsDigit).ToArray());
    }
}

/// <summary>What Twilio accepts: the verbs of a voice response, and what may nest in Gather.</summary>
public static class TwimlRules
{
    private static readonly HashSet<string> Verbs = ["Say", "Play", "Pause", "Gather", "Record", "Redirect", "Enqueue", "Dial", "Hangup", "Reject", "Leave", "Sms"];
    private static readonly HashSet<string> InGather = ["Say", "Play", "Pause"];

    public static void Check(XDocument twiml)
    {
        Assert.That(twiml.Root!.Name.LocalName, Is.EqualTo("Response"));
        foreach (var verb in twiml.Root.Elements())
        {
            Assert.That(Verbs, Does.Contain(verb.Name.LocalName), twiml.ToString());
            if (verb.Name.LocalName == "Gather")
            {
                Assert.That(verb.Elements().Select(e => e.Name.LocalName).Distinct(), Is.SubsetOf(InGather), twiml.ToString());
            }
        }
        Assert.That(twiml.Root.Elements().Count(), Is.GreaterThan(0), "never a dead end: every response says or does something");
    }
}
