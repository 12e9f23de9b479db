using System.Security.Cryptography;

namespace Contact.Tests.Infrastructure;

/// <summary>
/// An applied migration never changes, and neither does any file beside it: <c>db/migrations/checksums.sha256</c> holds
/// the SHA-256 of 0001 to 0020 as they were committed, and each later migration comes with a file of its own
/// (<c>NNNN_name.sql.sha256</c>, as <c>sha256sum</c> writes it). An edited, renamed or removed migration fails here
/// (an existing database would refuse to start).
/// </summary>
public sealed class MigrationChecksumTests
{
    private static string MigrationsDirectory() => Path.Combine(Checkout.Root(), "db", "migrations");

    private static Dictionary<string, string> Committed(string directory) =>
        Directory.GetFiles(directory, "*.sha256")
            .SelectMany(File.ReadAllLines)
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split("  ", 2))
            .ToDictionary(parts => parts[1], parts => parts[0], StringComparer.Ordinal);

    [Test]
    public void Every_migration_file_matches_the_checksum_it_was_committed_with()
    {
        var directory = MigrationsDirectory();
        var committed = Committed(directory);
        var files = Directory.GetFiles(directory, "*.sql").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.That(committed.Keys, Is.SubsetOf(files), "a listed migration was removed or renamed: migrations are never removed");
        foreach (var file in files)
        {
            var actual = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(directory, file!))));
            Assert.That(committed.TryGetValue(file!, out var expected), Is.True,
                $"{file} is new: add its checksum beside it in the same commit (cd db/migrations && sha256sum {file} > {file}.sha256)");
            Assert.That(actual, Is.EqualTo(expected), $"{file} was edited after it was committed: put the change in a new migration instead");
        }
    }

    [Test]
    public void A_later_migrations_checksum_file_names_only_that_migration()
    {
        foreach (var path in Directory.GetFiles(MigrationsDirectory(), "*.sql.sha256"))
        {
            var lines = File.ReadAllLines(path).Where(line => line.Length > 0).ToList();
            Assert.That(lines, Has.Count.EqualTo(1), path);
            Assert.That(lines[0].Split("  ", 2)[1], Is.EqualTo(Path.GetFileNameWithoutExtension(path)), path);
        }
    }
}
