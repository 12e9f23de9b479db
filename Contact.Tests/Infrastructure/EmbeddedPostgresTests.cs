using System.Net.Sockets;
using Contact.Core.Infrastructure;
using Npgsql;

namespace Contact.Tests.Infrastructure;

public sealed class EmbeddedPostgresTests
{
    [Test]
    public async Task The_cluster_is_created_once_stopped_cleanly_and_keeps_its_data_between_runs()
    {
        var directory = Path.Combine(Path.GetTempPath(), "contact-embedded-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var dataDirectory = Path.Combine(directory, "postgres");
            var first = await EmbeddedPostgres.StartAsync(dataDirectory, ["fsync=off"]);
            var firstPort = first.Port;
            await using (var connection = new NpgsqlConnection(first.ConnectionString()))
            {
                await connection.OpenAsync();
                await using var create = new NpgsqlCommand("create table kept (note text); insert into kept values ('still here')", connection);
                await create.ExecuteNonQueryAsync();
            }
            NpgsqlConnection.ClearAllPools();
            await first.DisposeAsync();

            Assert.That(File.Exists(Path.Combine(dataDirectory, "postmaster.pid")), Is.False, "stopped cleanly");
            using (var probe = new TcpClient())
            {
                Assert.ThrowsAsync<SocketException>(() => probe.ConnectAsync("127.0.0.1", firstPort));
            }

            await using var second = await EmbeddedPostgres.StartAsync(dataDirectory, ["fsync=off"]);
            await using (var connection = new NpgsqlConnection(second.ConnectionString()))
            {
                await connection.OpenAsync();
                await using var read = new NpgsqlCommand("select note from kept", connection);
                Assert.That(await read.ExecuteScalarAsync(), Is.EqualTo("still here"));
            }
            NpgsqlConnection.ClearAllPools();
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public void No_binaries_means_a_message_that_names_the_package_and_the_setting()
    {
        Assert.That(EmbeddedPostgres.FindBinaries("/nonexistent", ""), Is.Null);
        var message = new PostgresNotInstalledException().Message;
        Assert.That(message, Does.Contain("apt-get install postgresql").And.Contain("ConnectionStrings:Cases"));
    }

    [Test]
    public void The_binaries_of_this_machine_are_found()
    {
        var bin = EmbeddedPostgres.FindBinaries();
        Assert.That(bin, Is.Not.Null);
        Assert.That(File.Exists(Path.Combine(bin!, "initdb")), Is.True);
    }
}
