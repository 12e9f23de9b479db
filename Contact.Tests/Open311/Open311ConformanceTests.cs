using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Xml.Linq;
using Contact.Core.Open311;
using Contact.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Contact.Tests.Open311;

/// <summary>GeoReport v2, method by method, in both formats, from the specification's text.</summary>
public sealed class Open311ConformanceTests : AppFixture
{
    [Test]
    public async Task Discovery_names_the_GeoReport_v2_endpoint_and_both_formats()
    {
        var xml = await Client.GetXmlAsync("discovery.xml");
        Assert.That(xml.Name.LocalName, Is.EqualTo("discovery"));
        Assert.That(xml.Text("changeset"), Does.Match(Open311Client.W3CDate()));
        Assert.That(xml.Text("contact"), Is.Not.Empty);
        Assert.That(xml.Text("key_service"), Is.Not.Empty);
        var endpoint = xml.Element("endpoints")!.Elements("endpoint").Single();
        Assert.That(endpoint.Text("specification"), Is.EqualTo("http://wiki.open311.org/GeoReport_v2"));
        Assert.That(endpoint.Text("url"), Does.EndWith("/open311/v2"));
        Assert.That(endpoint.Text("type"), Is.EqualTo("production"));
        Assert.That(endpoint.Element("formats")!.Elements("format").Select(f => f.Value), Is.EqualTo(new[] { "text/xml", "application/json" }));

        var json = await Client.GetJsonAsync("discovery.json");
        Assert.That(json.GetProperty("endpoints")[0].GetProperty("formats").EnumerateArray().Select(f => f.GetString()), Is.EqualTo(new[] { "text/xml", "application/json" }));
        Assert.That(json.GetProperty("changeset").GetString(), Is.EqualTo(xml.Text("changeset")));
    }

    [Test]
    public async Task Services_lists_only_public_311_categories_with_the_specs_fields()
    {
        var xml = await Client.GetXmlAsync("services.xml");
        Assert.That(xml.Name.LocalName, Is.EqualTo("services"));
        var services = xml.Elements("service").ToList();
        var codes = services.Select(s => s.Text("service_code")).ToList();
        Assert.That(codes, Does.Contain("pothole").And.Contain("graffiti"));
        // 211 services and private 311 ones (about people, not places) are never exposed.
        Assert.That(codes, Has.None.AnyOf("food-bank", "emergency-shelter", "noise-complaint", "no-water", "health-card", "general-311"));
        var pothole = services.Single(s => s.Text("service_code") == "pothole");
        Assert.That(pothole.Text("service_name"), Is.EqualTo("Pothole"));
        Assert.That(pothole.Text("metadata"), Is.EqualTo("true"));
        Assert.That(pothole.Text("type"), Is.EqualTo("realtime"));
        Assert.That(pothole.Text("keywords"), Does.Contain("pothole"));
        Assert.That(pothole.Text("group"), Is.Not.Empty);
        Assert.That(pothole.Element("description"), Is.Not.Null);

        var json = await Client.GetJsonAsync("services.json");
        Assert.That(json.ValueKind, Is.EqualTo(JsonValueKind.Array));
        Assert.That(json.EnumerateArray().Select(s => s.GetProperty("service_code").GetString()), Is.EqualTo(codes));
        var first = json.EnumerateArray().Single(s => s.GetProperty("service_code").GetString() == "pothole");
        Assert.That(first.GetProperty("metadata").GetBoolean(), Is.True);

        using var french = new HttpRequestMessage(HttpMethod.Get, Open311Client.Base + "services.xml");
        french.Headers.AcceptLanguage.ParseAdd("fr");
        var fr = await (await Client.SendAsync(french)).XmlAsync();
        Assert.That(fr.Elements("service").Single(s => s.Text("service_code") == "pothole").Text("service_name"), Is.EqualTo("Nid-de-poule"));

        using var frenchJson = new HttpRequestMessage(HttpMethod.Get, Open311Client.Base + "services.json");
        frenchJson.Headers.AcceptLanguage.ParseAdd("fr");
        var raw = await (await Client.SendAsync(frenchJson)).Content.ReadAsStringAsync();
        Assert.That(raw, Does.Contain("\"Trottoir endommagé\""), "accented letters are written as themselves");
        Assert.That(raw, Does.Not.Contain("\\u00E9"));
    }

    [Test]
    public async Task A_service_definition_gives_the_questions_as_attributes_with_datatypes_and_values()
    {
        var xml = await Client.GetXmlAsync("services/pothole.xml");
        Assert.That(xml.Name.LocalName, Is.EqualTo("service_definition"));
        Assert.That(xml.Text("service_code"), Is.EqualTo("pothole"));
        var attributes = xml.Element("attributes")!.Elements("attribute").ToList();
        var size = attributes.Single(a => a.Text("code") == "size");
        Assert.That(size.Text("variable"), Is.EqualTo("true"));
        Assert.That(size.Text("datatype"), Is.EqualTo("singlevaluelist"));
        Assert.That(size.Text("required"), Is.EqualTo("true"));
        Assert.That(size.Text("order"), Is.EqualTo("1"));
        Assert.That(size.Text("description"), Is.Not.Empty);
        Assert.That(size.Element("datatype_description"), Is.Not.Null);
        var values = size.Element("values")!.Elements("value").ToList();
        Assert.That(values.Select(v => v.Text("key")), Does.Contain("large"));
        Assert.That(values.Select(v => v.Text("name")), Has.None.Empty);
        Assert.That(attributes.Single(a => a.Text("code") == "position").Text("required"), Is.EqualTo("false"));

        var json = await Client.GetJsonAsync("services/bulky-item.json");
        var items = json.GetProperty("attributes").EnumerateArray().ToList();
        Assert.That(items.Select(a => a.GetProperty("datatype").GetString()), Is.EqualTo(new[] { "multivaluelist", "number" }));
        Assert.That(items.Select(a => a.GetProperty("order").GetInt32()), Is.EqualTo(new[] { 1, 2 }));
        Assert.That(items[0].GetProperty("values").GetArrayLength(), Is.GreaterThan(1));
        Assert.That(items[1].GetProperty("values").GetArrayLength(), Is.Zero);
    }

    [TestCase("services/no-such-service.xml")]
    [TestCase("services/food-bank.xml")]
    [TestCase("services/noise-complaint.xml")]
    public async Task An_unknown_211_or_private_service_code_is_404(string path)
    {
        var errors = await (await Client.GetAsync(Open311Client.Base + path)).XmlErrorsAsync(HttpStatusCode.NotFound);
        Assert.That(errors.Single(), Does.Contain("was not found"));
    }

    [TestCase("xml")]
    [TestCase("json")]
    public async Task Another_jurisdiction_is_404_on_every_method_and_ours_is_accepted(string format)
    {
        var filed = await (await Client.PostRequestAsync("json", Open311Client.Pothole())).JsonAsync();
        var id = filed[0].GetProperty("service_request_id").GetString()!;
        var token = filed[0].GetProperty("token").GetString()!;
        var before = await App.CasesAsync();

        foreach (var path in new[] { "discovery", "services", "services/pothole", "requests", $"requests/{id}", $"tokens/{token}" })
        {
            var elsewhere = await (await Client.GetAsync($"{Open311Client.Base}{path}.{format}?jurisdiction_id=toronto.ca")).ErrorsAsync(format, HttpStatusCode.NotFound);
            Assert.That(elsewhere.Single(), Does.Contain("toronto.ca"), path);
            await (await Client.GetAsync($"{Open311Client.Base}{path}.{format}?jurisdiction_id=ottawa.ca")).OkAsync(format);
        }
        await (await Client.PostRequestAsync(format, Open311Client.Pothole(("jurisdiction_id", "toronto.ca")))).ErrorsAsync(format, HttpStatusCode.NotFound);

        Assert.That(await App.CasesAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task A_method_the_spec_does_not_have_is_404_with_the_specs_error_body()
    {
        var before = await App.CasesAsync();

        Assert.That((await (await Client.GetAsync(Open311Client.Base + "requests")).XmlErrorsAsync(HttpStatusCode.NotFound)).Single(), Does.Contain("GET requests"));
        await (await Client.GetAsync(Open311Client.Base + "request.json")).JsonErrorsAsync(HttpStatusCode.NotFound);
        await (await Client.GetAsync(Open311Client.Base + "services/pothole/attributes.xml")).XmlErrorsAsync(HttpStatusCode.NotFound);
        await (await Client.PostAsync(Open311Client.Base + "services.json", new FormUrlEncodedContent(Open311Client.Pothole()))).JsonErrorsAsync(HttpStatusCode.NotFound);
        var outside = await Client.GetAsync("/open311/v3/requests.json");
        Assert.That((outside.StatusCode, outside.Content.Headers.ContentType?.MediaType), Is.Not.EqualTo((HttpStatusCode.NotFound, "application/json")), "only the v2 base answers so");

        Assert.That(await App.CasesAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task A_format_other_than_xml_or_json_is_404()
    {
        await (await Client.GetAsync(Open311Client.Base + "services.csv")).XmlErrorsAsync(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Posting_a_request_in_xml_answers_its_id_token_and_notice_and_stores_it_as_an_open311_case()
    {
        var response = await Client.PostRequestAsync("xml", Open311Client.Pothole(
            ("attribute[position]", "curb"), ("email", "poster@example.org"), ("device_id", "dev-1"), ("account_id", "acct-1"),
            ("first_name", "Pat"), ("last_name", "Poster"), ("phone", "613-555-0142"), ("media_url", "https://example.org/hole.jpg")));
        var root = await response.XmlAsync();
        Assert.That(root.Name.LocalName, Is.EqualTo("service_requests"));
        var request = root.Elements("request").Single();
        var id = request.Text("service_request_id");
        Assert.That(id, Does.Match("^[0-9]{7,10}$"));
        Assert.That(request.Text("token"), Is.Not.Empty);
        Assert.That(request.Text("service_notice"), Does.Contain(id));

        var keyId = await App.ScalarAsync("select id from api_keys where name = 'demo'");
        Assert.That(await App.ScalarAsync($$"""
            select count(*) from cases c join categories k on k.id = c.category_id
            where c.number = '{{id}}' and c.channel = 'open311' and k.code = 'pothole' and c.api_key_id = {{keyId}}
              and c.device_id = 'dev-1' and c.account_id = 'acct-1' and c.resident_name = 'Pat Poster'
              and c.resident_phone = '+16135550142' and c.resident_email = 'poster@example.org'
              and c.answers = '{"size":"large","position":"curb"}'::jsonb and c.latitude = 45.4215
              and c.open311_token = '{{request.Text("token")}}'
            """), Is.EqualTo(1));
        Assert.That(await App.ScalarAsync($"select count(*) from case_media m join cases c on c.id = m.case_id where c.number = '{id}' and m.kind = 'photo' and m.url = 'https://example.org/hole.jpg'"), Is.EqualTo(1));
    }

    [Test]
    public async Task Posting_in_json_takes_multi_value_lists_and_an_address_id_alone_as_the_location()
    {
        var fields = Open311Client.Pothole(("service_code", "sidewalk-damage"), ("attribute[size]", null), ("lat", null), ("long", null),
            ("address_string", null), ("address_id", "OTT-0042"));
        fields.Add(new("attribute[problem][]", "cracks"));
        fields.Add(new("attribute[problem][]", "raised"));
        var json = await (await Client.PostRequestAsync("json", fields)).JsonAsync();
        Assert.That(json.ValueKind, Is.EqualTo(JsonValueKind.Array));
        var id = json[0].GetProperty("service_request_id").GetString();
        Assert.That(json[0].GetProperty("service_notice").GetString(), Is.Not.Empty);
        Assert.That(await App.ScalarAsync($"select count(*) from cases where number = '{id}' and answers = '{{\"problem\":[\"cracks\",\"raised\"]}}'::jsonb and address_id = 'OTT-0042'"), Is.EqualTo(1));

        var back = await Client.GetXmlAsync($"requests/{id}.xml");
        Assert.That(back.Element("request")!.Text("address_id"), Is.EqualTo("OTT-0042"));
    }

    private static IEnumerable<TestCaseData> BadPosts()
    {
        yield return new TestCaseData(new[] { ("api_key", (string?)null) }, HttpStatusCode.Forbidden, "api_key").SetName("Missing api_key is 403");
        yield return new TestCaseData(new[] { ("api_key", (string?)"not-a-key") }, HttpStatusCode.Forbidden, "api_key").SetName("A wrong api_key is 403");
        yield return new TestCaseData(new[] { ("service_code", (string?)null) }, HttpStatusCode.BadRequest, "service_code").SetName("Missing service_code is 400");
        yield return new TestCaseData(new[] { ("service_code", (string?)"no-such-service") }, HttpStatusCode.BadRequest, "service_code").SetName("An unknown service_code is 400");
        yield return new TestCaseData(new[] { ("service_code", (string?)"food-bank") }, HttpStatusCode.BadRequest, "service_code").SetName("A 211 service_code is unknown");
        yield return new TestCaseData(new[] { ("service_code", (string?)"noise-complaint") }, HttpStatusCode.BadRequest, "service_code").SetName("A private service_code is unknown");
        yield return new TestCaseData(new[] { ("lat", (string?)null), ("long", null), ("address_string", null) }, HttpStatusCode.BadRequest, "address_string").SetName("A missing location is 400");
        yield return new TestCaseData(new[] { ("lat", (string?)"north") }, HttpStatusCode.BadRequest, "lat").SetName("A latitude that is not a number is 400");
        yield return new TestCaseData(new[] { ("long", (string?)null) }, HttpStatusCode.BadRequest, "long").SetName("A latitude without a longitude is 400");
        yield return new TestCaseData(new[] { ("attribute[size]", (string?)null) }, HttpStatusCode.BadRequest, "attribute[size]").SetName("An unanswered required attribute is 400");
        yield return new TestCaseData(new[] { ("attribute[size]", (string?)"enormous") }, HttpStatusCode.BadRequest, "attribute[size]").SetName("A value not in the list is 400");
        yield return new TestCaseData(new[] { ("attribute[colour]", (string?)"red") }, HttpStatusCode.BadRequest, "attribute[colour]").SetName("An unknown attribute is 400");
        yield return new TestCaseData(new[] { ("attribute[size", (string?)"large") }, HttpStatusCode.BadRequest, "attribute[size").SetName("A malformed attribute field is 400");
        yield return new TestCaseData(new[] { ("description", (string?)new string('x', 4001)) }, HttpStatusCode.BadRequest, "description").SetName("A description over 4000 characters is 400");
        yield return new TestCaseData(new[] { ("description", (string?)"Big hole <script>alert(1)</script>") }, HttpStatusCode.BadRequest, "HTML").SetName("A description with HTML is 400");
        yield return new TestCaseData(new[] { ("description", (string?)"Hole &amp; crack") }, HttpStatusCode.BadRequest, "HTML").SetName("A description with an HTML entity is 400");
        yield return new TestCaseData(new[] { ("email", (string?)"not an email") }, HttpStatusCode.BadRequest, "email").SetName("A malformed email is 400");
        yield return new TestCaseData(new[] { ("media_url", (string?)"javascript:alert(1)") }, HttpStatusCode.BadRequest, "media_url").SetName("A media_url that is not http is 400");
        yield return new TestCaseData(new[] { ("device_id", (string?)new string('d', 201)) }, HttpStatusCode.BadRequest, "device_id").SetName("A device_id over 200 characters is 400");
    }

    [TestCaseSource(nameof(BadPosts))]
    public async Task Bad_input_gets_the_specs_error_body_and_status_and_creates_nothing((string Name, string? Value)[] change, HttpStatusCode status, string mentions)
    {
        var before = await App.CasesAsync();

        var xml = await (await Client.PostRequestAsync("xml", Open311Client.Pothole(change))).XmlErrorsAsync(status);
        var json = await (await Client.PostRequestAsync("json", Open311Client.Pothole(change))).JsonErrorsAsync(status);

        Assert.That(string.Join(" ", xml), Does.Contain(mentions));
        Assert.That(json, Is.EqualTo(xml));
        Assert.That(await App.CasesAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task A_description_that_only_mentions_a_less_than_sign_is_not_html()
    {
        var id = await Client.FileAsync(("description", "Hole is < 2 m wide & deep"));
        Assert.That(await App.ScalarAsync($"select count(*) from cases where number = '{id}' and description = 'Hole is < 2 m wide & deep'"), Is.EqualTo(1));
    }

    [Test]
    public async Task A_revoked_key_is_refused_and_a_body_that_is_not_a_form_is_400()
    {
        var keys = App.Services.GetRequiredService<ApiKeys>();
        var issued = await keys.AddAsync("revoked-app");
        await Client.FileAsync(("api_key", issued.Key));
        Assert.That(await keys.RevokeAsync("revoked-app"), Is.True);
        var before = await App.CasesAsync();

        var xml = await (await Client.PostRequestAsync("xml", Open311Client.Pothole(("api_key", issued.Key)))).XmlErrorsAsync(HttpStatusCode.Forbidden);
        var revoked = await (await Client.PostRequestAsync("json", Open311Client.Pothole(("api_key", issued.Key)))).JsonErrorsAsync(HttpStatusCode.Forbidden);
        Assert.That(revoked, Is.EqualTo(xml));
        Assert.That(revoked.Single(), Does.Contain("revoked"));
        using var json = new StringContent("{\"service_code\":\"pothole\"}", System.Text.Encoding.UTF8, "application/json");
        await (await Client.PostAsync(Open311Client.Base + "requests.json", json)).JsonErrorsAsync(HttpStatusCode.BadRequest);

        Assert.That(await App.CasesAsync(), Is.EqualTo(before));
    }

    [TestCase("xml")]
    [TestCase("json")]
    public async Task A_read_needs_no_key_but_a_wrong_or_revoked_one_is_403(string format)
    {
        var keys = App.Services.GetRequiredService<ApiKeys>();
        var name = "reader-" + format;
        var issued = Uri.EscapeDataString((await keys.AddAsync(name)).Key);
        await (await Client.GetAsync($"{Open311Client.Base}requests.{format}")).OkAsync(format);
        await (await Client.GetAsync($"{Open311Client.Base}requests.{format}?api_key={issued}")).OkAsync(format);
        Assert.That(await keys.RevokeAsync(name), Is.True);

        foreach (var path in new[] { $"discovery.{format}?api_key=not-a-key", $"services.{format}?api_key=not-a-key", $"requests.{format}?api_key={issued}" })
        {
            var errors = await (await Client.GetAsync(Open311Client.Base + path)).ErrorsAsync(format, HttpStatusCode.Forbidden);
            Assert.That(errors.Single(), Does.Contain("api_key"), path);
        }
    }

    [Test]
    public async Task Get_requests_filters_by_service_code_dates_and_status_and_pages_newest_first()
    {
        var graffiti = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            graffiti.Add(await Client.FileAsync(("service_code", "graffiti"), ("attribute[size]", null), ("attribute[surfaces][]", "wall")));
        }
        // Streetlights and graffiti: categories no other test here files, so the lists are exact.
        var pothole = await Client.FileAsync(("service_code", "streetlight-out"), ("attribute[size]", null));
        // One graffiti case from last year, outside any window that reaches today.
        await App.ScalarAsync($"update cases set created_at = now() - interval '400 days' where number = '{graffiti[0]}' returning 1");
        await App.ScalarAsync($"update cases set status = 'resolved' where number = '{graffiti[2]}' returning 1");

        var all = await Client.GetXmlAsync("requests.xml?service_code=graffiti");
        Assert.That(all.Name.LocalName, Is.EqualTo("service_requests"));
        Assert.That(all.Elements("request").Select(r => r.Text("service_request_id")), Is.EqualTo(new[] { graffiti[2], graffiti[1] }), "the default window is the last 90 days, newest first");
        var first = all.Elements("request").First();
        Assert.That(first.Text("status"), Is.EqualTo("closed"));
        Assert.That(first.Text("service_code"), Is.EqualTo("graffiti"));
        Assert.That(first.Text("service_name"), Is.EqualTo("Graffiti"));
        Assert.That(first.Text("requested_datetime"), Does.Match(Open311Client.W3CDate()));
        Assert.That(first.Text("updated_datetime"), Does.Match(Open311Client.W3CDate()));
        Assert.That(first.Text("lat"), Is.EqualTo("45.4215"));
        Assert.That(first.Text("long"), Is.EqualTo("-75.6972"));
        Assert.That(first.Text("address"), Is.EqualTo("111 Wellington St"));
        foreach (var field in new[] { "status_notes", "agency_responsible", "service_notice", "expected_datetime", "address_id", "zipcode", "media_url", "description" })
        {
            Assert.That(first.Element(field), Is.Not.Null, field);
        }

        var open = await Client.GetJsonAsync("requests.json?service_code=graffiti&status=open");
        Assert.That(open.EnumerateArray().Select(r => r.GetProperty("service_request_id").GetString()), Is.EqualTo(new[] { graffiti[1] }));
        Assert.That(open[0].GetProperty("status").GetString(), Is.EqualTo("open"));
        Assert.That(open[0].GetProperty("lat").GetDouble(), Is.EqualTo(45.4215));

        var both = await Client.GetJsonAsync("requests.json?service_code=graffiti,streetlight-out&status=open,closed");
        Assert.That(both.EnumerateArray().Select(r => r.GetProperty("service_request_id").GetString()), Is.EqualTo(new[] { pothole, graffiti[2], graffiti[1] }));

        var old = DateTimeOffset.UtcNow.AddDays(-400);
        var start = Uri.EscapeDataString(old.AddDays(-1).ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture));
        var end = Uri.EscapeDataString(old.AddDays(1).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        var lastYear = await Client.GetXmlAsync($"requests.xml?service_code=graffiti&start_date={start}&end_date={end}");
        Assert.That(lastYear.Elements("request").Select(r => r.Text("service_request_id")), Is.EqualTo(new[] { graffiti[0] }));

        var page1 = await Client.GetJsonAsync("requests.json?service_code=graffiti,streetlight-out&page_size=2");
        var page2 = await Client.GetJsonAsync("requests.json?service_code=graffiti,streetlight-out&page_size=2&page=2");
        Assert.That(page1.EnumerateArray().Concat(page2.EnumerateArray()).Select(r => r.GetProperty("service_request_id").GetString()),
            Is.EqualTo(new[] { pothole, graffiti[2], graffiti[1] }));

        // service_request_id overrides every other parameter, even a window that would exclude them.
        var byId = await Client.GetXmlAsync($"requests.xml?service_request_id={graffiti[0]},{pothole}&service_code=tree-pruning&status=closed");
        Assert.That(byId.Elements("request").Select(r => r.Text("service_request_id")), Is.EquivalentTo(new[] { graffiti[0], pothole }));
    }

    [Test]
    public async Task Get_requests_answers_pages_of_50_unless_asked_for_another_size()
    {
        // Abandoned vehicles: a category no other test here files, so the pages are exact.
        var filed = new List<string>();
        for (var i = 0; i < 51; i++)
        {
            filed.Add(await Client.FileAsync(("service_code", "abandoned-vehicle"), ("attribute[size]", null)));
        }
        filed.Reverse();

        var first = await Client.GetJsonAsync("requests.json?service_code=abandoned-vehicle");
        var second = await Client.GetXmlAsync("requests.xml?service_code=abandoned-vehicle&page=2");
        var whole = await Client.GetJsonAsync("requests.json?service_code=abandoned-vehicle&page_size=500");

        Assert.That(first.EnumerateArray().Select(r => r.GetProperty("service_request_id").GetString()), Is.EqualTo(filed.Take(50)));
        Assert.That(second.Elements("request").Select(r => r.Text("service_request_id")), Is.EqualTo(new[] { filed[50] }));
        Assert.That(whole.GetArrayLength(), Is.EqualTo(51));
    }

    [TestCase("requests.xml?start_date=yesterday")]
    [TestCase("requests.xml?end_date=2026-01-31")]
    [TestCase("requests.xml?start_date=2026-01-31T08:00:00")]
    [TestCase("requests.xml?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z")]
    [TestCase("requests.xml?start_date=2026-03-01T00:00:00Z&end_date=2026-02-01T00:00:00Z")]
    [TestCase("requests.xml?status=pending")]
    [TestCase("requests.xml?service_code=no-such-service")]
    [TestCase("requests.xml?service_code=food-bank")]
    [TestCase("requests.xml?page=0")]
    [TestCase("requests.xml?page_size=501")]
    [TestCase("requests.xml?page_size=ten")]
    public async Task A_bad_query_is_400_with_the_specs_error_body(string path)
    {
        await (await Client.GetAsync(Open311Client.Base + path)).XmlErrorsAsync(HttpStatusCode.BadRequest);
        await (await Client.GetAsync(Open311Client.Base + path.Replace("requests.xml", "requests.json", StringComparison.Ordinal))).JsonErrorsAsync(HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task A_window_of_exactly_90_days_is_accepted()
    {
        var json = await Client.GetJsonAsync("requests.json?start_date=2026-01-01T00:00:00-05:00&end_date=2026-04-01T00:00:00-05:00");
        Assert.That(json.ValueKind, Is.EqualTo(JsonValueKind.Array));
    }

    [Test]
    public async Task One_request_and_a_token_are_found_and_unknown_ones_are_404()
    {
        var response = await (await Client.PostRequestAsync("json", Open311Client.Pothole())).JsonAsync();
        var id = response[0].GetProperty("service_request_id").GetString()!;
        var token = response[0].GetProperty("token").GetString()!;

        var xml = await Client.GetXmlAsync($"requests/{id}.xml");
        Assert.That(xml.Name.LocalName, Is.EqualTo("service_requests"));
        Assert.That(xml.Elements("request").Single().Text("service_request_id"), Is.EqualTo(id));
        var json = await Client.GetJsonAsync($"requests/{id}.json");
        Assert.That(json[0].GetProperty("description").GetString(), Is.EqualTo("Deep hole in the right lane"));
        Assert.That(json[0].GetProperty("expected_datetime").GetString(), Does.Match(Open311Client.W3CDate()), "the SLA gives an expected time");

        var byToken = await Client.GetXmlAsync($"tokens/{token}.xml");
        Assert.That(byToken.Name.LocalName, Is.EqualTo("service_requests"));
        Assert.That(byToken.Element("request")!.Text("service_request_id"), Is.EqualTo(id));
        Assert.That(byToken.Element("request")!.Text("token"), Is.EqualTo(token));
        var tokenJson = await Client.GetJsonAsync($"tokens/{token}.json");
        Assert.That(tokenJson[0].GetProperty("service_request_id").GetString(), Is.EqualTo(id));

        await (await Client.GetAsync(Open311Client.Base + "requests/9999999.xml")).XmlErrorsAsync(HttpStatusCode.NotFound);
        await (await Client.GetAsync(Open311Client.Base + "requests/12.json")).JsonErrorsAsync(HttpStatusCode.NotFound);
        await (await Client.GetAsync(Open311Client.Base + "tokens/AAAAAAAAAAAAAAAAAAAAAA.xml")).XmlErrorsAsync(HttpStatusCode.NotFound);
        await (await Client.GetAsync(Open311Client.Base + "tokens/AAAAAAAAAAAAAAAAAAAAAA.json")).JsonErrorsAsync(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Dates_carry_the_city_offset_and_answers_are_utf8_in_french_too()
    {
        var id = await Client.FileAsync(("description", "Trou profond près du trottoir"));
        using var request = new HttpRequestMessage(HttpMethod.Get, Open311Client.Base + $"requests/{id}.xml");
        request.Headers.AcceptLanguage.ParseAdd("fr");
        var xml = await (await Client.SendAsync(request)).XmlAsync();
        var r = xml.Element("request")!;
        Assert.That(r.Text("description"), Is.EqualTo("Trou profond près du trottoir"));
        Assert.That(r.Text("service_name"), Is.EqualTo("Nid-de-poule"));
        var requested = DateTimeOffset.Parse(r.Text("requested_datetime"), CultureInfo.InvariantCulture);
        var toronto = TimeZoneInfo.FindSystemTimeZoneById("America/Toronto");
        Assert.That(requested.Offset, Is.EqualTo(toronto.GetUtcOffset(requested)));
    }
}
