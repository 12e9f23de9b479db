using Contact.Core.Catalog;

namespace Contact.Api.Infrastructure;

/// <summary>The host's command line: `migrate`, `catalog import FILE`; anything else runs the web host.</summary>
internal static class HostCommands
{
    public sealed record Command(string? Name, string[] Arguments, string[] HostArgs);

    private static readonly string[] Known = ["migrate", "catalog"];

    public static Command Parse(string[] args)
    {
        if (args.Length == 0 || !Known.Contains(args[0], StringComparer.Ordinal))
        {
            return new Command(null, [], args);
        }
        // Words are the command; --options after it still configure the host.
        var words = args.TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
        return new Command(words[0], words[1..], args[words.Length..]);
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
            default:
                await Console.Error.WriteLineAsync("""
                    Usage:
                      dotnet run --project Contact.Api                         run Contact
                      dotnet run --project Contact.Api -- migrate              apply database migrations and exit
                      dotnet run --project Contact.Api -- catalog import FILE  load a catalog file (see README)
                    """);
                return 2;
        }
    }
}
