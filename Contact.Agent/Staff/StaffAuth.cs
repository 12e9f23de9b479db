using System.Security.Claims;
using Contact.Core.Infrastructure;
using Contact.Core.Staff;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Contact.Agent.Staff;

/// <summary>What a signed-in member sees of themselves.</summary>
public sealed record StaffView(
    string UserName, string DisplayName, string Role, string[] Lines, string[] Languages, string State, string? Provider)
{
    public static StaffView Of(StaffMember m) => new(m.UserName, m.DisplayName, m.Role, m.Lines, m.Languages, m.State, m.ProviderCode);
}

/// <summary>A sign-in attempt.</summary>
public sealed record SignInRequest(string? UserName, string? Password);

/// <summary>Staff sign in with a cookie; passwords are checked by <see cref="StaffDirectory"/>.</summary>
public static class StaffAuth
{
    public const string Scheme = CookieAuthenticationDefaults.AuthenticationScheme;
    public const string Desk = "desk";
    public const string Oversight = "oversight";

    public static IServiceCollection AddStaffAuth(this IServiceCollection services)
    {
        services.AddAuthentication(Scheme).AddCookie(Scheme, options =>
        {
            options.Cookie.Name = "contact-staff";
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.ExpireTimeSpan = TimeSpan.FromHours(10);
            options.SlidingExpiration = true;
            // The desktop is a script: it wants status codes, not redirects.
            options.Events.OnRedirectToLogin = context => { context.Response.StatusCode = StatusCodes.Status401Unauthorized; return Task.CompletedTask; };
            options.Events.OnRedirectToAccessDenied = context => { context.Response.StatusCode = StatusCodes.Status403Forbidden; return Task.CompletedTask; };
        });
        // The interval is read once, when the cookie handler's options are built.
        services.AddOptions<CookieAuthenticationOptions>(Scheme).Configure<IConfiguration>((options, configuration) =>
        {
            var every = TimeSpan.FromSeconds(configuration.GetValue("Staff:RevalidateSeconds", 60));
            options.Events.OnValidatePrincipal = context => RevalidateAsync(context, every);
        });
        services.AddAuthorizationBuilder()
            .AddPolicy(Desk, p => p.RequireAuthenticatedUser().RequireRole(Roles.Agent, Roles.Supervisor, Roles.Admin, Roles.Provider))
            .AddPolicy(Oversight, p => p.RequireAuthenticatedUser().RequireRole(Roles.Supervisor, Roles.Admin));
        services.AddAntiforgery(options => options.HeaderName = "X-CSRF-TOKEN");
        services.AddSingleton<StaffDirectory>();
        // Demo accounts exist only in Development, never on a real centre's system.
        services.AddSingleton(new StartupStep("the demo staff accounts", async (sp, log, ct) =>
        {
            var password = sp.GetRequiredService<IConfiguration>()["Seed:DemoPassword"] is { Length: > 0 } p ? p : "demo";
            await sp.GetRequiredService<StaffDirectory>().EnsureDemoUsersAsync(password, ct);
            log.LogWarning("Demo users agent, agent.fr, supervisor, admin and provider can sign in at /agent with the password {DemoPassword} (Seed:DemoPassword)", password);
        }, DemoOnly: true, DevelopmentOnly: true));
        return services;
    }

    /// <summary>The claim holding the security stamp a cookie was issued with.</summary>
    public const string StampClaim = "contact:stamp";

    /// <summary>The claim holding when the cookie was last checked against the database (Unix seconds).</summary>
    public const string CheckedClaim = "contact:checked";

    /// <summary>
    /// Checks a staff cookie against the database at most once a <c>Staff:RevalidateSeconds</c> (default 60): an
    /// account disabled, given a new password or a new role since the cookie was issued is signed out.
    /// </summary>
    private static async Task RevalidateAsync(CookieValidatePrincipalContext context, TimeSpan every)
    {
        var services = context.HttpContext.RequestServices;
        var principal = context.Principal!;
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        if (long.TryParse(principal.FindFirstValue(CheckedClaim), out var checkedAt) && now - DateTimeOffset.FromUnixTimeSeconds(checkedAt) < every)
        {
            return;
        }
        var stamp = principal.UserName() is { } name
            ? await services.GetRequiredService<StaffDirectory>().StampAsync(name, context.HttpContext.RequestAborted)
            : null;
        if (stamp is not { } current || current.Stamp.ToString() != principal.FindFirstValue(StampClaim) || !principal.IsInRole(current.Role))
        {
            services.GetRequiredService<ILoggerFactory>().CreateLogger("Contact.Agent.Staff")
                .LogInformation("Signed out {UserName}: the account was disabled, given a new password or a new role", principal.UserName());
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
            return;
        }
        context.ReplacePrincipal(Principal(principal.UserName()!, principal.FindFirstValue(ClaimTypes.Name) ?? "", current.Role, current.Stamp, now));
        context.ShouldRenew = true;
    }

    private static ClaimsPrincipal Principal(string userName, string displayName, string role, Guid stamp, DateTimeOffset checkedAt) =>
        new(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, userName), new Claim(ClaimTypes.Name, displayName), new Claim(ClaimTypes.Role, role),
            new Claim(StampClaim, stamp.ToString()), new Claim(CheckedClaim, checkedAt.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ], Scheme));

    /// <summary>The user name of the signed-in member.</summary>
    public static string? UserName(this ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.NameIdentifier);

    public static RouteGroupBuilder MapStaffApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/staff").WithTags("Staff");
        group.MapGet("/antiforgery", (IAntiforgery antiforgery, HttpContext http) =>
            TypedResults.Ok(new { token = antiforgery.GetAndStoreTokens(http).RequestToken }))
            .WithSummary("A token to send as X-CSRF-TOKEN when signing in");
        group.MapPost("/signin", SignInAsync).WithSummary("Sign in as staff");
        group.MapPost("/signout", async (HttpContext http) =>
        {
            await http.SignOutAsync(Scheme);
            return TypedResults.NoContent();
        }).WithSummary("Sign out");
        group.MapGet("/me", async Task<Results<Ok<StaffView>, UnauthorizedHttpResult>> (ClaimsPrincipal user, StaffDirectory staff, CancellationToken ct) =>
            user.UserName() is { } name && await staff.FindAsync(name, ct) is { } member
                ? TypedResults.Ok(StaffView.Of(member))
                : TypedResults.Unauthorized())
            .WithSummary("Who is signed in");
        return group;
    }

    private static async Task<Results<Ok<StaffView>, ProblemHttpResult>> SignInAsync(
        SignInRequest request, HttpContext http, IAntiforgery antiforgery, StaffDirectory staff, ILoggerFactory logs, CancellationToken ct)
    {
        try
        {
            await antiforgery.ValidateRequestAsync(http);
        }
        catch (AntiforgeryValidationException)
        {
            return TypedResults.Problem(statusCode: 400, title: "Missing or stale form token", detail: "Reload the page and sign in again.");
        }
        if (string.IsNullOrWhiteSpace(request.UserName) || string.IsNullOrEmpty(request.Password) || request.UserName.Length > 64 || request.Password.Length > 256)
        {
            return TypedResults.Problem(statusCode: 400, title: "Sign-in incomplete", detail: "Enter your user name and password.");
        }
        var logger = logs.CreateLogger("Contact.Agent.Staff");
        var client = ClientAddress.PartitionKey(http.Connection.RemoteIpAddress);
        var result = await staff.SignInAsync(request.UserName, request.Password, client, ct);
        if (result.Member is not { } member)
        {
            logger.LogWarning("Failed sign-in for {UserName} from {Client}{Locked}", request.UserName, client, result.LockedUntil is null ? "" : " (locked)");
            // The same answer whether or not the name exists.
            return result.LockedUntil is { } until
                ? TypedResults.Problem(statusCode: 429, title: "Sign-in failed",
                    detail: $"Too many failed attempts from this device: try again after {until:HH:mm} UTC, or ask an administrator.")
                : TypedResults.Problem(statusCode: 401, title: "Sign-in failed", detail: "The user name or password is wrong.");
        }
        await http.SignInAsync(Scheme, Principal(member.UserName, member.DisplayName, member.Role, result.SecurityStamp,
            http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow()));
        logger.LogInformation("{UserName} signed in as {Role}", member.UserName, member.Role);
        return TypedResults.Ok(StaffView.Of(member));
    }
}
