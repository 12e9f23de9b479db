using System.Security.Cryptography;
using Dapper;
using Npgsql;

namespace Contact.Core.ResourceDirectory;

/// <summary>Raised when the demo directory shipped inside Contact.Core does not import.</summary>
public sealed class DemoDirectoryException(string message) : Exception(message);

/// <summary>Loads the demo resource directory (db/seed/demo-directory) when it is new or has changed since it was last loaded.</summary>
public sealed class DemoDirectory(NpgsqlDataSource dataSource, HsdsImporter importer)
{
    private const string SeedName = "demo-directory";

    /// <summary>Imports the demo directory unless this very version was imported before.</summary>
    /// <returns>True when it was imported now.</returns>
    public async Task<bool> EnsureAsync(CancellationToken cancellationToken = default)
    {
        var checksum = Checksum();
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            var current = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
                "select checksum from seed_state where name = @SeedName", new { SeedName }, cancellationToken: cancellationToken));
            if (current == checksum)
            {
                return false;
            }
        }
        var result = await importer.ImportDemoAsync(cancellationToken);
        if (!result.Imported)
        {
            throw new DemoDirectoryException("The demo directory does not import: " + string.Join("; ", result.Errors.Take(10)));
        }
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                insert into seed_state (name, checksum) values (@SeedName, @checksum)
                on conflict (name) do update set checksum = excluded.checksum, applied_at = now()
                """, new { SeedName, checksum }, cancellationToken: cancellationToken));
        }
        return true;
    }

    /// <summary>SHA-256 over the package's file names and contents.</summary>
    public static string Checksum()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var name in HsdsImporter.DemoFiles())
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(name + "\n"));
            using var stream = HsdsImporter.OpenDemoFile(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            hash.AppendData(copy.ToArray());
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
