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
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.DependencyInjection;

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
        services.AddSingleton<StaffDirectory>();
        services.AddSingleton<DesktopQueries>();
        services.AddSingleton<CaseWork>();
        services.AddSingleton<Referrals>();
        services.AddSingleton<InformationReferral>();
        services.AddSingleton<NeedsReport>();
        services.AddOptions<CrisisLineOptions>().BindConfiguration(CrisisLineOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<CaseTextLocalizer>();
        services.AddSingleton<DeskConnections>();
        services.AddHostedService<CaseChangeListener>();
        return services;
    }

    public static RouteGroupBuilder MapAgentDesktop(this IEndpointRouteBuilder app)
    {
        app.MapStaffApi();
        app.MapHub<AgentHub>("/hubs/agent");

        var group = app.MapGroup("").ExcludeFromDescription();
        group.MapGet("/agent", () => Asset("agent.html"));
        group.MapGet("/supervisor", (HttpContext http) =>
            http.User.IsInRole(Roles.Supervisor) || http.User.IsInRole(Roles.Admin) || http.User.Identity?.IsAuthenticated != true
                ? Asset("supervisor.html")
                : Results.StatusCode(StatusCodes.Status403Forbidden));
        group.MapGet("/agent/assets/{*path}", (string path) => Asset("assets/" + path));
        group.MapGet("/agent/texts", (HttpContext http) =>
        {
            var culture = http.Features.Get<IRequestCultureFeature>()?.RequestCulture.UICulture ?? CultureInfo.GetCultureInfo("en");
            return Results.Json(Texts(culture.TwoLetterISOLanguageName == "fr" ? "fr" : ""));
        });
        return group;
    }

    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    private static IResult Asset(string path)
    {
        if (path.Contains("..", StringComparison.Ordinal))
        {
            return Results.NotFound();
        }
        var stream = typeof(DesktopEndpoints).Assembly.GetManifestResourceStream("agent/" + path);
        if (stream is null)
        {
            return Results.NotFound();
        }
        var type = ContentTypes.TryGetContentType(path, out var t) ? t : "application/octet-stream";
        return Results.Stream(stream, type.StartsWith("text/", StringComparison.Ordinal) || type.EndsWith("javascript", StringComparison.Ordinal) ? type + "; charset=utf-8" : type);
    }

    private static readonly ResourceTexts PageTexts = new("Contact.Agent.Desktop.DesktopText", typeof(DesktopText).Assembly);

    /// <summary>Every desktop string in one language ("fr", else English), as the pages load them.</summary>
    public static IReadOnlyDictionary<string, string> Texts(string culture) => PageTexts.In(culture);
}
