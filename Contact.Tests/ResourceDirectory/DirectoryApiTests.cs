using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Contact.Tests.Desktop;
using Contact.Tests.Infrastructure;

namespace Contact.Tests.ResourceDirectory;

public sealed class DirectoryApiTests : AppFixture
{
    private string _agent = null!;

    protected override async Task SetUpAppAsync()
    {
        _agent = await DesktopClient.SignInAsync(App, "agent");
    }

    private async Task<HttpResponseMessage> GetAsync(string url, string? cookie = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if ((cookie ?? _agent) is { Length: > 0 } c)
        {
            request.Headers.Add("Cookie", c);
        }
        return await App.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false }).SendAsync(request);
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) => await response.Content.ReadFromJsonAsync<JsonElement>();

    [TestCase("/api/directory/search?term=BD-1800")]
    [TestCase("/api/directory/terms?q=food")]
    [TestCase("/api/directory/services/b299aaec-d836-5081-83d2-365a8a7088c5")]
    public async Task Anonymous_callers_get_401(string url)
    {
        var response = await GetAsync(url, cookie: "");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task An_agent_searches_by_need_place_and_hours_in_either_language()
    {
        var response = await GetAsync("/api/directory/search?term=BD-1800&term=BD-5000&postal=K1N%205M8&km=5&limit=5");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Headers.CacheControl?.NoStore, Is.True);
        var body = await JsonAsync(response);
        var hits = body.GetProperty("hits").EnumerateArray().ToList();
        Assert.That(hits, Has.Count.EqualTo(5));
        Assert.That(body.GetProperty("more").GetBoolean(), Is.True);
        Assert.That(hits.Select(h => h.GetProperty("distanceKm").GetDouble()), Is.All.LessThanOrEqualTo(5));
        Assert.That(hits.Select(h => h.GetProperty("distanceKm").GetDouble()), Is.Ordered);
        Assert.That(hits[0].GetProperty("taxonomyCodes").EnumerateArray().Select(c => c.GetString()),
            Has.Some.StartsWith("BD-1800").Or.Some.StartsWith("BD-5000"));

        var french = await JsonAsync(await GetAsync("/api/directory/search?q=ligne%20de%20crise&language=fr&openNow=true"));
        var names = french.GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("serviceName").GetString()).ToList();
        Assert.That(names, Does.Contain("Ligne de crise en santé mentale 24/7"));
        var crisis = french.GetProperty("hits").EnumerateArray().First(h => h.GetProperty("serviceName").GetString() == "Ligne de crise en santé mentale 24/7");
        Assert.That(crisis.GetProperty("hours").GetString(), Is.EqualTo("Ouvert 24 h sur 24, 7 jours sur 7"));
        Assert.That(crisis.GetProperty("openNow").GetBoolean(), Is.True);

        var seniors = await JsonAsync(await GetAsync("/api/directory/search?term=BD-5000&term=YB-8000&age=70&serviceLanguage=fr"));
        Assert.That(seniors.GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("serviceName").GetString()),
            Is.EqualTo(new[] { "Meals on Wheels for Seniors" }));
    }

    [Test]
    public async Task An_agent_picks_terms_and_opens_one_service()
    {
        var terms = await JsonAsync(await GetAsync("/api/directory/terms?q=banque&language=fr"));
        Assert.That(terms.EnumerateArray().Select(t => t.GetProperty("code").GetString()), Is.EqualTo(new[] { "BD-1800.2000" }));
        Assert.That(terms[0].GetProperty("parentCode").GetString(), Is.EqualTo("BD-1800"));

        var search = await JsonAsync(await GetAsync("/api/directory/search?q=rent%20bank"));
        var first = search.GetProperty("hits")[0];
        var id = first.GetProperty("serviceId").GetString();
        var location = first.GetProperty("locationId").GetString();
        var service = await GetAsync($"/api/directory/services/{id}?location={location}&language=fr");
        Assert.That(service.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var hit = await JsonAsync(service);
        Assert.That(hit.GetProperty("serviceName").GetString(), Is.EqualTo("Banque de loyer d'Ottawa"));
        Assert.That(hit.GetProperty("hours").GetString(), Is.EqualTo("lun–ven 9 h–16 h"));
        Assert.That(hit.GetProperty("phone").GetString(), Does.Contain("555"));

        var missing = await GetAsync("/api/directory/services/00000000-0000-4000-8000-000000000000");
        Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(missing.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
    }

    [TestCase("lat=45.4&km=5", "lon")]
    [TestCase("lat=91&lon=-75", "lat")]
    [TestCase("km=5", "km")]
    [TestCase("postal=hello", "postal")]
    [TestCase("postal=X0A%200A0", "postal")]
    [TestCase("openNow=sometimes", "openNow")]
    [TestCase("age=-1", "age")]
    [TestCase("limit=1000", "limit")]
    [TestCase("term=DROP%20TABLE", "term")]
    [TestCase("language=de", "language")]
    public async Task Bad_parameters_get_a_validation_problem_naming_the_parameter(string parameters, string field)
    {
        var response = await GetAsync("/api/directory/search?" + parameters);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        var problem = await JsonAsync(response);
        Assert.That(problem.GetProperty("errors").TryGetProperty(field, out _), Is.True, problem.ToString());
    }

    [Test]
    public async Task Problems_speak_french_when_the_search_is_in_french()
    {
        var problem = await JsonAsync(await GetAsync("/api/directory/search?language=fr&age=abc"));
        Assert.That(problem.GetProperty("title").GetString(), Is.EqualTo("La recherche n'est pas valide."));
        Assert.That(problem.GetProperty("errors").GetProperty("age")[0].GetString(), Does.StartWith("Indiquez age"));
    }
}
