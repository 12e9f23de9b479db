using System.Text.Json;
using Contact.Api.Cases;
using Contact.Api.Infrastructure;
using Contact.Api.Intake;
using Contact.Core.Cases;
using Contact.Core.Catalog;
using Contact.Core.LifeEvents;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Contact.Api.LifeEvents;

/// <summary>A life event as JSON clients send it to POST /api/life-events/{code}.</summary>
/// <param name="Language">en or fr (the request's language when absent).</param>
/// <param name="Shared">Answers to the shared questions: code → a value or a list of values.</param>
/// <param name="Services">The services chosen (category codes); absent for all of them.</param>
/// <param name="Answers">Each chosen service's own answers: category code → question code → a value or a list.</param>
/// <param name="Name">The resident's name.</param>
/// <param name="Phone">Their phone number.</param>
/// <param name="Email">Their email.</param>
/// <param name="Notify">Whether they agree to be told of progress.</param>
public sealed record LifeEventSubmission(
    string? Language,
    Dictionary<string, JsonElement>? Shared,
    List<string>? Services,
    Dictionary<string, Dictionary<string, JsonElement>>? Answers,
    string? Name,
    string? Phone,
    string? Email,
    bool Notify = false);

/// <summary>A life event filed: its number, and each service with who delivers it and where its referral stands.</summary>
public sealed record LifeEventFiledView(string Number, string LifeEvent, string Status, string StatusText, DateTimeOffset CreatedAt, IReadOnlyList<LifeEventServiceView> Services);

/// <summary>One service of a filed life event.</summary>
public sealed record LifeEventServiceView(string Category, string Name, string DeliveredBy, string Status);

/// <summary>A life event as the catalog defines it, in both languages, for a client to ask its questions.</summary>
public sealed record LifeEventDefinition(
    string Code, string Line, LocalText Name, LocalText Description, IReadOnlyList<CategoryQuestion> Questions, IReadOnlyList<LifeEventServiceDefinition> Services);

/// <summary>One service of a life event: who delivers it, what it receives, its own questions, whether an agent reviews it.</summary>
public sealed record LifeEventServiceDefinition(
    string Category, LocalText Name, string Provider, string Level, LocalText DeliveredBy, IReadOnlyList<string> Receives, bool Review,
    IReadOnlyList<CategoryQuestion> Questions);

internal static class LifeEventApi
{
    public static RouteGroupBuilder MapLifeEventApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/life-events").WithTags("Life events");
        group.MapGet("/", async (CatalogStore catalog, CancellationToken ct) =>
                TypedResults.Ok((await catalog.GetAsync(ct)).LifeEvents.Select(Definition).ToList()))
            .WithSummary("The life events")
            .WithDescription("Each life event with its shared questions and its services: who delivers each, the shared answers it receives and its own questions.");
        group.MapGet("/{code}", GetAsync)
            .WithSummary("One life event");
        group.MapPost("/{code}", FileAsync)
            .RequireRateLimiting(WebPlatform.Public)
            .Accepts<LifeEventSubmission>("application/json")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithSummary("Tell a life event once")
            .WithDescription("Files one request for the life event; each chosen service's provider receives a referral carrying only the shared answers it is entitled to and its own answers. Send an Idempotency-Key header to make retries safe.");
        return group;
    }

    private static LifeEventDefinition Definition(LifeEvent e) => new(e.Code, e.Line, e.Name, e.Description, e.Questions,
        [.. e.Services.Select(s => new LifeEventServiceDefinition(s.Category.Code, s.Category.Name, s.Provider.Code, s.Provider.Level,
            new(s.Provider.DeliveredBy(Core.Infrastructure.Language.English), s.Provider.DeliveredBy(Core.Infrastructure.Language.French)),
            s.Receives, s.Review, s.Questions))]);

    private static async Task<Results<Ok<LifeEventDefinition>, ProblemHttpResult>> GetAsync(string code, CatalogStore catalog, IntakeLocalizer text, CancellationToken ct) =>
        (await catalog.GetAsync(ct)).FindLifeEvent(code) is { } e
            ? TypedResults.Ok(Definition(e))
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: text["problem.not_found.title"], detail: text["error.life_event.unknown", code]);

    private static async Task<Results<Created<LifeEventFiledView>, Ok<LifeEventFiledView>, ValidationProblem, ProblemHttpResult>> FileAsync(
        string code, HttpRequest request, CatalogStore catalog, LifeEventIntake intake, IntakeLocalizer text, CancellationToken ct)
    {
        var lifeEvent = (await catalog.GetAsync(ct)).FindLifeEvent(code);
        if (lifeEvent is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: text["problem.not_found.title"], detail: text["error.life_event.unknown", code]);
        }
        var (submission, problem) = await CaseApi.ReadJsonAsync<LifeEventSubmission>(request, text, ct);
        if (submission is null)
        {
            return problem!;
        }

        var (shared, errors) = CaseApi.ReadAnswers(submission.Shared, "shared.");
        var answers = new Dictionary<string, IReadOnlyDictionary<string, IReadOnlyList<string>>>(StringComparer.Ordinal);
        foreach (var (service, given) in submission.Answers ?? [])
        {
            var (own, ownErrors) = CaseApi.ReadAnswers(given, $"services.{service}.answers.");
            answers[service] = own;
            errors.AddRange(ownErrors);
        }
        if (errors.Count > 0)
        {
            return Invalid(errors, lifeEvent, text);
        }
        var result = await intake.SubmitAsync(code, new LifeEventRequest(
            "web", submission.Language ?? text.Language, shared, submission.Services, answers, submission.Name, submission.Phone, submission.Email,
            submission.Notify, request.Headers["Idempotency-Key"].FirstOrDefault()), "resident", ct);
        if (result.Filed is not { } filed)
        {
            return Invalid(result.Errors, lifeEvent, text);
        }
        var chosen = submission.Services is null ? lifeEvent.Services : lifeEvent.Services.Where(s => submission.Services.Contains(s.Category.Code)).ToList();
        var language = Core.Infrastructure.Language.Of(text.Language);
        var view = new LifeEventFiledView(filed.Number, lifeEvent.Code, filed.Status, text.Status(filed.Status), filed.CreatedAt,
            [.. chosen.Select(s => new LifeEventServiceView(s.Category.Code, s.Category.Name.In(language), s.Provider.DeliveredBy(language), s.Review ? "review" : "sent"))]);
        return filed.AlreadyExisted ? TypedResults.Ok(view) : TypedResults.Created($"/api/cases/{filed.Number}", view);
    }

    private static ValidationProblem Invalid(IEnumerable<FieldError> errors, LifeEvent lifeEvent, IntakeLocalizer text) =>
        TypedResults.ValidationProblem(
            errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => text.Message(e, lifeEvent)).ToArray()),
            title: text["problem.validation.title"]);
}
