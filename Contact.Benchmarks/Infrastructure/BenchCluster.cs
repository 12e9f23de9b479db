using System.Globalization;
using Contact.Core.Catalog;
using Contact.Core.Infrastructure;
using Npgsql;

namespace Contact.Benchmarks.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL cluster for one benchmark run: a fresh temporary directory, default (durable,
/// fsync on) server settings unless told otherwise, and one database migrated and loaded with the demo
/// catalog. Disposing stops the server and deletes the directory.
/// </summary>
public sealed class BenchCluster : IAsyncDisposable
{
    private readonly string _root;
    private EmbeddedPostgres? _server;
    private NpgsqlDataSource? _dataSource;

    private BenchCluster(string root, string database)
    {
        _root = root;
        Database = database;
    }

    /// <summary>The benchmark database's name.</summary>
    public string Database { get; }

    /// <summary>A connection string for the benchmark database.</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>A data source on the benchmark database (for setup and checks, not for load).</summary>
    public NpgsqlDataSource DataSource => _dataSource ?? throw new InvalidOperationException("The cluster has not been started.");

    /// <summary>The server's version as <c>show server_version</c> says, e.g. "15.14 (Debian 15.14-0+deb12u1)".</summary>
    public string ServerVersion { get; private set; } = "";

    /// <summary>The major and minor version only, e.g. "15.14".</summary>
    public string ShortServerVersion => ServerVersion.Split(' ', 2)[0];

    /// <summary>The fsync setting the server runs with ("on" or "off").</summary>
    public string Fsync { get; private set; } = "";

    /// <summary>
    /// Creates and starts the cluster in a new temporary directory, creates <paramref name="database"/>,
    /// migrates it and loads the demo catalog. On failure everything made so far is removed.
    /// </summary>
    /// <param name="database">The database to create.</param>
    /// <param name="serverSettings">Extra <c>name=value</c> server settings; none keeps the durable defaults.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<BenchCluster> StartAsync(string database = "bench", IEnumerable<string>? serverSettings = null, CancellationToken cancellationToken = default)
    {
        DapperSetup.Configure();
        var root = Path.Combine(Path.GetTempPath(), "contact-bench-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        if (!OperatingSystem.IsWindows())
        {
            // Run as root, the server runs as 'postgres', which must be able to reach its data directory.
            File.SetUnixFileMode(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }
        var cluster = new BenchCluster(root, database);
        try
        {
            await cluster.InitialiseAsync(serverSettings, cancellationToken);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private async Task InitialiseAsync(IEnumerable<string>? serverSettings, CancellationToken ct)
    {
        // The password file lands beside the data directory, so both live under the root.
        _server = await EmbeddedPostgres.StartAsync(Path.Combine(_root, "data"), serverSettings, cancellationToken: ct);
        await using (var admin = new NpgsqlConnection(_server.ConnectionString()))
        {
            await admin.OpenAsync(ct);
            await using var create = new NpgsqlCommand($"create database \"{Database.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", admin);
            await create.ExecuteNonQueryAsync(ct);
        }
        ConnectionString = _server.ConnectionString(Database);
        _dataSource = NpgsqlDataSource.Create(ConnectionString);
        await new Migrator(_dataSource).MigrateAsync(ct);
        await new DemoCatalog(_dataSource, new CatalogImporter(_dataSource)).EnsureAsync(ct);
        ServerVersion = await ShowAsync("server_version", ct);
        Fsync = await ShowAsync("fsync", ct);
    }

    private async Task<string> ShowAsync(string setting, CancellationToken ct)
    {
        await using var command = DataSource.CreateCommand("select current_setting($1)");
        command.Parameters.Add(new NpgsqlParameter { Value = setting });
        return Convert.ToString(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture) ?? "";
    }

    /// <summary>Closes connections, stops the server and deletes the directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
            _dataSource = null;
        }
        // Other pooled connections (benchmark workers) would only slow the fast shutdown down.
        NpgsqlConnection.ClearAllPools();
        if (_server is not null)
        {
            await _server.DisposeAsync();
            _server = null;
        }
        try
        {
            if (Directory.Exists(_root))
            {
                Directory.Delete(_root, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Progress.Say($"Could not delete {_root}: {e.Message}");
        }
    }
}
