using Npgsql;

namespace Contact.Tests.Infrastructure;

/// <summary>
/// A test database that stops answering, as if its server were down: it refuses new connections and every open
/// one is ended. Disposing lets it answer again. Other tests' databases on the same cluster are untouched.
/// </summary>
public sealed class DatabaseOutage : IAsyncDisposable
{
    private readonly string _admin;
    private readonly string _database;

    private DatabaseOutage(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        _database = builder.Database!;
        builder.Database = "postgres";
        builder.Pooling = false;
        _admin = builder.ConnectionString;
    }

    public static DatabaseOutage Begin(string connectionString)
    {
        var outage = new DatabaseOutage(connectionString);
        outage.Run($"alter database \"{outage._database}\" with allow_connections false",
            $"select pg_terminate_backend(pid) from pg_stat_activity where datname = '{outage._database}'");
        return outage;
    }

    public ValueTask DisposeAsync()
    {
        Run($"alter database \"{_database}\" with allow_connections true");
        return ValueTask.CompletedTask;
    }

    private void Run(params string[] statements)
    {
        using var connection = new NpgsqlConnection(_admin);
        connection.Open();
        foreach (var sql in statements)
        {
            using var command = new NpgsqlCommand(sql, connection);
            command.ExecuteNonQuery();
        }
    }
}
