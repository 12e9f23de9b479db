using Contact.Core.Infrastructure;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Contact.Api.Infrastructure;
using Contact.Api.Intake;
using Contact.Core.Cases;
using Contact.Core.Catalog;
using Contact.Core.Open311;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace Contact.Api.Open311;

/// <summary>
/// Open311 GeoReport v2 at /open311/v2: discovery, services, service definitions, POST and GET requests,
/// tokens, in XML and JSON, with the paging and extensions cities use. Only public 311 categories are listed
/// or accepted; GET never shows who made a request. Answers are <see cref="Open311Result"/>s rather than
/// typed results because the specification fixes both formats, errors included.
/// </summary>
internal static class Open311Api
{
    public const int MaxBodyBytes = 64 * 1024;
    public const int MaxWindowDays = 90;
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;
    public const int MaxRecords = 1000;
    public const int MaxIdLength = 200;
    private const string Specification = "http://wiki.open311.org/GeoReport_v2";
    private const string FormItem = "open311.form";
    private const string KeyItem = "open311.key";

    public static RouteGroupBuilder MapOpen311(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/open311/v2").WithTags("Open311").AddEndpointFilter(KeyAndLimitAsync);
        group.MapGet("/discovery.{format}", Discovery).WithSummary("Open311 service discovery");
        group.MapGet("/services.{format}", Services).WithSummary("Open311: the public services");
        group.MapGet("/services/{code}.{format}", Definition).WithSummary("Open311: a service's attributes");
        group.MapPost("/requests.{format}", Create).DisableAntiforgery().WithSummary("Open311: file a request (form, api_key)");
        group.MapGet("/requests.{format}", List).WithSummary("Open311: public requests by service, dates and status");
        group.MapGet("/requests/{id}.{format}", Get).WithSummary("Open311: one public request");
        group.MapGet("/tokens/{token}.{format}", Token).WithSummary("Open311: the request a token stands for");
        // Anything else under the base (a misspelt method, a missing extension, the wrong verb) still answers in the spec's error shape.
        group.MapFallback("{*path}", Unknown).ExcludeFromDescription();
        return group;
    }

    /// <summary>The language of the request: en or fr.</summary>
    private static Language Current => Language.Of(CultureInfo.CurrentUICulture.TwoLetterISOLanguageName);

    private static async ValueTask<object?> KeyAndLimitAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        // A key that authenticates is its own partition; no key, or an unknown or revoked one, counts against the
        // address, so a client cannot dodge the address's limit by sending a new made-up key each time.
        var (key, keyId) = await PresentedKeyAsync(http);
        var partition = keyId is int id
            ? "key:" + id.ToString(CultureInfo.InvariantCulture)
            : "address:" + ClientAddress.PartitionKey(http.Connection.RemoteIpAddress);
        using var lease = http.RequestServices.GetRequiredService<Open311Limiter>().Acquire(partition);
        var text = http.RequestServices.GetRequiredService<IStringLocalizer<Open311Text>>();
        if (!lease.IsAcquired)
        {
            http.Response.Headers.RetryAfter = "60";
            return Error(http, StatusCodes.Status429TooManyRequests, text["error.rate_limited"]);
        }
        // A read needs no key, but one that is sent must be good: an app whose key was revoked hears so on every call.
        if (!HttpMethods.IsPost(http.Request.Method) && key is not null && keyId is null)
        {
            return Error(http, StatusCodes.Status403Forbidden, text["error.api_key_invalid"]);
        }
        return await next(context);
    }

    internal static async Task<IResult> Discovery(string format, HttpContext http, Open311Queries queries, IStringLocalizer<Open311Text> text,
        IOptions<Open311Options> options, CancellationToken ct)
    {
        if ((BadFormat(http, format) ?? WrongJurisdiction(http, http.Request.Query["jurisdiction_id"], options.Value, text)) is { } bad)
        {
            return bad;
        }
        var changeset = await queries.CatalogChangedAtAsync(ct);
        var request = http.Request;
        var url = $"{request.Scheme}://{request.Host}{request.PathBase}/open311/v2";
        var endpoint = new O311Object()
            .With("specification", Specification)
            .With("url", url)
            .With("changeset", changeset)
            .With("type", "production")
            .With("formats", new O311Array("format", ["text/xml", "application/json"]));
        return Answer(http, format, "discovery", new O311Object()
            .With("changeset", changeset)
            .With("contact", options.Value.Contact)
            .With("key_service", options.Value.KeyService)
            .With("endpoints", new O311Array("endpoint", [endpoint])));
    }

    internal static async Task<IResult> Services(string format, HttpContext http, CatalogStore catalog, IStringLocalizer<Open311Text> text,
        IOptions<Open311Options> options, CancellationToken ct)
    {
        if ((BadFormat(http, format) ?? WrongJurisdiction(http, http.Request.Query["jurisdiction_id"], options.Value, text)) is { } bad)
        {
            return bad;
        }
        var snapshot = await catalog.GetAsync(ct);
        var language = Current;
        var groups = snapshot.Groups.ToDictionary(g => g.Code, g => g.Name.In(language), StringComparer.Ordinal);
        var services = snapshot.Categories.Where(IsOpen).Select(c => (object?)new O311Object()
            .With("service_code", c.Code)
            .With("service_name", c.Name.In(language))
            .With("description", c.Description.In(language))
            .With("metadata", c.Questions.Count > 0)
            .With("type", "realtime")
            .With("keywords", string.Join(", ", Current == Language.French ? c.KeywordsFr : c.KeywordsEn))
            .With("group", groups.GetValueOrDefault(c.GroupCode, c.GroupCode))).ToList();
        return Answer(http, format, "services", new O311Array("service", services));
    }

    internal static async Task<IResult> Definition(string code, string format, HttpContext http, CatalogStore catalog, IStringLocalizer<Open311Text> text,
        IOptions<Open311Options> options, CancellationToken ct)
    {
        if ((BadFormat(http, format) ?? WrongJurisdiction(http, http.Request.Query["jurisdiction_id"], options.Value, text)) is { } bad)
        {
            return bad;
        }
        var category = (await catalog.GetAsync(ct)).Find(code);
        if (category is null || !IsOpen(category))
        {
            return Error(http, StatusCodes.Status404NotFound, text["error.service_code_unknown", code]);
        }
        var language = Current;
        var attributes = category.Questions.Select((q, i) => (object?)new O311Object()
            .With("variable", true)
            .With("code", q.Code)
            .With("datatype", q.Datatype)
            .With("required", q.Required)
            .With("datatype_description", q.Help.In(language) is { Length: > 0 } help ? help : null)
            .With("order", i + 1)
            .With("description", q.Prompt.In(language))
            .With("values", new O311Array("value", [.. q.Choices.Select(c => (object?)new O311Object()
                .With("key", c.Key)
                .With("name", c.Name.In(language)))]))).ToList();
        return Answer(http, format, "service_definition", new O311Object()
            .With("service_code", category.Code)
            .With("attributes", new O311Array("attribute", attributes)));
    }

    internal static async Task<IResult> Create(string format, HttpContext http, CaseIntake intake, CatalogStore catalog,
        IntakeLocalizer intakeText, IStringLocalizer<Open311Text> text, IOptions<Open311Options> options, TimeZoneInfo zone, CancellationToken ct)
    {
        if (BadFormat(http, format) is { } badFormat)
        {
            return badFormat;
        }
        var (form, status, problem) = await ReadFormAsync(http);
        if (form is null)
        {
            return Error(http, status, problem == "too_large" ? text["error.too_large", MaxBodyBytes / 1024] : text["error.form_required"]);
        }
        string? Field(string name) => form[name].ToString() is { Length: > 0 } v ? v.Trim() : null;
        if (WrongJurisdiction(http, Field("jurisdiction_id") ?? http.Request.Query["jurisdiction_id"], options.Value, text) is { } elsewhere)
        {
            return elsewhere;
        }
        var (apiKey, presented) = await PresentedKeyAsync(http);
        if (apiKey is null)
        {
            return Error(http, StatusCodes.Status403Forbidden, text["error.api_key_missing"]);
        }
        if (presented is not int keyId)
        {
            return Error(http, StatusCodes.Status403Forbidden, text["error.api_key_invalid"]);
        }
        var code = Field("service_code");
        if (code is null)
        {
            return Error(http, StatusCodes.Status400BadRequest, text["error.service_code_missing"]);
        }
        var category = (await catalog.GetAsync(ct)).Find(code);
        // Private and 211 categories are about people: to Open311 they do not exist.
        if (category is null || !IsOpen(category))
        {
            return Error(http, StatusCodes.Status400BadRequest, text["error.service_code_unknown", code]);
        }

        var errors = new List<string>();
        double? Number(string name)
        {
            var value = Field(name);
            if (value is null)
            {
                return null;
            }
            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && double.IsFinite(n))
            {
                return n;
            }
            errors.Add(text["error.not_a_number", name]);
            return null;
        }
        var latitude = Number("lat");
        var longitude = Number("long");
        var description = Field("description");
        if (Open311Form.ContainsHtml(description))
        {
            errors.Add(text["error.html"]);
        }
        var (answers, malformed) = Open311Form.Attributes(form);
        errors.AddRange(malformed.Select(m => text["error.attribute_name", m].Value));
        foreach (var idField in new[] { "device_id", "account_id", "address_id" })
        {
            if (Field(idField)?.Length > MaxIdLength)
            {
                errors.Add(text["error.too_long", idField, MaxIdLength]);
            }
        }
        if (errors.Count > 0)
        {
            return Error(http, StatusCodes.Status400BadRequest, [.. errors]);
        }

        var name = string.Join(' ', new[] { Field("first_name"), Field("last_name") }.OfType<string>());
        var token = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
        var result = await intake.SubmitAsync(new NewCase(
            category.Code, "open311", intakeText.Language, description, answers, Field("address_string"), latitude, longitude,
            name.Length > 0 ? name : null, Field("phone"), Field("email"), NotifyConsent: false, IdempotencyKey: null,
            Media: Field("media_url") is { } media ? [new CaseMediaItem("photo", media)] : null,
            Open311: new Open311Origin(keyId, token, Field("device_id"), Field("account_id"), Field("address_id"))), "resident", ct);
        if (result.Case is not { } created)
        {
            return Error(http, StatusCodes.Status400BadRequest,
                [.. result.Errors.Select(e => $"{Parameter(e.Field)}: {intakeText.Message(e, category)}")]);
        }
        var notice = created.ResolutionDue is { } due
            ? text["notice.expected", created.Number, TimeZoneInfo.ConvertTime(due, zone).ToString("f", CultureInfo.CurrentCulture)]
            : text["notice.received", created.Number];
        return Answer(http, format, "service_requests", new O311Array("request", [new O311Object()
            .With("service_request_id", created.Number)
            .With("token", token)
            .With("service_notice", notice.Value)
            .With("account_id", Field("account_id"))]));
    }

    internal static async Task<IResult> List(string format, HttpContext http, Open311Queries queries, CatalogStore catalog, IntakeLocalizer intakeText,
        IStringLocalizer<Open311Text> text, IOptions<Open311Options> options, TimeProvider clock, CancellationToken ct)
    {
        var query = http.Request.Query;
        if ((BadFormat(http, format) ?? WrongJurisdiction(http, query["jurisdiction_id"], options.Value, text)) is { } bad)
        {
            return bad;
        }
        IReadOnlyList<Open311Request> rows;
        if (query["service_request_id"].ToString() is { Length: > 0 } ids)
        {
            // The spec: service_request_id overrides every other parameter.
            var numbers = ids.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToList();
            if (numbers.Count > MaxRecords)
            {
                return Error(http, StatusCodes.Status400BadRequest, text["error.too_many_ids", MaxRecords]);
            }
            rows = await queries.FindAsync([.. numbers.Select(CaseNumber.Normalise).OfType<string>()], ct);
        }
        else
        {
            var (filter, errors) = await FilterAsync(query, queries, text, clock, ct);
            if (filter is null)
            {
                return Error(http, StatusCodes.Status400BadRequest, [.. errors]);
            }
            rows = await queries.ListAsync(filter, ct);
        }
        return await RequestsAsync(http, format, rows, queries, intakeText, text, ct);
    }

    internal static async Task<IResult> Get(string id, string format, HttpContext http, Open311Queries queries, IntakeLocalizer intakeText,
        IStringLocalizer<Open311Text> text, IOptions<Open311Options> options, CancellationToken ct)
    {
        if ((BadFormat(http, format) ?? WrongJurisdiction(http, http.Request.Query["jurisdiction_id"], options.Value, text)) is { } bad)
        {
            return bad;
        }
        var rows = CaseNumber.Normalise(id) is { } number ? await queries.FindAsync([number], ct) : [];
        return rows.Count == 0
            ? Error(http, StatusCodes.Status404NotFound, text["error.request_not_found", id])
            : await RequestsAsync(http, format, rows, queries, intakeText, text, ct);
    }

    internal static async Task<IResult> Token(string token, string format, HttpContext http, Open311Queries queries, IStringLocalizer<Open311Text> text,
        IOptions<Open311Options> options, CancellationToken ct)
    {
        if ((BadFormat(http, format) ?? WrongJurisdiction(http, http.Request.Query["jurisdiction_id"], options.Value, text)) is { } bad)
        {
            return bad;
        }
        var number = token.Length <= 64 ? await queries.NumberForTokenAsync(token, ct) : null;
        return number is null
            ? Error(http, StatusCodes.Status404NotFound, text["error.token_not_found", token])
            : Answer(http, format, "service_requests", new O311Array("request", [new O311Object()
                .With("service_request_id", number)
                .With("token", token)]));
    }

    internal static IResult Unknown(string? path, HttpContext http, IStringLocalizer<Open311Text> text)
    {
        var format = path?.EndsWith("." + Open311Result.Json, StringComparison.OrdinalIgnoreCase) == true ? Open311Result.Json : Open311Result.Xml;
        return new Open311Result(format, StatusCodes.Status404NotFound, "errors",
            Errors(StatusCodes.Status404NotFound, [text["error.method_unknown", http.Request.Method, path ?? ""]]),
            http.RequestServices.GetRequiredService<TimeZoneInfo>());
    }

    private static async Task<(Open311Filter? Filter, List<string> Errors)> FilterAsync(
        IQueryCollection query, Open311Queries queries, IStringLocalizer<Open311Text> text, TimeProvider clock, CancellationToken ct)
    {
        var errors = new List<string>();
        var open = await queries.PublicCategoriesAsync(ct);
        var categoryIds = open.Values.ToArray();
        if (query["service_code"].ToString() is { Length: > 0 } codes)
        {
            var asked = codes.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            errors.AddRange(asked.Where(c => !open.ContainsKey(c)).Select(c => text["error.service_code_unknown", c].Value));
            categoryIds = [.. asked.Where(open.ContainsKey).Select(c => open[c]).Distinct()];
        }

        DateTimeOffset? Date(string name)
        {
            var value = query[name].ToString();
            if (value.Length == 0)
            {
                return null;
            }
            var at = Open311Form.ParseDate(value);
            if (at is null)
            {
                errors.Add(text["error.date_invalid", name]);
            }
            return at;
        }
        var start = Date("start_date");
        var end = Date("end_date");
        var window = TimeSpan.FromDays(MaxWindowDays);
        var now = clock.GetUtcNow();
        // The spec's default window: the 90 days up to the end date (or now), or from the start date.
        var (from, to) = (start, end) switch
        {
            (null, null) => (now - window, now),
            ({ } s, null) => (s, s + window),
            (null, { } e) => (e - window, e),
            ({ } s, { } e) => (s, e),
        };
        if (to < from)
        {
            errors.Add(text["error.date_order"]);
        }
        else if (to - from > window)
        {
            errors.Add(text["error.date_window", MaxWindowDays]);
        }

        var statuses = new List<string>();
        if (query["status"].ToString() is { Length: > 0 } asked311)
        {
            foreach (var s in asked311.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                switch (s)
                {
                    case "open":
                        statuses.AddRange(Open311Queries.OpenStatuses);
                        break;
                    case "closed":
                        statuses.AddRange(Open311Queries.ClosedStatuses);
                        break;
                    default:
                        errors.Add(text["error.status_invalid", s]);
                        break;
                }
            }
        }

        var page = 1;
        if (query["page"].ToString() is { Length: > 0 } p && (!int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out page) || page < 1))
        {
            errors.Add(text["error.page_invalid"]);
        }
        var pageSize = DefaultPageSize;
        if (query["page_size"].ToString() is { Length: > 0 } ps
            && (!int.TryParse(ps, NumberStyles.None, CultureInfo.InvariantCulture, out pageSize) || pageSize is < 1 or > MaxPageSize))
        {
            errors.Add(text["error.page_size_invalid", MaxPageSize]);
        }
        if (errors.Count > 0)
        {
            return (null, errors);
        }
        // The last page a client can reach is bounded by int arithmetic; beyond the data it is simply empty.
        var offset = (int)Math.Min((long)(page - 1) * pageSize, int.MaxValue);
        return (new Open311Filter(categoryIds, from, to, [.. statuses.Distinct()], pageSize, offset), errors);
    }

    private static async Task<IResult> RequestsAsync(HttpContext http, string format, IReadOnlyList<Open311Request> rows, Open311Queries queries,
        IntakeLocalizer intakeText, IStringLocalizer<Open311Text> text, CancellationToken ct)
    {
        var extensions = string.Equals(http.Request.Query["extensions"], "true", StringComparison.OrdinalIgnoreCase);
        var notes = extensions && rows.Count > 0 ? await queries.NotesAsync([.. rows.Select(r => r.Id)], ct) : null;
        var requests = rows.Select(r =>
        {
            var agencies = Current == Language.French ? r.AgenciesFr : r.AgenciesEn;
            var request = new O311Object()
                .With("service_request_id", r.Number)
                .With("status", Open311Queries.ClosedStatuses.Contains(r.Status) ? "closed" : "open")
                .With("status_notes", r.StatusNote)
                .With("service_name", Current == Language.French ? r.NameFr : r.NameEn)
                .With("service_code", r.ServiceCode)
                .With("description", r.Description)
                .With("agency_responsible", agencies.Length > 0 ? string.Join("; ", agencies) : null)
                .With("service_notice", null)
                .With("requested_datetime", r.CreatedAt)
                .With("updated_datetime", r.UpdatedAt)
                .With("expected_datetime", r.ExpectedAt)
                .With("address", r.Address)
                .With("address_id", r.AddressId)
                .With("zipcode", null)
                .With("lat", r.Latitude)
                .With("long", r.Longitude)
                .With("media_url", r.MediaUrl);
            if (notes is not null)
            {
                request.With("extended_attributes", new O311Object()
                    .With("channel", r.Channel)
                    .With("referred_to", new O311Array("provider", [.. r.ProviderCodes]))
                    .With("duplicate_of", r.DuplicateOf));
                request.With("notes", new O311Array("note", [.. notes[r.Id].Select(n => (object?)Note(n, intakeText, text))]));
            }
            return (object?)request;
        }).ToList();
        return Answer(http, format, "service_requests", new O311Array("request", requests));
    }

    private static O311Object Note(Open311Note n, IntakeLocalizer intakeText, IStringLocalizer<Open311Text> text)
    {
        using var data = JsonDocument.Parse(n.Data);
        var note = Open311Queries.StatusNoteKinds.Contains(n.Kind) && data.RootElement.TryGetProperty("note", out var v)
            && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s ? s : null;
        var type = text["note." + n.Kind];
        // A merge into a request Open311 does not show comes without its number (see Open311Queries.NotesAsync).
        var summary = n.Kind == "merged" && !data.RootElement.TryGetProperty("into", out _)
            ? text["summary.merged_unlisted"].Value
            : intakeText.Event(new CaseEvent(0, n.At, n.Kind, "", true, n.Data));
        return new O311Object()
            .With("datetime", n.At)
            .With("type", type.ResourceNotFound ? text["note.other"].Value : type.Value)
            .With("summary", summary)
            .With("description", note);
    }

    /// <summary>A public 311 category: the only kind Open311 lists or accepts.</summary>
    private static bool IsOpen(Category c) => c.IsPublic && Line.City.Is(c.Line);

    /// <summary>The Open311 parameter a validation error is about.</summary>
    private static string Parameter(string field) => field switch
    {
        "category" => "service_code",
        "address" => "address_string",
        "latitude" => "lat",
        "longitude" => "long",
        "name" => "first_name",
        "media" => "media_url",
        _ when field.StartsWith("answers.", StringComparison.Ordinal) => $"attribute[{field["answers.".Length..]}]",
        _ => field,
    };

    private static IResult? BadFormat(HttpContext http, string format)
    {
        if (format is Open311Result.Xml or Open311Result.Json)
        {
            return null;
        }
        var text = http.RequestServices.GetRequiredService<IStringLocalizer<Open311Text>>();
        return new Open311Result(Open311Result.Xml, StatusCodes.Status404NotFound, "errors", Errors(404, [text["error.format", format]]),
            http.RequestServices.GetRequiredService<TimeZoneInfo>());
    }

    private static IResult? WrongJurisdiction(HttpContext http, string? jurisdiction, Open311Options options, IStringLocalizer<Open311Text> text) =>
        string.IsNullOrWhiteSpace(jurisdiction) || string.Equals(jurisdiction.Trim(), options.JurisdictionId, StringComparison.OrdinalIgnoreCase)
            ? null
            : Error(http, StatusCodes.Status404NotFound, text["error.jurisdiction_not_found", jurisdiction.Trim(), options.JurisdictionId]);

    private static IResult Answer(HttpContext http, string format, string root, object body) =>
        new Open311Result(format, StatusCodes.Status200OK, root, body, http.RequestServices.GetRequiredService<TimeZoneInfo>());

    private static IResult Error(HttpContext http, int status, params string[] descriptions)
    {
        var format = http.GetRouteValue("format") as string is Open311Result.Json ? Open311Result.Json : Open311Result.Xml;
        return new Open311Result(format, status, "errors", Errors(status, descriptions), http.RequestServices.GetRequiredService<TimeZoneInfo>());
    }

    private static O311Array Errors(int status, IEnumerable<string> descriptions) =>
        new("error", [.. descriptions.Select(d => (object?)new O311Object().With("code", status).With("description", d))]);

    /// <summary>
    /// The api_key the call presents (the form's on a POST, the query's on a GET) and the id of the live key it is,
    /// looked up once (the rate limit partitions by it; the handler authorizes with it); null when absent or not valid.
    /// </summary>
    private static async Task<(string? Key, int? Id)> PresentedKeyAsync(HttpContext http)
    {
        if (http.Items.TryGetValue(KeyItem, out var cached) && cached is ValueTuple<string?, int?> known)
        {
            return known;
        }
        var sent = HttpMethods.IsPost(http.Request.Method)
            ? (await ReadFormAsync(http)).Form?["api_key"].ToString()
            : http.Request.Query["api_key"].ToString();
        var key = string.IsNullOrWhiteSpace(sent) ? null : sent.Trim();
        var id = key is null ? null : await http.RequestServices.GetRequiredService<ApiKeys>().AuthenticateAsync(key, http.RequestAborted);
        (string?, int?) result = (key, id);
        http.Items[KeyItem] = result;
        return result;
    }

    /// <summary>The POST's form, read once (the rate limit reads it for the key; the handler uses it); null with a status when it cannot be.</summary>
    private static async Task<(IFormCollection? Form, int Status, string? Problem)> ReadFormAsync(HttpContext http)
    {
        if (http.Items.TryGetValue(FormItem, out var cached) && cached is ValueTuple<IFormCollection?, int, string?> read)
        {
            return read;
        }
        (IFormCollection?, int, string?) result;
        if (!http.Request.HasFormContentType)
        {
            result = (null, StatusCodes.Status400BadRequest, "form_required");
        }
        else if (http.Request.ContentLength > MaxBodyBytes)
        {
            result = (null, StatusCodes.Status413PayloadTooLarge, "too_large");
        }
        else
        {
            try
            {
                var limits = new FormOptions { BufferBodyLengthLimit = MaxBodyBytes, MultipartBodyLengthLimit = MaxBodyBytes, ValueLengthLimit = MaxBodyBytes };
                result = (await http.Request.ReadFormAsync(limits, http.RequestAborted), StatusCodes.Status200OK, null);
            }
            catch (InvalidDataException)
            {
                result = (null, StatusCodes.Status413PayloadTooLarge, "too_large");
            }
        }
        http.Items[FormItem] = result;
        return result;
    }
}
