using Npgsql;

namespace Contact.Benchmarks.Infrastructure;

/// <summary>
/// The bare substrate's sessions: one dedicated, unpooled connection per worker for the whole run, each with the
/// same statement prepared on it.
/// </summary>
public sealed class PreparedWorkers : IAsyncDisposable
{
    private readonly NpgsqlConnection?[] _connections;
    private readonly NpgsqlCommand?[] _commands;

    private PreparedWorkers(int workers)
    {
        _connections = new NpgsqlConnection?[workers];
        _commands = new NpgsqlCommand?[workers];
    }

    /// <summary>The statement prepared on <paramref name="worker"/>'s connection.</summary>
    public NpgsqlCommand this[int worker] => _commands[worker]!;

    /// <summary>Opens <paramref name="workers"/> sessions and prepares <paramref name="sql"/> on each, with the parameters <paramref name="parameters"/> adds.</summary>
    public static async Task<PreparedWorkers> OpenAsync(BenchCluster cluster, int workers, string sql, Action<NpgsqlParameterCollection> parameters, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(parameters);
        var prepared = new PreparedWorkers(workers);
        try
        {
            var connectionString = new NpgsqlConnectionStringBuilder(cluster.ConnectionString) { Pooling = false, ApplicationName = "contact-bench-raw" }.ConnectionString;
            for (var i = 0; i < workers; i++)
            {
                var connection = prepared._connections[i] = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(ct);
                var command = prepared._commands[i] = new NpgsqlCommand(sql, connection);
                parameters(command.Parameters);
                await command.PrepareAsync(ct);
            }
            return prepared;
        }
        catch
        {
            await prepared.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var command in _commands)
        {
            if (command is not null)
            {
                await command.DisposeAsync();
            }
        }
        foreach (var connection in _connections)
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }
    }
}
