using Contact.Api.Infrastructure;
using Microsoft.AspNetCore.Localization;
using Contact.Core.Infrastructure;

namespace Contact.Api.Intake;

/// <summary>The resident web intake: server-rendered pages at / that work without JavaScript, in English and French.</summary>
internal static class IntakeSetup
{
    public static void AddIntake(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorPages(options => options.RootDirectory = "/Intake/Pages");
        builder.Services.AddScoped<IntakeLocalizer>();
    }

    public static void MapIntake(this WebApplication app)
    {
        app.MapGet("/language/{language}", (string language, string? returnUrl, HttpContext http) =>
        {
            var culture = Language.Of(language).Code;
            http.Response.Cookies.Append(WebPlatform.LanguageCookie,
                CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
                new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), IsEssential = true, SameSite = SameSiteMode.Lax, HttpOnly = true });
            return Results.LocalRedirect(IsLocal(returnUrl) ? returnUrl! : "/");
        }).ExcludeFromDescription();

        app.MapRazorPages();
    }

    private static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'));
}
