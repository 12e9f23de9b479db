using Contact.Core.Infrastructure;
using Npgsql;

namespace Contact.Tests.Infrastructure;

/// <summary>The host's commands on the embedded cluster: they stop the PostgreSQL they started, and only that one.</summary>
public sealed class HostCommandsEmbeddedTests
{
    private static readonly string[] FastServer = ["fsync=off", "synchronous_commit=off"];

    private static Dictionary<string, string> Embedded(string dataDirectory) => new()
    {
        ["Database__DataDirectory"] = dataDirectory,
    };

    [Test]
    public async Task A_command_that_started_the_embedded_server_stops_it_and_one_that_found_it_running_leaves_it()
    {
        var directory = Path.Combine(Path.GetTempPath(), "contact-command-" + Guid.NewGuid().ToString("N")[..8]);
        var dataDirectory = Path.Combine(directory, "postgres");
        var export = Path.Combine(directory, "export");
        try
        {
            // No connection string: the command creates and starts the embedded cluster itself.
            var (code, output) = await HostProcess.RunAsync("", null, Embedded(dataDirectory), "directory", "export", export);
            Assert.That(code, Is.EqualTo(0), output);
            Assert.That(output, Does.Contain("Exported"));
            Assert.That(File.Exists(Path.Combine(dataDirectory, "PG_VERSION")), Is.True, "the command made the cluster");
            Assert.That(File.Exists(Path.Combine(dataDirectory, "postmaster.pid")), Is.False, "and stopped the server it started: " + output);

            // A server already running on that directory (as under a running host) is used and left running.
            await using var running = await EmbeddedPostgres.StartAsync(dataDirectory, FastServer);
            var (listed, list) = await HostProcess.RunAsync("", null, Embedded(dataDirectory), "users", "list");
            Assert.That(listed, Is.EqualTo(0), list);
            Assert.That(list, Does.Contain("already running"));
            Assert.That(File.Exists(Path.Combine(dataDirectory, "postmaster.pid")), Is.True, "the server it found is still running");
            await using (var connection = new NpgsqlConnection(running.ConnectionString("contact")))
            {
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand("select count(*) from schema_migrations", connection);
                Assert.That(await command.ExecuteScalarAsync(), Is.GreaterThan(0L));
            }
            NpgsqlConnection.ClearAllPools();
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            if (File.Exists(Path.Combine(dataDirectory, "postmaster.pid")) && EmbeddedPostgres.FindBinaries() is { } bin)
            {
                // The test's own server (disposed above) is already stopped; this only mops up after a failure.
                using var stop = System.Diagnostics.Process.Start(Path.Combine(bin, "pg_ctl"), ["-D", dataDirectory, "-m", "immediate", "stop"]);
                await stop.WaitForExitAsync();
            }
            Directory.Delete(directory, recursive: true);
        }
    }
}
