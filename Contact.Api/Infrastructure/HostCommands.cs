using Contact.Core.Catalog;
using Contact.Core.Directory;
using Contact.Core.Staff;

namespace Contact.Api.Infrastructure;

/// <summary>The host's command line: `migrate`, `catalog import FILE`, `users add`, `directory import|export PATH`; anything else runs the web host.</summary>
internal static class HostCommands
{
    public sealed record Command(string? Name, string[] Arguments, string[] HostArgs);

    private static readonly string[] Known = ["migrate", "catalog", "users", "directory"];

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
            case ("users", ["add", var name, ..]) when !name.StartsWith("--", StringComparison.Ordinal):
                return await AddUserAsync(app, name, command.Arguments, ct);
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
                      dotnet run --project Contact.Api -- users add NAME --role agent|supervisor|admin|provider
                          [--provider CODE] [--lines 311,211] [--languages en,fr] [--display-name "Full Name"] [--phone NUMBER]
                                                                               create a staff account (password on standard input)
                    """);
                return 2;
        }
    }

    private static async Task<int> ImportDirectoryAsync(WebApplication app, string folder, CancellationToken ct)
    {
        if (!System.IO.Directory.Exists(folder))
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

    private static async Task<int> AddUserAsync(WebApplication app, string name, string[] args, CancellationToken ct)
    {
        var role = Option(args, "--role");
        if (role is null)
        {
            await Console.Error.WriteLineAsync("Give the account's role: --role agent|supervisor|admin|provider.");
            return 2;
        }
        if (!Console.IsInputRedirected)
        {
            Console.Write($"Password for {name}: ");
        }
        var password = (await Console.In.ReadLineAsync(ct))?.TrimEnd('\r', '\n') ?? "";
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
