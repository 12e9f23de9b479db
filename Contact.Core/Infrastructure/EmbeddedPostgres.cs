using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Contact.Core.Infrastructure;

/// <summary>Raised when no PostgreSQL server binaries can be found on this machine.</summary>
public sealed class PostgresNotInstalledException() : Exception(
    "No PostgreSQL server binaries (initdb, pg_ctl, postgres) were found on PATH or under /usr/lib/postgresql/<version>/bin. " +
    "Install PostgreSQL 15 or later (Debian/Ubuntu: apt-get install postgresql), " +
    "or point Contact at an existing server with the setting ConnectionStrings:Cases " +
    "(environment variable ConnectionStrings__Cases).");

/// <summary>
/// A private PostgreSQL cluster owned by this process: initialised on first use, started on a
/// free loopback port, stopped when disposed. The data directory is kept between runs.
/// </summary>
public sealed class EmbeddedPostgres : IAsyncDisposable
{
    private const string SuperUser = "contact";
    private readonly string _dataDirectory;
    private readonly string _binDirectory;
    private readonly string[] _serverSettings;
    private readonly ILogger _logger;
    private readonly bool _runAsPostgres;
    private bool _startedHere;

    private EmbeddedPostgres(string dataDirectory, string binDirectory, string[] serverSettings, ILogger logger)
    {
        _dataDirectory = Path.GetFullPath(dataDirectory);
        _binDirectory = binDirectory;
        _serverSettings = serverSettings;
        _logger = logger;
        _runAsPostgres = OperatingSystem.IsLinux() && geteuid() == 0;
    }

    /// <summary>The loopback port the server listens on.</summary>
    public int Port { get; private set; }

    /// <summary>A connection string for <paramref name="database"/> on this cluster.</summary>
    public string ConnectionString(string database = "postgres") => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = SuperUser,
        Password = File.ReadAllText(PasswordFile).Trim(),
        Database = database,
    }.ConnectionString;

    private string PasswordFile => _dataDirectory + ".password";

    /// <summary>
    /// Finds the server binaries, initialises <paramref name="dataDirectory"/> if it is empty and
    /// starts the server (or joins one already running on that directory).
    /// </summary>
    /// <param name="dataDirectory">Where the cluster lives.</param>
    /// <param name="serverSettings">Extra <c>-c name=value</c> server settings (tests turn fsync off).</param>
    /// <param name="logger">Where progress is logged.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<EmbeddedPostgres> StartAsync(
        string dataDirectory,
        IEnumerable<string>? serverSettings = null,
        ILogger? logger = null,
        CancellationToken cancellationToken = default)
    {
        var bin = FindBinaries() ?? throw new PostgresNotInstalledException();
        var server = new EmbeddedPostgres(dataDirectory, bin, [.. serverSettings ?? []], logger ?? NullLogger.Instance);
        await server.InitialiseAsync(cancellationToken);
        await server.StartServerAsync(cancellationToken);
        return server;
    }

    /// <summary>The directory holding initdb, pg_ctl and postgres, or null.</summary>
    /// <param name="debianRoot">Debian's versioned layout.</param>
    /// <param name="searchPath">Directories to search after it; the PATH variable when null.</param>
    public static string? FindBinaries(string debianRoot = "/usr/lib/postgresql", string? searchPath = null)
    {
        static bool Has(string dir) =>
            File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl")) && File.Exists(Path.Combine(dir, "postgres"));

        // Debian's layout first (newest version), since PATH often holds only client wrappers.
        if (Directory.Exists(debianRoot))
        {
            var versions = Directory.GetDirectories(debianRoot)
                .Select(d => (dir: Path.Combine(d, "bin"), version: int.TryParse(Path.GetFileName(d), CultureInfo.InvariantCulture, out var v) ? v : 0))
                .Where(x => x.version >= 15 && Has(x.dir))
                .OrderByDescending(x => x.version);
            foreach (var (dir, _) in versions)
            {
                return dir;
            }
        }
        foreach (var dir in (searchPath ?? Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            if (Has(dir))
            {
                return ResolveLinkDirectory(Path.Combine(dir, "postgres")) ?? dir;
            }
        }
        return null;
    }

    private static string? ResolveLinkDirectory(string file)
    {
        var target = new FileInfo(file).ResolveLinkTarget(returnFinalTarget: true);
        return target is null ? null : Path.GetDirectoryName(target.FullName);
    }

    private async Task InitialiseAsync(CancellationToken ct)
    {
        if (File.Exists(Path.Combine(_dataDirectory, "PG_VERSION")))
        {
            return;
        }
        _logger.LogInformation("Creating a PostgreSQL cluster in {DataDirectory}", _dataDirectory);
        var parent = Path.GetDirectoryName(_dataDirectory)!;
        Directory.CreateDirectory(parent);
        if (Directory.Exists(_dataDirectory) && Directory.EnumerateFileSystemEntries(_dataDirectory).Any())
        {
            throw new InvalidOperationException(
                $"{_dataDirectory} exists and is not a PostgreSQL data directory. Move it away or point Database:DataDirectory elsewhere.");
        }
        Directory.CreateDirectory(_dataDirectory);

        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
        await File.WriteAllTextAsync(PasswordFile, password, ct);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(PasswordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        // initdb reads the password from a file that the server's own account can read.
        var pwfile = Path.Combine(_dataDirectory, "..", "." + Path.GetFileName(_dataDirectory) + ".initpw");
        await File.WriteAllTextAsync(pwfile, password, ct);
        try
        {
            if (_runAsPostgres)
            {
                await RunAsync("chown", ["postgres:postgres", _dataDirectory, pwfile], asPostgres: false, ct);
                await RunAsync("chmod", ["700", _dataDirectory], asPostgres: false, ct);
                await EnsurePostgresCanReachAsync(ct);
            }
            await RunAsync(Path.Combine(_binDirectory, "initdb"),
                ["-D", _dataDirectory, "-U", SuperUser, "--pwfile=" + Path.GetFullPath(pwfile), "--auth=scram-sha-256",
                 "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions"],
                _runAsPostgres, ct);
        }
        catch
        {
            // A half-made cluster would be mistaken for a real one next time.
            TryDelete(_dataDirectory);
            throw;
        }
        finally
        {
            File.Delete(pwfile);
        }
    }

    private async Task EnsurePostgresCanReachAsync(CancellationToken ct)
    {
        try
        {
            await RunAsync("runuser", ["-u", "postgres", "--", "test", "-w", _dataDirectory], asPostgres: false, ct);
        }
        catch (InvalidOperationException)
        {
            throw new InvalidOperationException(
                $"This host runs as root, so PostgreSQL runs as the 'postgres' account, which cannot reach {_dataDirectory}. " +
                "Set Database:DataDirectory to a directory every account can traverse, or run as an ordinary user.");
        }
    }

    private async Task StartServerAsync(CancellationToken ct)
    {
        var running = await ReadRunningPortAsync(ct);
        if (running is int port)
        {
            Port = port;
            _logger.LogInformation("Using the PostgreSQL server already running on {DataDirectory} (port {Port})", _dataDirectory, Port);
            return;
        }

        Port = FreeLoopbackPort();
        var options = string.Join(' ',
            new[] { $"-p {Port}", "-c listen_addresses=127.0.0.1", "-c unix_socket_directories=''", "-c max_connections=200" }
                .Concat(_serverSettings.Select(s => "-c " + s)));
        var log = Path.Combine(_dataDirectory, "server.log");
        await RunAsync(Path.Combine(_binDirectory, "pg_ctl"),
            ["-D", _dataDirectory, "-l", log, "-o", options, "-w", "-t", "60", "start"], _runAsPostgres, ct);
        _startedHere = true;
        _logger.LogInformation("PostgreSQL started on 127.0.0.1:{Port} with data in {DataDirectory}", Port, _dataDirectory);
    }

    private async Task<int?> ReadRunningPortAsync(CancellationToken ct)
    {
        var pidFile = Path.Combine(_dataDirectory, "postmaster.pid");
        if (!File.Exists(pidFile))
        {
            return null;
        }
        var status = await TryRunAsync(Path.Combine(_binDirectory, "pg_ctl"), ["-D", _dataDirectory, "status"], _runAsPostgres, ct);
        if (status != 0)
        {
            return null;
        }
        // postmaster.pid: pid, data directory, start time, port, ...
        var lines = await File.ReadAllLinesAsync(pidFile, ct);
        return lines.Length > 3 && int.TryParse(lines[3], CultureInfo.InvariantCulture, out var port) ? port : null;
    }

    /// <summary>Stops the server if this instance started it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_startedHere)
        {
            return;
        }
        _startedHere = false;
        await TryRunAsync(Path.Combine(_binDirectory, "pg_ctl"), ["-D", _dataDirectory, "-m", "fast", "-w", "stop"], _runAsPostgres, CancellationToken.None);
        _logger.LogInformation("PostgreSQL stopped");
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string file, string[] args, bool asPostgres, CancellationToken ct)
    {
        var (code, output) = await ExecuteAsync(file, args, asPostgres, ct);
        if (code != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(file)} failed with exit code {code}: {output.Trim()}");
        }
    }

    private static async Task<int> TryRunAsync(string file, string[] args, bool asPostgres, CancellationToken ct) =>
        (await ExecuteAsync(file, args, asPostgres, ct)).Code;

    private static async Task<(int Code, string Output)> ExecuteAsync(string file, string[] args, bool asPostgres, CancellationToken ct)
    {
        var psi = new ProcessStartInfo
        {
            FileName = asPostgres ? "runuser" : file,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        if (asPostgres)
        {
            foreach (var a in new[] { "-u", "postgres", "--", file })
            {
                psi.ArgumentList.Add(a);
            }
        }
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {file}");
        // pg_ctl start leaves the server holding inherited pipes; read only until pg_ctl itself exits.
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        var output = await WithinAsync(stdout) + await WithinAsync(stderr);
        return (process.ExitCode, output);
    }

    private static async Task<string> WithinAsync(Task<string> read)
    {
        var done = await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(2)));
        return done == read ? await read : "";
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    [DllImport("libc", SetLastError = false)]
    private static extern uint geteuid();
}
