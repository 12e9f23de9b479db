using Contact.Api.Infrastructure;
using Contact.Core.Cases;
using Contact.Core.Residents;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace Contact.Api.Intake.Pages.Requests;

[EnableRateLimiting(WebPlatform.PublicWrites)]
public sealed class StatusModel(CaseQueries queries, IntakeLocalizer text, ILogger<StatusModel> logger) : PageModel
{
    public CaseRecord? Case { get; private set; }

    public string? CategoryName { get; private set; }

    public IReadOnlyList<CaseEvent> History { get; private set; } = [];

    public string Number { get; private set; } = "";

    /// <summary>A 211 case shows its content only to whoever gives the contact it was filed with.</summary>
    public bool ShowDetails { get; private set; }

    public bool Submitted { get; private set; }

    public string? ContactError { get; private set; }

    public string? Problem { get; private set; }

    public async Task<IActionResult> OnGetAsync(string number, string? submitted, CancellationToken ct)
    {
        Submitted = submitted == "1";
        return await LoadAsync(number, ct);
    }

    public async Task<IActionResult> OnPostAsync(string number, CancellationToken ct)
    {
        var page = await LoadAsync(number, ct);
        if (Case is null)
        {
            return page;
        }
        var given = Request.Form["contact"].ToString().Trim();
        var matches = given.Length > 0 && (
            (Case.ResidentEmail is not null && string.Equals(given, Case.ResidentEmail, StringComparison.OrdinalIgnoreCase)) ||
            (Case.ResidentPhone is not null && PhoneNumberNormaliser.ToE164(given) == Case.ResidentPhone));
        if (matches)
        {
            ShowDetails = true;
            History = await queries.HistoryAsync(Case.Id, includePrivate: false, ct);
        }
        else
        {
            using (logger.BeginScope(new Dictionary<string, object> { ["CaseNumber"] = Case.Number }))
            {
                logger.LogInformation("Case {CaseNumber}: contact details given on the status page did not match", Case.Number);
            }
            ContactError = text["status.contact_mismatch"];
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
        return Page();
    }

    private async Task<IActionResult> LoadAsync(string number, CancellationToken ct)
    {
        Number = number;
        var valid = CaseNumber.Normalise(number);
        if (valid is null)
        {
            Problem = text["status.number_invalid"];
            Response.StatusCode = StatusCodes.Status404NotFound;
            return Page();
        }
        Case = await queries.FindAsync(valid, ct);
        if (Case is null)
        {
            Problem = text["status.not_found", valid];
            Response.StatusCode = StatusCodes.Status404NotFound;
            return Page();
        }
        CategoryName = await text.CategoryNameAsync(Case.CategoryCode, ct);
        if (Case.Line == "311")
        {
            ShowDetails = true;
            History = await queries.HistoryAsync(Case.Id, includePrivate: false, ct);
        }
        return Page();
    }
}
