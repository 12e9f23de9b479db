using System.Globalization;
using Contact.Agent.Staff;
using Contact.Core.Desktop;
using Contact.Core.Infrastructure;
using Contact.Core.Referral;
using Contact.Core.Routing;
using Contact.Core.Staff;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;

namespace Contact.Agent.Desktop;

/// <summary>Names the desktop pages' strings: DesktopText.resx (English) and DesktopText.fr.resx (French).</summary>
public sealed class DesktopText;

/// <summary>The agent, provider and supervisor desktop: pages, scripts, texts, the hub and staff sign-in.</summary>
public static class DesktopEndpoints
{
    public static IServiceCollection AddAgentDesktop(this IServiceCollection services)
    {
        services.AddStaffAuth();
        services.AddSignalR();
        services.AddSingleton<DesktopQueries>();
        services.AddSingleton<Referrals>();
        services.AddOptions<CrisisLineOptions>().BindConfiguration(CrisisLineOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<CaseTextLocalizer>();
        services.AddSingleton<DeskConnections>();
        services.AddHostedService<CaseChangeListener>();
        return services;
    }

    /// <summary>The desktop's scripts and styles, from the assembly.</summary>
    private static readonly EmbeddedFileProvider Assets = new(typeof(DesktopEndpoints).Assembly, "Contact.Agent.wwwroot.assets");

    /// <summary>The desktop's pages, from the assembly.</summary>
    private static readonly EmbeddedFileProvider Pages = new(typeof(DesktopEndpoints).Assembly, "Contact.Agent.wwwroot");

    public static RouteGroupBuilder MapAgentDesktop(this WebApplication app)
    {
        // ASP.NET's static files: ETag and Last-Modified from the assembly, 304 to a browser that has the file; no-cache
        // makes it ask each time, so a new version is never hidden behind a stale copy.
        app.UseStaticFiles(new StaticFileOptions
        {
            RequestPath = "/agent/assets",
            FileProvider = Assets,
            OnPrepareResponse = file => file.Context.Response.Headers.CacheControl = "no-cache",
        });
        app.MapStaffApi();
        app.MapHub<AgentHub>("/hubs/agent");

        var group = app.MapGroup("").ExcludeFromDescription();
        group.MapGet("/agent", (HttpContext http) => Page(http, "agent.html"));
        group.MapGet("/supervisor", (HttpContext http) =>
            http.User.IsInRole(Roles.Supervisor) || http.User.IsInRole(Roles.Admin) || http.User.Identity?.IsAuthenticated != true
                ? Page(http, "supervisor.html")
                : Results.StatusCode(StatusCodes.Status403Forbidden));
        group.MapGet("/agent/texts", (HttpContext http) =>
        {
            var culture = http.Features.Get<IRequestCultureFeature>()?.RequestCulture.UICulture ?? CultureInfo.GetCultureInfo("en");
            return Results.Json(Texts(culture.TwoLetterISOLanguageName == "fr" ? "fr" : ""));
        });
        return group;
    }

    /// <summary>A page shell, revalidated on each visit by its Last-Modified (the build of the assembly).</summary>
    private static IResult Page(HttpContext http, string name)
    {
        var file = Pages.GetFileInfo(name);
        http.Response.Headers.CacheControl = "no-cache";
        return Results.Stream(file.CreateReadStream(), "text/html; charset=utf-8", lastModified: file.LastModified);
    }

    private static readonly ResourceTexts PageTexts = new("Contact.Agent.Desktop.DesktopText", typeof(DesktopText).Assembly);

    /// <summary>Every desktop string in one language ("fr", else English), as the pages load them.</summary>
    public static IReadOnlyDictionary<string, string> Texts(string culture) => PageTexts.In(culture);
}
