using System.Net.Sockets;
using Contact.Core.Infrastructure;
using Npgsql;

namespace Contact.Tests.Infrastructure;

/// <summary>Which failures mean "the case store is down": the one classification every outage answer relies on.</summary>
public sealed class DatabaseUnavailableTests
{
    [Test]
    public async Task A_database_refusing_connections_a_terminated_session_and_a_closed_port_are_unavailable()
    {
        var database = await TestDatabase.CloneAsync();
        await using var source = NpgsqlDataSource.Create(database);
        await using var open = await source.OpenConnectionAsync();
        await using (DatabaseOutage.Begin(database))
        {
            var refused = Assert.CatchAsync(async () => await source.OpenConnectionAsync());
            Assert.That(DatabaseUnavailable.Is(refused), Is.True, refused!.ToString());
            // The connection opened before the outage was ended under it.
            var ended = Assert.CatchAsync(async () => await new NpgsqlCommand("select 1", open).ExecuteScalarAsync());
            Assert.That(DatabaseUnavailable.Is(ended), Is.True, ended!.ToString());
        }

        var closedPort = new NpgsqlConnectionStringBuilder(database) { Port = FreePort(), Timeout = 2 }.ConnectionString;
        await using var nowhere = new NpgsqlConnection(closedPort);
        var down = Assert.CatchAsync(async () => await nowhere.OpenAsync());
        Assert.That(DatabaseUnavailable.Is(down), Is.True, down!.ToString());
    }

    [Test]
    public async Task A_bad_statement_or_a_broken_rule_is_not_an_outage()
    {
        await using var source = NpgsqlDataSource.Create(await TestDatabase.CloneAsync());
        var syntax = Assert.CatchAsync(async () => await source.CreateCommand("selec 1").ExecuteScalarAsync());
        Assert.That(DatabaseUnavailable.Is(syntax), Is.False);
        var unique = Assert.CatchAsync(async () => await source.CreateCommand(
            "create temp table t (id int primary key); insert into t values (1), (1)").ExecuteNonQueryAsync());
        Assert.That(DatabaseUnavailable.Is(unique), Is.False);
    }

    [Test]
    public void The_pool_timing_out_counts_and_other_services_timeouts_do_not()
    {
        Assert.Multiple(() =>
        {
            Assert.That(DatabaseUnavailable.Is(new NpgsqlException("The connection pool has been exhausted", new TimeoutException())), Is.True);
            Assert.That(DatabaseUnavailable.Is(new NpgsqlException("Exception while reading from stream", new IOException("eof", new SocketException()))), Is.True);
            Assert.That(DatabaseUnavailable.Is(new InvalidOperationException("wrapped", new NpgsqlException("x", new SocketException()))), Is.True);
            Assert.That(DatabaseUnavailable.Is(new AggregateException(new NpgsqlException("x", new TimeoutException()))), Is.True);
            Assert.That(DatabaseUnavailable.Is(new TimeoutException()), Is.False, "a timeout from another service (say Twilio's REST API)");
            Assert.That(DatabaseUnavailable.Is(new IOException("disk full")), Is.False);
            Assert.That(DatabaseUnavailable.Is(new InvalidOperationException("a bug")), Is.False);
            Assert.That(DatabaseUnavailable.Is(null), Is.False);
            foreach (var state in new[] { "08006", "08001", "57P01", "57P02", "57P03", "53300" })
            {
                Assert.That(DatabaseUnavailable.IsConnectionState(state), Is.True, state);
            }
            foreach (var state in new[] { "23505", "42601", "57014", "40001" })
            {
                Assert.That(DatabaseUnavailable.IsConnectionState(state), Is.False, state);
            }
        });
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
