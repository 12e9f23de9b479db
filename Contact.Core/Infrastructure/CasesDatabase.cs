using Microsoft.Extensions.Logging;
using Npgsql;

namespace Contact.Core.Infrastructure;

/// <summary>Where the case store is: a server named by a connection string, or the embedded cluster.</summary>
public sealed class CasesDatabaseOptions
{
    /// <summary>An existing PostgreSQL server (ConnectionStrings:Cases); null starts the embedded cluster.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The embedded cluster's data directory.</summary>
    public string DataDirectory { get; set; } = ".data/postgres";

    /// <summary>
    /// The longest a statement from the request pool may run (Database:StatementTimeoutSeconds, default 10): under
    /// Twilio's 15-second webhook budget, so a stuck query becomes an apology the caller hears, not silence.
    /// Zero turns it off. Migrations run without it.
    /// </summary>
    public TimeSpan StatementTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The owner's connection (ConnectionStrings:Migrations), which runs the migrations and grants the runtime role
    /// (the user of <see cref="ConnectionString"/>) what it needs. Null: migrations run as the runtime connection's
    /// user, one role for both.
    /// </summary>
    public string? MigrationsConnectionString { get; set; }

    /// <summary>What else the owner sets up after the migrations (the job scheduler's schema), on the owner's connection.</summary>
    public Func<NpgsqlConnection, CancellationToken, Task>? PrepareOwnedSchema { get; set; }

    /// <summary>
    /// The most connections the request pool opens (Database:MaxPoolSize, default 40). A request past it waits for one
    /// to come free, up to <see cref="ConnectionWait"/>; conversation turns queue before they take one
    /// (<see cref="TurnGate"/>). The server must allow this plus <see cref="JobsMaxPoolSize"/> plus a few for LISTEN.
    /// </summary>
    public int MaxPoolSize { get; set; } = 40;

    /// <summary>The most connections the job scheduler's pool opens (Database:JobsMaxPoolSize, default 20).</summary>
    public int JobsMaxPoolSize { get; set; } = 20;

    /// <summary>
    /// How long a request waits for a pooled connection before it fails (Database:ConnectionWaitSeconds, default 10):
    /// under Twilio's 15 s, so a caller hears the apology rather than Twilio's error.
    /// </summary>
    public TimeSpan ConnectionWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Checks the pool settings; the message names the setting that is wrong.</summary>
    public void Validate()
    {
        if (MaxPoolSize is < 4 or > 1000)
        {
            throw new InvalidOperationException($"Database:MaxPoolSize is {MaxPoolSize}; it must be between 4 and 1000.");
        }
        if (JobsMaxPoolSize is < 2 or > 1000)
        {
            throw new InvalidOperationException($"Database:JobsMaxPoolSize is {JobsMaxPoolSize}; it must be between 2 and 1000.");
        }
        if (ConnectionWait < TimeSpan.FromSeconds(1) || ConnectionWait > TimeSpan.FromMinutes(5))
        {
            throw new InvalidOperationException($"Database:ConnectionWaitSeconds is {ConnectionWait.TotalSeconds}; it must be between 1 and 300.");
        }
    }
}

/// <summary>
/// The case store for the life of a host: connects to the configured server or starts the embedded one,
/// applies the migrations, and owns the one <see cref="NpgsqlDataSource"/>.
/// </summary>
public sealed class CasesDatabase(CasesDatabaseOptions options, ILoggerFactory loggerFactory) : IAsyncDisposable
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<CasesDatabase>();
    private EmbeddedPostgres? _embedded;
    private NpgsqlDataSource? _dataSource;
    private NpgsqlDataSource? _listenSource;
    private NpgsqlDataSource? _jobsSource;

    /// <summary>The data source; available once <see cref="StartAsync"/> has run.</summary>
    public NpgsqlDataSource DataSource => _dataSource ?? throw new InvalidOperationException("The case store has not been started.");

    /// <summary>
    /// Connections outside the pool, for LISTEN: that is session state no other user of a pooled connection
    /// should inherit.
    /// </summary>
    public NpgsqlDataSource ListenDataSource => _listenSource ?? throw new InvalidOperationException("The case store has not been started.");

    /// <summary>A pool of its own for the job scheduler (Hangfire), which keeps session state (LISTEN) on its connections.</summary>
    public NpgsqlDataSource JobsDataSource => _jobsSource ?? throw new InvalidOperationException("The case store has not been started.");

    /// <summary>Queues this host's conversation turns so that they never take more of the request pool than it has.</summary>
    public TurnGate Turns { get; } = TurnGate.ForPool(options.MaxPoolSize, options.ConnectionWait);

    /// <summary>True when this host runs its own embedded cluster.</summary>
    public bool IsEmbedded => _embedded is not null;

    /// <summary>Connects (starting the embedded cluster if no server is configured) and migrates.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_dataSource is not null)
        {
            return;
        }
        options.Validate();
        DapperSetup.Configure();
        var connectionString = options.ConnectionString;
        var ownerConnectionString = string.IsNullOrWhiteSpace(options.MigrationsConnectionString) ? null : options.MigrationsConnectionString;
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            _embedded = await EmbeddedPostgres.StartAsync(options.DataDirectory, logger: loggerFactory.CreateLogger<EmbeddedPostgres>(), cancellationToken: cancellationToken);
            var admin = _embedded.ConnectionString();
            await using (var connection = new NpgsqlConnection(admin))
            {
                await connection.OpenAsync(cancellationToken);
                await using var exists = new NpgsqlCommand("select 1 from pg_database where datname = 'contact'", connection);
                if (await exists.ExecuteScalarAsync(cancellationToken) is null)
                {
                    await using var create = new NpgsqlCommand("create database contact", connection);
                    await create.ExecuteNonQueryAsync(cancellationToken);
                }
                // The cluster's superuser owns the schema and migrates it; the host connects as a role that owns
                // nothing. Loopback only, like the superuser, and with the same (hex) password.
                var password = (new NpgsqlConnectionStringBuilder(admin).Password ?? "").Replace("'", "''", StringComparison.Ordinal);
                await using var role = new NpgsqlCommand(
                    "do $$ begin if not exists (select 1 from pg_roles where rolname = '" + RuntimeRole.EmbeddedName + "') then create role "
                    + RuntimeRole.EmbeddedName + " login password '" + password + "'; end if; end $$", connection);
                await role.ExecuteNonQueryAsync(cancellationToken);
            }
            ownerConnectionString = _embedded.ConnectionString("contact");
            connectionString = new NpgsqlConnectionStringBuilder(ownerConnectionString) { Username = RuntimeRole.EmbeddedName }.ConnectionString;
        }
        ownerConnectionString ??= connectionString;
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.UseLoggerFactory(loggerFactory);
        // Nothing here leaves session state on a pooled connection (LISTEN uses its own), so the reset that
        // Npgsql would send on every reuse is a wasted round trip and commit.
        builder.ConnectionStringBuilder.NoResetOnClose = true;
        // The same few statements run all day: prepare them once per connection.
        if (builder.ConnectionStringBuilder.MaxAutoPrepare == 0)
        {
            builder.ConnectionStringBuilder.MaxAutoPrepare = 64;
        }
        // Bounded pools: a burst queues for a connection rather than opening more than the server allows (53300).
        builder.ConnectionStringBuilder.MaxPoolSize = options.MaxPoolSize;
        builder.ConnectionStringBuilder.Timeout = (int)Math.Ceiling(options.ConnectionWait.TotalSeconds);
        if (options.StatementTimeout > TimeSpan.Zero && string.IsNullOrEmpty(builder.ConnectionStringBuilder.Options))
        {
            builder.ConnectionStringBuilder.Options = $"-c statement_timeout={(long)options.StatementTimeout.TotalMilliseconds}";
        }
        _dataSource = builder.Build();
        _listenSource = new NpgsqlDataSourceBuilder(connectionString) { ConnectionStringBuilder = { Pooling = false, KeepAlive = 30 } }.Build();
        // Hangfire's pollers borrow a connection a few times a second; a reset (DISCARD ALL, a transaction of its own)
        // on each borrow would double an idle host's database load. LISTEN, its only session state, is harmless to share.
        _jobsSource = new NpgsqlDataSourceBuilder(connectionString) { ConnectionStringBuilder = { ApplicationName = "contact-jobs", NoResetOnClose = true, MaxPoolSize = options.JobsMaxPoolSize } }.Build();
        await using (var migrations = new NpgsqlDataSourceBuilder(ownerConnectionString) { ConnectionStringBuilder = { Pooling = false } }.Build())
        {
            await new Migrator(migrations, loggerFactory.CreateLogger<Migrator>()).MigrateAsync(cancellationToken);
            await using var owner = await migrations.OpenConnectionAsync(cancellationToken);
            if (options.PrepareOwnedSchema is { } prepare)
            {
                await prepare(owner, cancellationToken);
            }
            var runtime = new NpgsqlConnectionStringBuilder(connectionString).Username;
            if (runtime is not null && !string.Equals(runtime, new NpgsqlConnectionStringBuilder(ownerConnectionString).Username, StringComparison.Ordinal))
            {
                await RuntimeRole.GrantAsync(owner, runtime, cancellationToken);
                _logger.LogInformation("The host connects as {Runtime}, which may not rewrite history; migrations ran as the owner", runtime);
            }
        }
        _logger.LogInformation("Case store ready ({Database} on {Host}:{Port})",
            _dataSource.ConnectionString is { } cs ? new NpgsqlConnectionStringBuilder(cs).Database : null,
            new NpgsqlConnectionStringBuilder(connectionString).Host, new NpgsqlConnectionStringBuilder(connectionString).Port);
    }

    /// <summary>Closes the data source and stops the embedded cluster if this host started it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
            _dataSource = null;
        }
        if (_listenSource is not null)
        {
            await _listenSource.DisposeAsync();
            _listenSource = null;
        }
        if (_jobsSource is not null)
        {
            await _jobsSource.DisposeAsync();
            _jobsSource = null;
        }
        if (_embedded is not null)
        {
            await _embedded.DisposeAsync();
            _embedded = null;
        }
    }
}
