using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Contact.Tests.Infrastructure;

namespace Contact.Tests.Open311;

/// <summary>An Open311 GeoReport v2 client for tests: form posts, and answers parsed as XML (System.Xml.Linq) or JSON.</summary>
public static partial class Open311Client
{
    public const string Base = "/open311/v2/";
    public const string DemoKey = "demo-key";

    /// <summary>The pothole form a valid request sends; <paramref name="extra"/> fields are added (a null value removes a field).</summary>
    public static List<KeyValuePair<string, string>> Pothole(params (string Name, string? Value)[] extra)
    {
        var fields = new List<KeyValuePair<string, string>>
        {
            new("api_key", DemoKey),
            new("service_code", "pothole"),
            new("lat", "45.4215"),
            new("long", "-75.6972"),
            new("address_string", "111 Wellington St"),
            new("attribute[size]", "large"),
            new("description", "Deep hole in the right lane"),
        };
        foreach (var (name, value) in extra)
        {
            fields.RemoveAll(f => f.Key == name);
            if (value is not null)
            {
                fields.Add(new(name, value));
            }
        }
        return fields;
    }

    public static Task<HttpResponseMessage> PostRequestAsync(this HttpClient client, string format, IEnumerable<KeyValuePair<string, string>> fields) =>
        client.PostAsync(Base + "requests." + format, new FormUrlEncodedContent(fields));

    public static async Task<XElement> XmlAsync(this HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(expected), body);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/xml"));
        Assert.That(response.Content.Headers.ContentType?.CharSet, Is.EqualTo("utf-8"));
        Assert.That(body, Does.StartWith("<?xml version=\"1.0\" encoding=\"utf-8\"?>"));
        return XDocument.Parse(body).Root!;
    }

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(expected), body);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public static async Task<XElement> GetXmlAsync(this HttpClient client, string path, HttpStatusCode expected = HttpStatusCode.OK) =>
        await (await client.GetAsync(Base + path)).XmlAsync(expected);

    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, string path, HttpStatusCode expected = HttpStatusCode.OK) =>
        await (await client.GetAsync(Base + path)).JsonAsync(expected);

    /// <summary>A child element's text; fails when the element is missing.</summary>
    public static string Text(this XElement element, string name) =>
        (element.Element(name) ?? throw new AssertionException($"<{element.Name}> has no <{name}>: {element}")).Value;

    /// <summary>Checks an Open311 error body in XML: errors > error > code, description; returns the descriptions.</summary>
    public static async Task<IReadOnlyList<string>> XmlErrorsAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var root = await response.XmlAsync(status);
        Assert.That(root.Name.LocalName, Is.EqualTo("errors"));
        var errors = root.Elements("error").ToList();
        Assert.That(errors, Is.Not.Empty);
        Assert.That(errors.Select(e => e.Text("code")), Has.All.EqualTo(((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(errors.Select(e => e.Text("description")), Has.None.Empty);
        return [.. errors.Select(e => e.Text("description"))];
    }

    /// <summary>Checks an Open311 error body in JSON: an array of { code, description }; returns the descriptions.</summary>
    public static async Task<IReadOnlyList<string>> JsonErrorsAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var root = await response.JsonAsync(status);
        Assert.That(root.ValueKind, Is.EqualTo(JsonValueKind.Array));
        Assert.That(root.GetArrayLength(), Is.GreaterThan(0));
        Assert.That(root.EnumerateArray().Select(e => e.GetProperty("code").GetInt32()), Has.All.EqualTo((int)status));
        Assert.That(root.EnumerateArray().Select(e => e.GetProperty("description").GetString()), Has.None.Empty);
        return [.. root.EnumerateArray().Select(e => e.GetProperty("description").GetString()!)];
    }

    /// <summary>Checks an Open311 error body in <paramref name="format"/> (xml or json); returns the descriptions.</summary>
    public static Task<IReadOnlyList<string>> ErrorsAsync(this HttpResponseMessage response, string format, HttpStatusCode status) =>
        format == "json" ? response.JsonErrorsAsync(status) : response.XmlErrorsAsync(status);

    /// <summary>Checks a successful answer in <paramref name="format"/> (xml or json) and that it parses.</summary>
    public static async Task OkAsync(this HttpResponseMessage response, string format)
    {
        if (format == "json")
        {
            await response.JsonAsync();
        }
        else
        {
            await response.XmlAsync();
        }
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")]
    public static partial Regex W3CDate();

    /// <summary>Files a pothole through Open311 and returns its service_request_id.</summary>
    public static async Task<string> FileAsync(this HttpClient client, params (string Name, string? Value)[] extra)
    {
        var root = await (await client.PostRequestAsync("xml", Pothole(extra))).XmlAsync();
        return root.Element("request")!.Text("service_request_id");
    }

    public static Task<long> CasesAsync(this ContactFactory app) => app.ScalarAsync("select count(*) from cases");
}
