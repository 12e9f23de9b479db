using System.Security.Cryptography;

namespace Contact.Tests.Infrastructure;

/// <summary>
/// An applied migration never changes: <c>db/migrations/checksums.sha256</c> holds each file's SHA-256 as it was
/// committed, and an edited, renamed or removed file fails here (an existing database would refuse to start).
/// </summary>
public sealed class MigrationChecksumTests
{
    private static string MigrationsDirectory() => Path.Combine(Checkout.Root(), "db", "migrations");

    private static Dictionary<string, string> Committed(string directory) =>
        File.ReadAllLines(Path.Combine(directory, "checksums.sha256"))
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
                $"{file} is new: add `{actual}  {file}` to db/migrations/checksums.sha256 in the same commit");
            Assert.That(actual, Is.EqualTo(expected), $"{file} was edited after it was committed: put the change in a new migration instead");
        }
    }
}
