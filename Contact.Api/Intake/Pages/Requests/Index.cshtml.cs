using Contact.Core.Cases;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Contact.Api.Intake.Pages.Requests;

[Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(Contact.Api.Infrastructure.WebPlatform.Public)]
public sealed class LookupModel(IntakeLocalizer text) : PageModel
{
    public string? Number { get; private set; }

    public string? Error { get; private set; }

    public IReadOnlyList<FieldMessage> ErrorList => Error is null ? [] : [new FieldMessage("number", Error)];

    public IActionResult OnGet(string? number)
    {
        Number = number;
        if (number is null)
        {
            return Page();
        }
        if (CaseNumber.Normalise(number) is { } valid)
        {
            return Redirect($"/requests/{valid}");
        }
        Error = string.IsNullOrWhiteSpace(number) ? text["lookup.required"] : text["status.number_invalid"];
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }
}
