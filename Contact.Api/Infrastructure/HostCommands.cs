using System.Globalization;
using Contact.Core.Catalog;
using Contact.Core.ResourceDirectory;
using Contact.Core.Open311;
using Contact.Core.Staff;

namespace Contact.Api.Infrastructure;

/// <summary>The host's command line: `migrate`, `catalog import FILE`, `users add|list|disable|enable|set-password`, `apikeys add|list|revoke`, `directory import|export PATH`, `retention run`; anything else runs the web host.</summary>
internal static class HostCommands
{
    public sealed record Command(string? Name, string[] Arguments, string[] HostArgs);

    private static readonly string[] Known = ["migrate", "catalog", "users", "apikeys", "directory", "retention"];

    // A command takes all its arguments; it is configured by appsettings and environment variables.
    public static Command Parse(string[] args) =>
        args.Length > 0 && Known.Contains(args[0], StringComparer.Ordinal)
            ? new Command(args[0], args[1..], [])
            : new Command(null, [], args);

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    public static async Task<int> RunAsync(Command command, WebApplication app)
    {
        var ct = app.Lifetime.ApplicationStopping;
        switch (command.Name, command.Arguments)
        {
            case ("migrate", []):
                // Starting the case store applied every migration.
                Console.WriteLine("The database is up to date.");
                return 0;
            case ("catalog", ["import", var file]):
                if (!File.Exists(file))
                {
                    await Console.Error.WriteLineAsync($"No file at {Path.GetFullPath(file)}.");
                    return 2;
                }
                try
                {
                    CatalogDocument document;
                    await using (var stream = File.OpenRead(file))
                    {
                        document = CatalogImporter.Parse(stream);
                    }
                    var result = await app.Services.GetRequiredService<CatalogImporter>().ImportAsync(document, ct);
                    Console.WriteLine($"Imported {result.Providers} providers, {result.Groups} groups, {result.Categories} categories and {result.Clusters} clusters from {file}.");
                    return 0;
                }
                catch (CatalogImportException e)
                {
                    await Console.Error.WriteLineAsync(e.Message);
                    return 1;
                }
            case ("directory", ["import", var folder]):
                return await ImportDirectoryAsync(app, folder, ct);
            case ("directory", ["export", var folder]):
            {
                var counts = await app.Services.GetRequiredService<HsdsExporter>().ExportAsync(folder, ct);
                Console.WriteLine($"Exported {counts.GetValueOrDefault("service")} services, {counts.GetValueOrDefault("location")} locations and {counts.GetValueOrDefault("taxonomy_term")} taxonomy terms ({counts.Values.Sum()} rows in {counts.Count} tables) to {Path.GetFullPath(folder)}.");
                return 0;
            }
            case ("retention", ["run"]):
            {
                var s = await app.Services.GetRequiredService<Contact.Core.Residents.Retention>().RunAsync(ct);
                Console.WriteLine($"Removed personal data from {s.Cases} cases; blanked {s.InboundTexts} inbound and {s.OutboundTexts} outbound texts; deleted {s.Conversations} text conversations; cleared {s.Calls} calls; deleted {s.WebhookReplies} webhook replies and {s.OneTimeCodes} one-time codes.");
                return 0;
            }
            case ("users", ["add", var name, ..]) when !name.StartsWith("--", StringComparison.Ordinal):
                return await AddUserAsync(app, name, command.Arguments, ct);
            case ("users", ["list"]):
                foreach (var a in await app.Services.GetRequiredService<StaffDirectory>().ListAsync(ct))
                {
                    var state = a.Active ? "active" : "disabled";
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{a.UserName,-24} {a.Role,-10} {(a.ProviderCode ?? ""),-24} {state,-10} {a.DisplayName}"));
                }
                return 0;
            case ("users", [var verb and ("disable" or "enable"), var who]):
                if (await app.Services.GetRequiredService<StaffDirectory>().SetActiveAsync(who, verb == "enable", ct))
                {
                    Console.WriteLine(verb == "enable"
                        ? $"Enabled {who}: they can sign in again."
                        : $"Disabled {who}: they cannot sign in, and their open sessions end within a minute.");
                    return 0;
                }
                await Console.Error.WriteLineAsync($"There is no account named {who}.");
                return 1;
            case ("users", ["set-password", var who]):
            {
                var password = await ReadPasswordAsync(who, ct);
                try
                {
                    if (await app.Services.GetRequiredService<StaffDirectory>().SetPasswordAsync(who, password, ct))
                    {
                        Console.WriteLine($"Set a new password for {who}: their open sessions end within a minute.");
                        return 0;
                    }
                    await Console.Error.WriteLineAsync($"There is no account named {who}.");
                }
                catch (ArgumentException e)
                {
                    await Console.Error.WriteLineAsync(e.Message);
                }
                return 1;
            }
            case ("apikeys", ["add", var keyName]):
                return await AddApiKeyAsync(app, keyName, ct);
            case ("apikeys", ["list"]):
                var keys = await app.Services.GetRequiredService<ApiKeys>().ListAsync(ct);
                if (keys.Count == 0)
                {
                    Console.WriteLine("No API keys.");
                }
                foreach (var k in keys)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{k.Name,-24} {k.Prefix}…  created {k.CreatedAt:yyyy-MM-dd HH:mm}Z  {(k.RevokedAt is { } r ? $"revoked {r:yyyy-MM-dd HH:mm}Z" : "active")}"));
                }
                return 0;
            case ("apikeys", ["revoke", var revoked]):
                if (await app.Services.GetRequiredService<ApiKeys>().RevokeAsync(revoked, ct))
                {
                    Console.WriteLine($"Revoked the API key {revoked}: requests filed with it are refused from now on.");
                    return 0;
                }
                await Console.Error.WriteLineAsync($"There is no active API key named {revoked}.");
                return 1;
            default:
                await Console.Error.WriteLineAsync("""
                    Usage:
                      dotnet run --project Contact.Api                         run Contact
                      dotnet run --project Contact.Api -- migrate              apply database migrations and exit
                      dotnet run --project Contact.Api -- catalog import FILE  load a catalog file (see README)
                      dotnet run --project Contact.Api -- directory import PATH
                                                                               replace the resource directory with the HSDS data
                                                                               package (datapackage.json + CSV files) in folder PATH
                      dotnet run --project Contact.Api -- directory export PATH
                                                                               write the resource directory as an HSDS data package
                      dotnet run --project Contact.Api -- retention run        remove the personal data past its time now (see README)
                      dotnet run --project Contact.Api -- users add NAME --role agent|supervisor|admin|provider
                          [--provider CODE] [--lines 311,211] [--languages en,fr] [--display-name "Full Name"] [--phone NUMBER]
                                                                               create a staff account (password on standard input)
                      dotnet run --project Contact.Api -- users list           every staff account and whether it is active
                      dotnet run --project Contact.Api -- users disable NAME   stop an account signing in; its sessions end
                      dotnet run --project Contact.Api -- users enable NAME    let a disabled account sign in again
                      dotnet run --project Contact.Api -- users set-password NAME
                                                                               a new password (standard input); sessions end
                      dotnet run --project Contact.Api -- apikeys add NAME     issue an Open311 API key (shown once)
                      dotnet run --project Contact.Api -- apikeys list         list API keys (names and prefixes, never the keys)
                      dotnet run --project Contact.Api -- apikeys revoke NAME  revoke an API key
                    """);
                return 2;
        }
    }

    private static async Task<int> ImportDirectoryAsync(WebApplication app, string folder, CancellationToken ct)
    {
        if (!Directory.Exists(folder))
        {
            await Console.Error.WriteLineAsync($"No folder at {Path.GetFullPath(folder)}.");
            return 2;
        }
        var result = await app.Services.GetRequiredService<HsdsImporter>().ImportAsync(folder, ct);
        foreach (var warning in result.Warnings)
        {
            await Console.Error.WriteLineAsync("warning: " + warning);
        }
        if (!result.Imported)
        {
            foreach (var error in result.Errors)
            {
                await Console.Error.WriteLineAsync(error);
            }
            await Console.Error.WriteLineAsync($"Nothing was imported: {result.Errors.Count} problem(s) in {Path.GetFullPath(folder)}.");
            return 1;
        }
        Console.WriteLine($"Imported {result.Counts.GetValueOrDefault("service")} services, {result.Counts.GetValueOrDefault("location")} locations and {result.Counts.GetValueOrDefault("taxonomy_term")} taxonomy terms ({result.Counts.Values.Sum()} rows in {result.Counts.Count(c => c.Value > 0)} tables) from {Path.GetFullPath(folder)}.");
        return 0;
    }

    private static async Task<int> AddApiKeyAsync(WebApplication app, string name, CancellationToken ct)
    {
        try
        {
            var issued = await app.Services.GetRequiredService<ApiKeys>().AddAsync(name, ct);
            Console.WriteLine($"Issued the API key {issued.Info.Name}. It is shown only this once; keep it safe:");
            Console.WriteLine(issued.Key);
            return 0;
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 1;
        }
        catch (Npgsql.PostgresException e) when (e.SqlState == Npgsql.PostgresErrorCodes.UniqueViolation)
        {
            await Console.Error.WriteLineAsync($"There is already an API key named {name}.");
            return 1;
        }
    }

    /// <summary>A password from standard input: a line when it is redirected; typed without echo at a terminal.</summary>
    private static async Task<string> ReadPasswordAsync(string name, CancellationToken ct)
    {
        if (Console.IsInputRedirected)
        {
            return (await Console.In.ReadLineAsync(ct))?.TrimEnd('\r', '\n') ?? "";
        }
        Console.Write($"Password for {name} (at least {PasswordPolicy.MinLength} characters, not shown): ");
        var typed = new System.Text.StringBuilder();
        while (Console.ReadKey(intercept: true) is var key && key.Key != ConsoleKey.Enter)
        {
            if (key.Key == ConsoleKey.Backspace)
            {
                typed.Length = Math.Max(0, typed.Length - 1);
            }
            else if (!char.IsControl(key.KeyChar))
            {
                typed.Append(key.KeyChar);
            }
        }
        Console.WriteLine();
        return typed.ToString();
    }

    private static async Task<int> AddUserAsync(WebApplication app, string name, string[] args, CancellationToken ct)
    {
        var role = Option(args, "--role");
        if (role is null)
        {
            await Console.Error.WriteLineAsync("Give the account's role: --role agent|supervisor|admin|provider.");
            return 2;
        }
        // The role is checked before the password is asked for, so a mistyped role does not cost a typed password.
        if (Roles.Problem(role) is { } badRole)
        {
            await Console.Error.WriteLineAsync(badRole);
            return 1;
        }
        var password = await ReadPasswordAsync(name, ct);
        if (PasswordPolicy.Problem(password, name) is { } weak)
        {
            await Console.Error.WriteLineAsync(weak);
            return 1;
        }
        try
        {
            var member = await app.Services.GetRequiredService<StaffDirectory>().CreateAsync(new NewStaffMember(
                name, Option(args, "--display-name") ?? name, role, password, Option(args, "--provider"),
                Option(args, "--lines")?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
                Option(args, "--languages")?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
                Option(args, "--phone")), ct);
            Console.WriteLine($"Created {member.UserName} ({member.Role}; lines {string.Join(",", member.Lines)}; languages {string.Join(",", member.Languages)}).");
            return 0;
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 1;
        }
        catch (Npgsql.PostgresException e) when (e.SqlState is Npgsql.PostgresErrorCodes.UniqueViolation or Npgsql.PostgresErrorCodes.CheckViolation)
        {
            await Console.Error.WriteLineAsync(e.SqlState == Npgsql.PostgresErrorCodes.UniqueViolation
                ? $"There is already an account named {name}."
                : $"The account was refused: {e.MessageText} (user names are lower-case letters, digits, '.', '_' or '-'; lines 311/211; languages en/fr).");
            return 1;
        }
    }
}
