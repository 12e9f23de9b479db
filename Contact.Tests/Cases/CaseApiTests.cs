using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Contact.Tests.Infrastructure;

namespace Contact.Tests.Cases;

public sealed class CaseApiTests : AppFixture
{
    private static object Pothole(string? description = "Deep hole by the curb", object? answers = null, string? phone = null, string? email = null) => new
    {
        category = "pothole",
        language = "en",
        description,
        address = "111 Wellington St",
        answers = answers ?? new Dictionary<string, object> { ["size"] = "large" },
        phone,
        email,
    };

    private Task<long> CaseCountAsync() => App.ScalarAsync("select count(*) from cases");

    [Test]
    public async Task A_valid_request_makes_a_case_and_its_created_event_in_one_commit()
    {
        var response = await Client.PostAsJsonAsync("/api/cases", Pothole(phone: "613 555 0123", email: "resident@example.org"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var number = body.GetProperty("number").GetString()!;
        Assert.That(response.Headers.Location?.ToString(), Is.EqualTo($"/api/cases/{number}"));
        Assert.That(body.GetProperty("status").GetString(), Is.EqualTo("new"));
        Assert.That(await App.ScalarAsync($"select count(*) from case_events e join cases c on c.id = e.case_id where c.number = '{number}' and e.kind = 'created'"), Is.EqualTo(1));
        Assert.That(await App.ScalarAsync($"select count(*) from cases where number = '{number}' and resident_phone = '+16135550123' and channel = 'web'"), Is.EqualTo(1));
        // The public view never carries the resident's contact.
        var text = body.GetRawText();
        Assert.That(text, Does.Not.Contain("555 0123").And.Not.Contain("5550123").And.Not.Contain("resident@example.org"));
    }

    [Test]
    public async Task The_same_idempotency_key_twice_makes_one_case()
    {
        var before = await CaseCountAsync();
        using var first = new HttpRequestMessage(HttpMethod.Post, "/api/cases") { Content = JsonContent.Create(Pothole()) };
        first.Headers.Add("Idempotency-Key", "retry-" + Guid.NewGuid());
        using var second = new HttpRequestMessage(HttpMethod.Post, "/api/cases") { Content = JsonContent.Create(Pothole()) };
        second.Headers.Add("Idempotency-Key", first.Headers.GetValues("Idempotency-Key").Single());

        var a = await Client.SendAsync(first);
        var b = await Client.SendAsync(second);

        Assert.That(a.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(b.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var numberA = (await a.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetString();
        var numberB = (await b.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetString();
        Assert.That(numberB, Is.EqualTo(numberA));
        Assert.That(await CaseCountAsync(), Is.EqualTo(before + 1));
    }

    private async Task<JsonElement> AssertRefusedAsync(HttpResponseMessage response, HttpStatusCode status, long casesBefore)
    {
        Assert.That(response.StatusCode, Is.EqualTo(status), await response.Content.ReadAsStringAsync());
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(await CaseCountAsync(), Is.EqualTo(casesBefore), "nothing is written");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static string[] FieldErrors(JsonElement problem, string field) =>
        [.. problem.GetProperty("errors").GetProperty(field).EnumerateArray().Select(e => e.GetString()!)];

    [Test]
    public async Task An_unknown_category_is_a_field_error()
    {
        var before = await CaseCountAsync();
        var problem = await AssertRefusedAsync(await Client.PostAsJsonAsync("/api/cases", new { category = "no-such-thing", language = "en" }), HttpStatusCode.BadRequest, before);
        Assert.That(FieldErrors(problem, "category").Single(), Does.Contain("no-such-thing"));
    }

    [Test]
    public async Task A_required_question_left_unanswered_names_the_question()
    {
        var before = await CaseCountAsync();
        var problem = await AssertRefusedAsync(
            await Client.PostAsJsonAsync("/api/cases", Pothole(answers: new Dictionary<string, object>())), HttpStatusCode.BadRequest, before);
        Assert.That(FieldErrors(problem, "answers.size").Single(), Does.Contain("How big"));
    }

    [Test]
    public async Task An_answer_not_among_the_choices_is_refused()
    {
        var before = await CaseCountAsync();
        var problem = await AssertRefusedAsync(
            await Client.PostAsJsonAsync("/api/cases", Pothole(answers: new Dictionary<string, object> { ["size"] = "enormous" })), HttpStatusCode.BadRequest, before);
        Assert.That(problem.GetProperty("errors").TryGetProperty("answers.size", out _), Is.True);
    }

    [Test]
    public async Task A_description_over_4000_characters_is_refused()
    {
        var before = await CaseCountAsync();
        var problem = await AssertRefusedAsync(
            await Client.PostAsJsonAsync("/api/cases", Pothole(description: new string('x', 4001))), HttpStatusCode.BadRequest, before);
        Assert.That(FieldErrors(problem, "description").Single(), Does.Contain("4000"));
    }

    [Test]
    public async Task An_invalid_phone_and_an_invalid_email_are_each_named()
    {
        var before = await CaseCountAsync();
        var problem = await AssertRefusedAsync(
            await Client.PostAsJsonAsync("/api/cases", Pothole(phone: "12", email: "not-an-email")), HttpStatusCode.BadRequest, before);
        Assert.That(FieldErrors(problem, "phone"), Has.Length.EqualTo(1));
        Assert.That(FieldErrors(problem, "email"), Has.Length.EqualTo(1));
    }

    [Test]
    public async Task Errors_are_worded_in_the_requests_language()
    {
        var before = await CaseCountAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/cases") { Content = JsonContent.Create(Pothole(description: new string('x', 4001))) };
        request.Headers.AcceptLanguage.ParseAdd("fr-CA");
        var problem = await AssertRefusedAsync(await Client.SendAsync(request), HttpStatusCode.BadRequest, before);
        Assert.That(FieldErrors(problem, "description").Single(), Does.Contain("caractères"));
    }

    [Test]
    public async Task Malformed_json_is_a_400_problem()
    {
        var before = await CaseCountAsync();
        var problem = await AssertRefusedAsync(
            await Client.PostAsync("/api/cases", new StringContent("{\"category\": \"pothole\",", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, before);
        Assert.That(problem.GetProperty("title").GetString(), Is.EqualTo("Malformed JSON"));
    }

    [Test]
    public async Task A_body_that_is_not_json_is_a_415_problem()
    {
        var before = await CaseCountAsync();
        await AssertRefusedAsync(
            await Client.PostAsync("/api/cases", new StringContent("category=pothole", Encoding.UTF8, "application/x-www-form-urlencoded")),
            HttpStatusCode.UnsupportedMediaType, before);
    }

    [Test]
    public async Task An_oversize_body_is_a_413_problem()
    {
        var before = await CaseCountAsync();
        var huge = JsonSerializer.Serialize(Pothole(description: new string('x', 100_000)));
        await AssertRefusedAsync(
            await Client.PostAsync("/api/cases", new StringContent(huge, Encoding.UTF8, "application/json")), HttpStatusCode.RequestEntityTooLarge, before);
    }

    [Test]
    public async Task A_case_number_with_a_wrong_check_digit_is_refused_not_matched()
    {
        var created = await (await Client.PostAsJsonAsync("/api/cases", Pothole())).Content.ReadFromJsonAsync<JsonElement>();
        var number = created.GetProperty("number").GetString()!;
        var wrong = number[..^1] + (char)('0' + ((number[^1] - '0' + 1) % 10));

        var response = await Client.GetAsync($"/api/cases/{wrong}");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That((await Client.GetAsync($"/api/cases/{number}")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task An_unknown_but_valid_case_number_is_404()
    {
        var response = await Client.GetAsync("/api/cases/" + Contact.Core.Cases.CaseNumber.WithCheckDigit("999999999"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
    }

    [Test]
    public async Task A_211_case_shows_only_its_status_through_the_api()
    {
        var response = await Client.PostAsJsonAsync("/api/cases", new
        {
            category = "food-bank",
            language = "en",
            description = "I lost my job and have nothing for the kids this week",
            answers = new Dictionary<string, object> { ["household"] = 4 },
            name = "Jordan Private",
            phone = "613-555-0199",
        });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var number = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetString();

        var text = await Client.GetStringAsync($"/api/cases/{number}");

        Assert.That(text, Does.Contain("\"status\":\"new\""));
        Assert.That(text, Does.Not.Contain("lost my job").And.Not.Contain("Jordan").And.Not.Contain("555-0199").And.Not.Contain("5550199"));
        // The service is named, as are the dates: nothing the resident said.
        Assert.That(text, Does.Contain("\"categoryName\":\"Food bank\"").And.Contain("\"description\":null").And.Contain("\"history\":null"));
    }

    [Test]
    public async Task The_catalog_lists_both_lines_in_both_languages()
    {
        var catalog = await Client.GetFromJsonAsync<JsonElement>("/api/catalog");
        var categories = catalog.GetProperty("categories").EnumerateArray().ToList();
        Assert.That(categories.Count(c => c.GetProperty("line").GetString() == "311"), Is.InRange(15, 40));
        Assert.That(categories.Count(c => c.GetProperty("line").GetString() == "211"), Is.GreaterThanOrEqualTo(8));
        var pothole = categories.Single(c => c.GetProperty("code").GetString() == "pothole");
        Assert.That(pothole.GetProperty("name").GetProperty("fr").GetString(), Is.EqualTo("Nid-de-poule"));
        var food = categories.Single(c => c.GetProperty("code").GetString() == "food-bank");
        Assert.That(food.GetProperty("taxonomyCode").GetString(), Is.EqualTo("BD-1800.2000"));
        Assert.That(food.GetProperty("public").GetBoolean(), Is.False);
        Assert.That(catalog.GetProperty("clusters").EnumerateArray().Select(k => k.GetProperty("code").GetString()), Does.Contain("moving"));
    }

    [Test]
    public async Task The_openapi_document_describes_the_intake()
    {
        var doc = await Client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = doc.GetProperty("paths");
        Assert.That(paths.TryGetProperty("/api/cases", out var cases), Is.True);
        Assert.That(cases.TryGetProperty("post", out _), Is.True);
        Assert.That(paths.TryGetProperty("/api/cases/{number}", out _), Is.True);
        Assert.That(paths.TryGetProperty("/api/catalog", out _), Is.True);
    }
}
