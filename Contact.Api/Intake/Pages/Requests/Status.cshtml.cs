using Contact.Api.Infrastructure;
using Contact.Core.Cases;
using Contact.Core.LifeEvents;
using Contact.Core.Notifications;
using Contact.Core.Residents;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace Contact.Api.Intake.Pages.Requests;

[EnableRateLimiting(WebPlatform.Public)]
public sealed class StatusModel(CaseQueries queries, OneTimeCodes codes, LifeEventProgress lifeEvents, IntakeLocalizer text, ILogger<StatusModel> logger) : PageModel
{
    public CaseRecord? Case { get; private set; }

    public string? CategoryName { get; private set; }

    public IReadOnlyList<CaseEvent> History { get; private set; } = [];

    /// <summary>A life event's services, one line per provider, once the details may be shown.</summary>
    public IReadOnlyList<ServiceProgress> Progress { get; private set; } = [];

    public string Number { get; private set; } = "";

    /// <summary>
    /// A public 311 case shows what and where to anyone; a private 311 case and every 211 case show their details only
    /// after a one-time code texted to the phone on the case is typed back.
    /// </summary>
    public bool ShowDetails { get; private set; }

    public bool Submitted { get; private set; }

    /// <summary>Whether the form for typing a code is shown (a code is out).</summary>
    public bool AskForCode { get; private set; }

    /// <summary>What became of the last step, said to the resident (a code sent, too soon).</summary>
    public string? CodeNotice { get; private set; }

    /// <summary>A problem with the code typed or with sending one.</summary>
    public string? CodeError { get; private set; }

    public string? Problem { get; private set; }

    public async Task<IActionResult> OnGetAsync(string number, string? submitted, CancellationToken ct)
    {
        Submitted = submitted == "1";
        return await LoadAsync(number, ct);
    }

    /// <summary>Step <c>send</c> texts a code to the phone on the case; step <c>verify</c> checks the code typed.</summary>
    public async Task<IActionResult> OnPostAsync(string number, CancellationToken ct)
    {
        var page = await LoadAsync(number, ct);
        if (Case is null || ShowDetails)
        {
            return page;
        }
        var subject = "case:" + Case.Number;
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["CaseNumber"] = Case.Number });
        if (Request.Form["step"] == "verify")
        {
            var verdict = await codes.VerifyAsync(subject, Request.Form["code"], ct);
            switch (verdict.Outcome)
            {
                case CodeCheck.Accepted:
                    ShowDetails = true;
                    History = await queries.HistoryAsync(Case.Id, includePrivate: false, ct);
                    Progress = await lifeEvents.ForCaseAsync(Case.Id, ct);
                    logger.LogInformation("Case {CaseNumber}: details shown on the status page after a one-time code", Case.Number);
                    return Page();
                case CodeCheck.Locked:
                    Locked(verdict.LockedUntil!.Value);
                    logger.LogWarning("Case {CaseNumber}: status lookups locked after too many wrong codes", Case.Number);
                    break;
                case CodeCheck.Expired:
                    CodeError = text["status.code_expired"];
                    break;
                default:
                    AskForCode = true;
                    CodeError = text["status.code_wrong", verdict.TriesLeft];
                    break;
            }
            Response.StatusCode = verdict.Outcome == CodeCheck.Locked ? StatusCodes.Status429TooManyRequests : StatusCodes.Status400BadRequest;
            return Page();
        }
        var sent = await codes.SendAsync(subject, Case.ResidentPhone, Case.Id, Case.Language,
            code => Outbox.Render(OneTimeCodes.TextKind, Case.Language, Case.Number, code), ct);
        switch (sent.Outcome)
        {
            case CodeSending.Sent:
                AskForCode = true;
                CodeNotice = text["status.code_sent"];
                break;
            case CodeSending.TooSoon:
                AskForCode = true;
                CodeNotice = text["status.code_too_soon"];
                break;
            case CodeSending.Locked:
                Locked(sent.LockedUntil!.Value);
                Response.StatusCode = StatusCodes.Status429TooManyRequests;
                break;
            default:
                CodeError = text["status.code_unavailable", Case.Line];
                Response.StatusCode = StatusCodes.Status400BadRequest;
                break;
        }
        return Page();
    }

    private void Locked(DateTimeOffset until)
    {
        var local = TimeZoneInfo.ConvertTime(until, Contact.Agent.Desktop.DesktopOptions.Zone);
        CodeError = text["status.locked", local.ToString("t", System.Globalization.CultureInfo.CurrentCulture)];
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
        if (Case.IsPublic)
        {
            ShowDetails = true;
            History = await queries.HistoryAsync(Case.Id, includePrivate: false, ct);
        }
        return Page();
    }
}
