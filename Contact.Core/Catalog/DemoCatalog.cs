using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using Npgsql;

namespace Contact.Core.Catalog;

/// <summary>Loads the demo catalog when it is new or has changed since it was last loaded.</summary>
public sealed class DemoCatalog(NpgsqlDataSource dataSource, CatalogImporter importer)
{
    private const string SeedName = "demo-catalog";

    /// <summary>Imports the demo catalog unless this very version was imported before.</summary>
    /// <returns>True when it was imported now.</returns>
    public async Task<bool> EnsureAsync(CancellationToken cancellationToken = default)
    {
        var document = CatalogImporter.DemoCatalog();
        var checksum = Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(document)));
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            var current = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
                "select checksum from seed_state where name = @SeedName", new { SeedName }, cancellationToken: cancellationToken));
            if (current == checksum)
            {
                return false;
            }
        }
        await importer.ImportAsync(document, cancellationToken);
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                insert into seed_state (name, checksum) values (@SeedName, @checksum)
                on conflict (name) do update set checksum = excluded.checksum, applied_at = now()
                """, new { SeedName, checksum }, cancellationToken: cancellationToken));
        }
        return true;
    }
}
