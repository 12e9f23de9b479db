using Npgsql;

namespace Contact.Benchmarks.Infrastructure;

/// <summary>
/// Counts the transactions committed in one database by everyone else (pg_stat_database.xact_commit),
/// through a session of its own whose commits it subtracts.
/// </summary>
/// <remarks>
/// Backends publish their counters lazily. PostgreSQL 15+ flushes a backend's pending statistics at a
/// transaction's end only if its last flush is at least 1 s old; otherwise the backend, once idle, flushes
/// them 10 s later (PGSTAT_IDLE_INTERVAL). So after load stops, up to a second's worth of each backend's
/// commits stays invisible for 10 s: every read first waits <see cref="Settle"/> (11 s by default) for the
/// backends, idle by then, to publish everything.
/// </remarks>
public sealed class CommitCounter : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly string _database;
    private long _ownCommits;

    private CommitCounter(NpgsqlConnection connection, string database, TimeSpan settle)
    {
        _connection = connection;
        _database = database;
        Settle = settle;
    }

    /// <summary>The default wait before a read: PostgreSQL's 10 s idle flush interval, plus a margin.</summary>
    public static TimeSpan DefaultSettle { get; } = TimeSpan.FromSeconds(11);

    /// <summary>How long each read waits first for other backends to publish their counters.</summary>
    public TimeSpan Settle { get; }

    /// <summary>Commits made by this counter's own session so far (one per statement it ran).</summary>
    public long OwnCommits => _ownCommits;

    /// <summary>Opens the counter's own session on <paramref name="connectionString"/>'s database.</summary>
    public static async Task<CommitCounter> OpenAsync(string connectionString, TimeSpan? settle = null, CancellationToken cancellationToken = default)
    {
        // A connection outside any pool, so no one else's work runs on this session.
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, ApplicationName = "contact-bench-stats" };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        return new CommitCounter(connection, builder.Database ?? "postgres", settle ?? DefaultSettle);
    }

    /// <summary>
    /// Waits <see cref="Settle"/>, then reads xact_commit less the commits this session made before the read.
    /// The difference between two reads is what everyone else committed in between.
    /// </summary>
    public async Task<long> ReadAsync(CancellationToken cancellationToken)
    {
        await Task.Delay(Settle, cancellationToken);
        var ownBefore = _ownCommits;
        await using var command = new NpgsqlCommand("select xact_commit from pg_stat_database where datname = $1", _connection);
        command.Parameters.Add(new NpgsqlParameter { Value = _database });
        var observed = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        _ownCommits++;
        return observed - ownBefore;
    }

    /// <summary>Runs a single-value query on the counter's session (counted as one of its own commits).</summary>
    public async Task<long> ScalarAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, _connection);
        var value = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        _ownCommits++;
        return value;
    }

    /// <summary>Closes the session.</summary>
    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
