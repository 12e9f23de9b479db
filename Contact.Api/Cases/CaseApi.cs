using System.Text.Json;
using Contact.Api.Intake;
using Contact.Core.Cases;
using Contact.Core.Catalog;
using Contact.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Localization;

namespace Contact.Api.Cases;

/// <summary>A request as JSON clients send it to POST /api/cases.</summary>
public sealed record CaseSubmission(
    string? Category,
    string? Language,
    string? Description,
    Dictionary<string, JsonElement>? Answers,
    string? Address,
    double? Latitude,
    double? Longitude,
    string? Name,
    string? Phone,
    string? Email,
    bool Notify = false);

/// <summary>
/// What anyone holding a case number may see of it: for a case about a public place, what and where; for a private
/// 311 case and every 211 case, only the status, the dates and the service.
/// </summary>
public sealed record PublicCaseView(
    string Number,
    string Line,
    string Status,
    string StatusText,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ExpectedBy = null,
    string? Category = null,
    string? CategoryName = null,
    DateTimeOffset? CreatedAt = null,
    string? Address = null,
    double? Latitude = null,
    double? Longitude = null,
    string? Description = null,
    IReadOnlyList<PublicEventView>? History = null);

/// <summary>One public entry of a case's history.</summary>
public sealed record PublicEventView(DateTimeOffset At, string Kind, string Text);

internal static class CaseApi
{
    public const int MaxBodyBytes = 64 * 1024;

    public static RouteGroupBuilder MapCaseApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/cases").WithTags("Cases");
        group.MapPost("/", Create)
            .RequireRateLimiting(WebPlatform.Public)
            .Accepts<CaseSubmission>("application/json")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithSummary("File a request")
            .WithDescription("Files a 311 or 211 request. Send an Idempotency-Key header to make retries safe: a repeated key answers the case it made (200) instead of making another.");
        group.MapGet("/{number}", Get)
            .RequireRateLimiting(WebPlatform.Public)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithSummary("Look up a request by its number")
            .WithDescription("Anyone with the number sees the status; 311 requests also show what and where. 211 requests show only their status.");
        return group;
    }

    internal static async Task<Results<Created<PublicCaseView>, Ok<PublicCaseView>, ValidationProblem, ProblemHttpResult>> Create(
        HttpRequest request, CaseIntake intake, CatalogStore catalog, CaseQueries queries, IntakeLocalizer text, CancellationToken ct)
    {
        var (submission, problem) = await ReadJsonAsync<CaseSubmission>(request, text, ct);
        if (submission is null)
        {
            return problem!;
        }

        var category = (await catalog.GetAsync(ct)).Find(submission.Category?.Trim());
        var (answers, answerErrors) = ReadAnswers(submission.Answers, "answers.");
        if (answerErrors.Count > 0)
        {
            return Invalid(answerErrors, category, text);
        }
        var result = await intake.SubmitAsync(new NewCase(
            submission.Category, "web", submission.Language ?? text.Language, submission.Description, answers,
            submission.Address, submission.Latitude, submission.Longitude, submission.Name, submission.Phone, submission.Email,
            submission.Notify, request.Headers["Idempotency-Key"].FirstOrDefault()), "resident", ct);
        if (result.Case is null)
        {
            return Invalid(result.Errors, category, text);
        }
        if (result.Case.AlreadyExisted)
        {
            return TypedResults.Ok((await PublicViewAsync(result.Case.Number, queries, text, ct))!);
        }
        // A new case is exactly what was just stored: answer from it rather than read it back.
        var created = result.Case;
        var view = new PublicCaseView(created.Number, category!.Line, created.Status, text.Status(created.Status), created.CreatedAt, created.ResolutionDue,
            category.Code, category.Name.In(text.Language), created.CreatedAt);
        if (category.IsPublic)
        {
            view = view with
            {
                Address = string.IsNullOrWhiteSpace(submission.Address) ? null : submission.Address.Trim(),
                Latitude = submission.Latitude,
                Longitude = submission.Longitude,
                Description = submission.Description?.Trim() ?? "",
                History = [new PublicEventView(created.CreatedAt, "created", text["event.created", text["channel.web"]])],
            };
        }
        return TypedResults.Created($"/api/cases/{created.Number}", view);
    }

    internal static async Task<Results<Ok<PublicCaseView>, ProblemHttpResult>> Get(
        string number, CaseQueries queries, IntakeLocalizer text, CancellationToken ct)
    {
        var normalised = CaseNumber.Normalise(number);
        if (normalised is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest,
                title: text["problem.bad_number.title"], detail: text["status.number_invalid"]);
        }
        var view = await PublicViewAsync(normalised, queries, text, ct);
        return view is null
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: text["problem.not_found.title"], detail: text["status.not_found", normalised])
            : TypedResults.Ok(view);
    }

    private static async Task<PublicCaseView?> PublicViewAsync(string number, CaseQueries queries, IntakeLocalizer text, CancellationToken ct)
    {
        var c = await queries.FindAsync(number, ct);
        if (c is null)
        {
            return null;
        }
        var open = c.Status is not ("resolved" or "closed");
        var status = new PublicCaseView(c.Number, c.Line, c.Status, text.Status(c.Status), c.UpdatedAt, open ? c.ResolutionDueAt : null,
            c.CategoryCode, await text.CategoryNameAsync(c.CategoryCode, ct), c.CreatedAt);
        // A private 311 case and every 211 case: the status, the dates and the service, nothing the resident said.
        if (!c.IsPublic)
        {
            return status;
        }
        var history = await queries.HistoryAsync(c.Id, includePrivate: false, ct);
        return status with
        {
            Address = c.Address,
            Latitude = c.Latitude,
            Longitude = c.Longitude,
            Description = c.Description,
            History = [.. history.Select(e => new PublicEventView(e.At, e.Kind, text.Event(e)))],
        };
    }

    private static ValidationProblem Invalid(IEnumerable<FieldError> errors, Category? category, IntakeLocalizer text) =>
        TypedResults.ValidationProblem(
            errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => text.Message(e, category)).ToArray()),
            title: text["problem.validation.title"]);

    /// <summary>
    /// A JSON body of at most <see cref="MaxBodyBytes"/>, read as <typeparamref name="T"/>; or the problem to answer
    /// (415 not JSON, 413 too large, 400 malformed or empty).
    /// </summary>
    internal static async Task<(T? Body, ProblemHttpResult? Problem)> ReadJsonAsync<T>(HttpRequest request, IntakeLocalizer text, CancellationToken ct) where T : class
    {
        if (!request.HasJsonContentType())
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: text["problem.unsupported_media_type.title"], detail: text["problem.unsupported_media_type.detail"]));
        }
        if (request.ContentLength > MaxBodyBytes)
        {
            return (null, TooLarge(text));
        }
        T? body;
        try
        {
            var bytes = await ReadLimitedAsync(request.Body, MaxBodyBytes, ct);
            if (bytes is null)
            {
                return (null, TooLarge(text));
            }
            body = JsonSerializer.Deserialize<T>(bytes, JsonOptions);
        }
        catch (JsonException e)
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest,
                title: text["problem.malformed_json.title"], detail: text["problem.malformed_json.detail", (e.LineNumber ?? 0) + 1, e.BytePositionInLine ?? 0]));
        }
        return body is null
            ? (null, TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: text["problem.malformed_json.title"], detail: text["problem.empty_body"]))
            : (body, null);
    }

    private static ProblemHttpResult TooLarge(IntakeLocalizer text) => TypedResults.Problem(
        statusCode: StatusCodes.Status413PayloadTooLarge, title: text["problem.too_large.title"], detail: text["problem.too_large.detail", MaxBodyBytes / 1024]);

    private static async Task<byte[]?> ReadLimitedAsync(Stream body, int limit, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    /// <summary>Answers as JSON gives them (a value or a list of values per question); a value of another shape is an error on <paramref name="prefix"/> + code.</summary>
    internal static (Dictionary<string, IReadOnlyList<string>> Answers, List<FieldError> Errors) ReadAnswers(Dictionary<string, JsonElement>? given, string prefix)
    {
        var answers = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var errors = new List<FieldError>();
        foreach (var (code, value) in given ?? [])
        {
            string? Scalar(JsonElement e) => e.ValueKind switch
            {
                JsonValueKind.String => e.GetString(),
                JsonValueKind.Number => e.GetRawText(),
                JsonValueKind.True or JsonValueKind.False => e.GetRawText(),
                JsonValueKind.Null => null,
                _ => throw new FormatException(),
            };
            try
            {
                answers[code] = value.ValueKind == JsonValueKind.Array
                    ? [.. value.EnumerateArray().Select(Scalar).OfType<string>()]
                    : Scalar(value) is { } s ? [s] : [];
            }
            catch (FormatException)
            {
                errors.Add(new FieldError(prefix + code, "answer.bad_shape", code));
            }
        }
        return (answers, errors);
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        AllowTrailingCommas = false,
    };
}
