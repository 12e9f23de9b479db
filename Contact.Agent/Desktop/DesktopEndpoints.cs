using System.Globalization;
using Contact.Agent.Staff;
using Contact.Core.Desktop;
using Contact.Core.Infrastructure;
using Contact.Core.InformationAndReferral;
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

    /// <summary>The desktop's pages, composed once from the shell and each page's body in the assembly.</summary>
    private static readonly Lazy<IReadOnlyDictionary<string, DesktopPages.Page>> Pages =
        new(() => DesktopPages.Compose(new EmbeddedFileProvider(typeof(DesktopEndpoints).Assembly, "Contact.Agent.wwwroot")));

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

        _ = Pages.Value; // composed at startup: a slot left unfilled stops the host here, not at the first visit
        var group = app.MapGroup("").ExcludeFromDescription();
        group.MapGet("/agent", (HttpContext http) => Page(http, "agent"));
        group.MapGet("/supervisor", (HttpContext http) =>
            http.User.IsInRole(Roles.Supervisor) || http.User.IsInRole(Roles.Admin) || http.User.Identity?.IsAuthenticated != true
                ? Page(http, "supervisor")
                : Results.StatusCode(StatusCodes.Status403Forbidden));
        group.MapGet("/agent/texts", (HttpContext http) =>
        {
            return Results.Json(Texts(Language.Of(http.Features.Get<IRequestCultureFeature>()?.RequestCulture.UICulture)));
        });
        return group;
    }

    /// <summary>A composed page, revalidated on each visit by its Last-Modified (the build of the assembly).</summary>
    private static IResult Page(HttpContext http, string name)
    {
        var page = Pages.Value[name];
        http.Response.Headers.CacheControl = "no-cache";
        return Results.Bytes(page.Html, "text/html; charset=utf-8", lastModified: page.LastModified);
    }

    private static readonly ResourceTexts PageTexts = new("Contact.Agent.Desktop.DesktopText", typeof(DesktopText).Assembly);

    /// <summary>Every desktop string in one language, as the pages load them.</summary>
    public static IReadOnlyDictionary<string, string> Texts(Language language) => PageTexts.In(language);
}
