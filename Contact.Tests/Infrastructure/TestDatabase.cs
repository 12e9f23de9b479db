using Contact.Core.Catalog;
using Contact.Core.Infrastructure;
using Npgsql;

[assembly: Parallelizable(ParallelScope.Fixtures)]
[assembly: LevelOfParallelism(3)]

namespace Contact.Tests;

/// <summary>
/// One PostgreSQL cluster for the whole run (the same embedded-cluster code the host uses), a template
/// database migrated and seeded once, and a fresh database per fixture cloned from it.
/// </summary>
[SetUpFixture]
public sealed class TestDatabase
{
    private const string Template = "contact_template";
    private static EmbeddedPostgres? _server;
    private static string? _directory;
    private static int _counter;

    public static EmbeddedPostgres Server => _server ?? throw new InvalidOperationException("The test cluster is not running.");

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        DapperSetup.Configure();
        _directory = Path.Combine(Path.GetTempPath(), $"contact-tests-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(_directory);
        // Durability is not what these tests are about; speed is.
        _server = await EmbeddedPostgres.StartAsync(Path.Combine(_directory, "pg"),
            ["fsync=off", "synchronous_commit=off", "full_page_writes=off", "max_connections=300"]);

        await using (var admin = new NpgsqlConnection(_server.ConnectionString()))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"create database {Template}", admin);
            await create.ExecuteNonQueryAsync();
        }
        await using (var template = NpgsqlDataSource.Create(_server.ConnectionString(Template)))
        {
            await new Migrator(template).MigrateAsync();
            await new DemoCatalog(template, new CatalogImporter(template)).EnsureAsync();
            await new Contact.Core.Sla.DemoSla(template).EnsureAsync();
            await new Contact.Core.ResourceDirectory.DemoDirectory(template, new Contact.Core.ResourceDirectory.HsdsImporter(template)).EnsureAsync();
        }
        NpgsqlConnection.ClearAllPools();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        if (_directory is not null)
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>A new database cloned from the migrated, seeded template; returns its connection string.</summary>
    public static async Task<string> CloneAsync()
    {
        var name = $"t{Interlocked.Increment(ref _counter)}_{Guid.NewGuid():N}"[..24];
        await using var admin = new NpgsqlConnection(Server.ConnectionString());
        await admin.OpenAsync();
        await using var create = new NpgsqlCommand($"create database {name} template {Template}", admin);
        await create.ExecuteNonQueryAsync();
        return Server.ConnectionString(name);
    }

    /// <summary>A new empty database (no migrations applied).</summary>
    public static async Task<string> CreateEmptyAsync()
    {
        var name = $"e{Interlocked.Increment(ref _counter)}_{Guid.NewGuid():N}"[..24];
        await using var admin = new NpgsqlConnection(Server.ConnectionString());
        await admin.OpenAsync();
        await using var create = new NpgsqlCommand($"create database {name}", admin);
        await create.ExecuteNonQueryAsync();
        return Server.ConnectionString(name);
    }
}
