using System.Globalization;
using Contact.Api.Infrastructure;
using Contact.Core.Cases;
using Contact.Core.Catalog;
using Contact.Core.Infrastructure;
using Contact.Ivr.Twilio;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace Contact.Api.Intake.Pages;

[EnableRateLimiting(WebPlatform.Public)]
public sealed class ReportModel(CatalogStore catalog, CaseIntake intake, IntakeLocalizer text, IOptions<TwilioOptions> twilio) : PageModel
{
    public Category Category { get; private set; } = null!;

    public IReadOnlyList<FieldMessage> Errors { get; private set; } = [];

    /// <summary>Set when the case store was down on submit: nothing was saved, and the form is shown again as it was.</summary>
    public string? Unavailable { get; private set; }

    /// <summary>What the resident entered, by field name, to show the form again as they left it.</summary>
    public IFormCollection? Posted { get; private set; }

    public string SubmissionId { get; private set; } = "";

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

        var errors = new List<FieldError>();
        var latitude = ParseCoordinate(form["latitude"], "latitude", errors);
        var longitude = ParseCoordinate(form["longitude"], "longitude", errors);
        var answers = Category.Questions.ToDictionary(
            q => q.Code,
            q => (IReadOnlyList<string>)[.. form["answers." + q.Code].OfType<string>()],
            StringComparer.Ordinal);
        var language = Language.IsCode(form["language"].ToString()) ? form["language"].ToString() : text.Language;

        var request = new NewCase(
            Category.Code, "web", language, form["description"], answers, form["address"], latitude, longitude,
            form["name"], form["phone"], form["email"], form["notify"] == "yes", "web:" + SubmissionId);

        if (errors.Count == 0)
        {
            IntakeResult result;
            try
            {
                result = await intake.SubmitAsync(request, "resident", ct);
            }
            catch (Exception e) when (DatabaseUnavailable.Is(e))
            {
                // Nothing was saved; the same submission id makes the retry file it once.
                Unavailable = NotSaved.Answer(Response, text, twilio.Value, Line.City.Code);
                return Page();
            }
            if (result.Case is { } created)
            {
                return Redirect($"/requests/{created.Number}?submitted=1");
            }
            errors.AddRange(result.Errors);
        }
        Errors = [.. errors.Select(e => new FieldMessage(e.Field, text.Message(e, Category)))];
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }

    public string Value(string field) => Posted?[field].ToString() ?? "";

    public IReadOnlyList<string> Values(string field) => [.. Posted?[field].OfType<string>() ?? []];

    public string? ErrorFor(string field) => Errors.FirstOrDefault(e => e.Field == field)?.Message;

    private async Task<bool> LoadAsync(string code, CancellationToken ct)
    {
        var found = (await catalog.GetAsync(ct)).Find(code);
        if (found is null)
        {
            return false;
        }
        Category = found;
        return true;
    }

    private static double? ParseCoordinate(string? value, string field, List<FieldError> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        if (double.TryParse(value.Trim().Replace(',', '.'), NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            return d;
        }
        errors.Add(new FieldError(field, field + ".invalid"));
        return null;
    }
}
