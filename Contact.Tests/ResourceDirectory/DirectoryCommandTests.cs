using Dapper;
using Npgsql;

namespace Contact.Tests.ResourceDirectory;

public sealed class DirectoryCommandTests
{
    [Test]
    public async Task Directory_export_and_import_move_the_directory_as_an_hsds_package_and_a_bad_one_changes_nothing()
    {
        var database = await TestDatabase.CloneAsync();
        await using var db = NpgsqlDataSource.Create(database);
        var folder = Directory.CreateTempSubdirectory("contact-directory-command-").FullName;
        try
        {
            var demo = await HsdsPackageTests.SnapshotAsync(db);
            var (exported, exportOutput) = await HostProcess.RunAsync(database, null, "directory", "export", folder);
            Assert.That(exported, Is.EqualTo(0), exportOutput);
            Assert.That(exportOutput, Does.Match(@"Exported \d+ services"));
            Assert.That(File.Exists(Path.Combine(folder, "datapackage.json")), Is.True);

            var (imported, importOutput) = await HostProcess.RunAsync(database, null, "directory", "import", HsdsPackageTests.ExamplePackage());
            Assert.That(imported, Is.EqualTo(0), importOutput);
            Assert.That(importOutput, Does.Contain("Imported 1 services, 1 locations and 1 taxonomy terms"));
            await using (var connection = await db.OpenConnectionAsync())
            {
                Assert.That(await connection.ExecuteScalarAsync<string>("select name from directory.services"), Is.EqualTo("Community Counselling"));
            }

            // Break the exported demo directory: a service without a name.
            var services = Path.Combine(folder, "services.csv");
            var lines = (await File.ReadAllLinesAsync(services)).ToList();
            var cells = lines[3].Split(',');
            cells[3] = "";
            lines[3] = string.Join(',', cells);
            await File.WriteAllLinesAsync(services, lines);
            var before = await HsdsPackageTests.SnapshotAsync(db);
            var (refused, refusal) = await HostProcess.RunAsync(database, null, "directory", "import", folder);
            Assert.That(refused, Is.EqualTo(1));
            Assert.That(refusal, Does.Contain("services.csv:4: name is required"));
            Assert.That(refusal, Does.Contain("Nothing was imported"));
            Assert.That(await HsdsPackageTests.SnapshotAsync(db), Is.EqualTo(before));

            // Mended, it brings the demo directory back as it was.
            cells[3] = "Mended name";
            lines[3] = string.Join(',', cells);
            await File.WriteAllLinesAsync(services, lines);
            var (again, againOutput) = await HostProcess.RunAsync(database, null, "directory", "import", folder);
            Assert.That(again, Is.EqualTo(0), againOutput);
            var restored = await HsdsPackageTests.SnapshotAsync(db);
            Assert.That(restored["location"], Is.EqualTo(demo["location"]));
            Assert.That(restored["service"], Does.Contain("Mended name"));

            var (missing, missingOutput) = await HostProcess.RunAsync(database, null, "directory", "import", Path.Combine(folder, "nowhere"));
            Assert.That(missing, Is.EqualTo(2));
            Assert.That(missingOutput, Does.Contain("No folder at"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
