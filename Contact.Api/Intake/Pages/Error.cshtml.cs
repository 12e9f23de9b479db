using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Contact.Api.Intake.Pages;

[IgnoreAntiforgeryToken]
public sealed class ErrorModel(IntakeLocalizer text) : PageModel
{
    public string Title { get; private set; } = "";

    public string Detail { get; private set; } = "";

    public IActionResult OnGet(int code) => Show(code);

    public IActionResult OnPost(int code) => Show(code);

    private IActionResult Show(int code)
    {
        // Only reached as the re-execution of a failed request; asked for directly it is simply not found.
        var original = HttpContext.Features.Get<IStatusCodeReExecuteFeature>() is not null || HttpContext.Features.Get<IExceptionHandlerFeature>() is not null;
        var status = original ? code : 404;
        var key = status switch { 400 => "400", 401 => "401", 403 => "403", 404 => "404", 413 => "413", 429 => "429", < 500 => "400", _ => "500" };
        Title = text["errorpage." + key + ".title"];
        Detail = text["errorpage." + key + ".detail"];
        Response.StatusCode = status;
        return Page();
    }
}
