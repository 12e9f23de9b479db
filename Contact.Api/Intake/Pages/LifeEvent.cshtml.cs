using System.Globalization;
using Contact.Api.Infrastructure;
using Contact.Core.Cases;
using Contact.Core.Catalog;
using Contact.Core.Infrastructure;
using Contact.Core.LifeEvents;
using Contact.Ivr.Twilio;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Contact.Api.Intake.Pages;

/// <summary>
/// Tell us once on the web, without JavaScript: the life event's shared questions once, the services (all ticked,
/// each saying who delivers it and what it will receive), each chosen service's own questions with the contact
/// details, then "check your answers" listing what goes to whom, and one request number. What was entered travels
/// in the form from step to step; nothing is stored before the resident sends it.
/// </summary>
[EnableRateLimiting(WebPlatform.Public)]
public sealed class LifeEventModel(CatalogStore catalog, LifeEventIntake intake, IntakeLocalizer text, IOptions<TwilioOptions> twilio) : PageModel
{
    /// <summary>The steps, in order.</summary>
    public static readonly string[] Steps = ["start", "questions", "services", "details", "check"];

    /// <summary>The position of <paramref name="step"/> in <see cref="Steps"/>.</summary>
    public static int IndexOf(string step) => Array.IndexOf(Steps, step);

    // The form fields each step shows; the others travel as hidden fields.
    private static readonly string[] ContactFieldNames = ["name", "phone", "email", "notify", "language"];

    public LifeEvent LifeEvent { get; private set; } = null!;

    /// <summary>The step shown.</summary>
    public string Step { get; private set; } = "start";

    public IReadOnlyList<FieldMessage> Errors { get; private set; } = [];

    /// <summary>Set when the case store was down on submit: nothing was saved.</summary>
    public string? Unavailable { get; private set; }

    public IFormCollection? Posted { get; private set; }

    public string SubmissionId { get; private set; } = "";

    public Language Language => Core.Infrastructure.Language.Of(text.Language);

    public async Task<IActionResult> OnGetAsync(string code, CancellationToken ct)
    {
        if (!await LoadAsync(code, ct))
        {
            return NotFound();
        }
        SubmissionId = Guid.NewGuid().ToString("N");
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string code, CancellationToken ct)
    {
        if (!await LoadAsync(code, ct))
        {
            return NotFound();
        }
        var form = Request.Form;
        Posted = form;
        SubmissionId = form["submission"].ToString() is { Length: > 0 and <= 64 } s ? s : Guid.NewGuid().ToString("N");
        var from = Steps.Contains(form["from"].ToString()) ? form["from"].ToString() : "start";
        var go = form["go"].ToString();
        if (go != "submit" && Steps.Contains(go) && IndexOf(go) <= IndexOf(from))
        {
            // Back, or "Change": nothing is checked on the way back.
            Step = go;
            return Page();
        }
        var next = go == "submit" ? "submit" : Steps[Math.Min(IndexOf(from) + 1, Steps.Length - 1)];
        var request = ToRequest(form);
        var (_, errors) = LifeEventValidator.Validate(LifeEvent, request);
        // Only what has been asked so far is checked: a later step's questions are not yet errors.
        var asked = errors.Where(e => IndexOf(StepOf(e.Field)) <= IndexOf(from)).ToList();
        if (asked.Count > 0)
        {
            return Refused(asked, from);
        }
        if (next != "submit")
        {
            Step = next;
            return Page();
        }
        LifeEventResult result;
        try
        {
            result = await intake.SubmitAsync(LifeEvent.Code, request, "resident", ct);
        }
        catch (Exception e) when (DatabaseUnavailable.Is(e))
        {
            // Nothing was saved; the same submission id makes the retry file it once.
            Step = "check";
            Unavailable = NotSaved.Answer(Response, text, twilio.Value, LifeEvent.Line);
            return Page();
        }
        if (result.Filed is { } filed)
        {
            return Redirect($"/requests/{filed.Number}?submitted=1");
        }
        return Refused(result.Errors, "check");
    }

    private PageResult Refused(IEnumerable<FieldError> errors, string from)
    {
        var list = errors.ToList();
        // The earliest step with a problem is shown again, with its problems.
        Step = list.Select(e => StepOf(e.Field)).Append(from).MinBy(IndexOf)!;
        Errors = [.. list.Where(e => StepOf(e.Field) == Step).Select(e => new FieldMessage(e.Field, text.Message(e, LifeEvent)))];
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }

    /// <summary>The step a field is asked on.</summary>
    public static string StepOf(string field) => field switch
    {
        _ when field.StartsWith("shared.", StringComparison.Ordinal) => "questions",
        _ when field.Contains(".answers.", StringComparison.Ordinal) => "details",
        _ when field.StartsWith("services", StringComparison.Ordinal) => "services",
        "lifeEvent" => "start",
        _ => "details",
    };

    private LifeEventRequest ToRequest(IFormCollection form)
    {
        var shared = LifeEvent.Questions.ToDictionary(q => q.Code, q => (IReadOnlyList<string>)[.. form["shared." + q.Code].OfType<string>()], StringComparer.Ordinal);
        var answers = Chosen.ToDictionary(
            s => s.Category.Code,
            s => (IReadOnlyDictionary<string, IReadOnlyList<string>>)s.Questions.ToDictionary(
                q => q.Code, q => (IReadOnlyList<string>)[.. form[$"services.{s.Category.Code}.answers.{q.Code}"].OfType<string>()], StringComparer.Ordinal),
            StringComparer.Ordinal);
        var language = Core.Infrastructure.Language.IsCode(form["language"].ToString()) ? form["language"].ToString() : text.Language;
        return new LifeEventRequest("web", language, shared, [.. Chosen.Select(s => s.Category.Code)], answers,
            form["name"], form["phone"], form["email"], form["notify"] == "yes", "web:life:" + SubmissionId);
    }

    /// <summary>The services chosen: all of them until the services step has been answered.</summary>
    public IReadOnlyList<LifeEventService> Chosen => Posted is { } form && form["services.seen"] == "1"
        ? [.. LifeEvent.Services.Where(s => form["services"].Contains(s.Category.Code))]
        : LifeEvent.Services;

    /// <summary>Whether <paramref name="field"/> is shown on the current step (else it travels hidden).</summary>
    public bool ShownHere(string field) => Step switch
    {
        "questions" => field.StartsWith("shared.", StringComparison.Ordinal),
        "services" => field is "services" or "services.seen",
        "details" => field.Contains(".answers.", StringComparison.Ordinal) || ContactFieldNames.Contains(field),
        _ => false,
    };

    /// <summary>What travels hidden: every field entered so far that this step does not show.</summary>
    public IEnumerable<(string Name, string Value)> Hidden() => (Posted ?? new FormCollection([]))
        .Where(f => f.Key is not ("go" or "from" or "submission" or "__RequestVerificationToken") && !ShownHere(f.Key))
        .SelectMany(f => f.Value.OfType<string>().Select(v => (f.Key, v)));

    /// <summary>The contact fields the chosen services need ("name" when one receives it).</summary>
    public IReadOnlyList<string> RequiredContact => Chosen.Any(s => s.Receives.Contains("name")) ? ["name"] : [];

    public IReadOnlyList<string> Values(string field) => [.. Posted?[field].OfType<string>() ?? []];

    public string? ErrorFor(string field) => Errors.FirstOrDefault(e => e.Field == field)?.Message;

    /// <summary>The shared questions a chosen service receives (the only ones asked).</summary>
    public IReadOnlyList<CategoryQuestion> SharedAsked =>
        [.. LifeEvent.Questions.Where(q => LifeEvent.Services.Any(s => s.Receives.Contains(q.Code)))];

    /// <summary>What a service receives, in words, for the services step and the check page.</summary>
    public IEnumerable<string> ReceivesInWords(LifeEventService service) => service.Receives.Select(code =>
        LifeEventService.ContactFields.Contains(code) ? text["report." + code].Value
        : LifeEvent.Questions.FirstOrDefault(q => q.Code == code)?.Prompt.In(Language) ?? code);

    /// <summary>An answer as the resident reads it back: a choice's words, or what they typed.</summary>
    public string Shown(CategoryQuestion question, IReadOnlyList<string> values) => string.Join(", ", values.Where(v => v.Length > 0)
        .Select(v => question.Choices.FirstOrDefault(c => c.Key == v)?.Name.In(Language) ?? v));

    private async Task<bool> LoadAsync(string code, CancellationToken ct)
    {
        var found = (await catalog.GetAsync(ct)).FindLifeEvent(code);
        if (found is null)
        {
            return false;
        }
        LifeEvent = found;
        return true;
    }
}
