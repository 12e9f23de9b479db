using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Contact.Core.Infrastructure;

/// <summary>One numbered SQL migration.</summary>
/// <param name="Version">The number in its file name.</param>
/// <param name="Name">Its file name.</param>
/// <param name="Sql">Its text.</param>
public sealed record Migration(int Version, string Name, string Sql)
{
    /// <summary>SHA-256 of the text, with line endings normalised so a checkout's settings don't matter.</summary>
    public string Checksum { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sql.ReplaceLineEndings("\n"))));
}

/// <summary>Raised when an applied migration's file has changed since it was applied.</summary>
public sealed class MigrationChecksumException(string message) : Exception(message);

/// <summary>
/// Applies the numbered migrations in order, each in its own transaction, recording a checksum.
/// A session advisory lock makes hosts starting together apply each migration exactly once.
/// </summary>
public sealed class Migrator(NpgsqlDataSource dataSource, ILogger<Migrator>? logger = null)
{
    // An arbitrary constant that names "the schema migration lock" among advisory locks.
    private const long LockKey = 0x436F6E74616374; // "Contact"
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;

    /// <summary>The migrations shipped inside Contact.Core, in order.</summary>
    public static IReadOnlyList<Migration> Embedded()
    {
        var assembly = typeof(Migrator).Assembly;
        return [.. assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("migrations/", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => Parse(n["migrations/".Length..], Read(assembly, n)))
            .OrderBy(m => m.Version)];
    }

    /// <summary>Reads a migration from its file name (<c>NNNN_name.sql</c>) and text.</summary>
    public static Migration Parse(string fileName, string sql)
    {
        var underscore = fileName.IndexOf('_', StringComparison.Ordinal);
        if (underscore < 1 || !int.TryParse(fileName.AsSpan(0, underscore), System.Globalization.CultureInfo.InvariantCulture, out var version))
        {
            throw new ArgumentException($"Migration file {fileName} is not named NNNN_name.sql", nameof(fileName));
        }
        return new Migration(version, fileName, sql);
    }

    private static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>Applies the embedded migrations.</summary>
    /// <returns>The migrations applied by this call.</returns>
    public Task<IReadOnlyList<Migration>> MigrateAsync(CancellationToken cancellationToken = default) =>
        MigrateAsync(Embedded(), cancellationToken);

    /// <summary>Applies <paramref name="migrations"/>, refusing to run if an applied one has changed.</summary>
    /// <returns>The migrations applied by this call.</returns>
    public async Task<IReadOnlyList<Migration>> MigrateAsync(IReadOnlyList<Migration> migrations, CancellationToken cancellationToken = default)
    {
        var duplicate = migrations.GroupBy(m => m.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Two migrations share the number {duplicate.Key}: {string.Join(", ", duplicate.Select(m => m.Name))}");
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("select pg_advisory_lock(@LockKey)", new { LockKey }, cancellationToken: cancellationToken));
        try
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                create table if not exists schema_migrations (
                    version    integer primary key,
                    name       text not null,
                    checksum   text not null,
                    applied_at timestamptz not null default now()
                )
                """, cancellationToken: cancellationToken));

            var applied = (await connection.QueryAsync<(int Version, string Name, string Checksum)>(new CommandDefinition(
                "select version, name, checksum from schema_migrations order by version", cancellationToken: cancellationToken)))
                .ToDictionary(r => r.Version);

            foreach (var m in migrations)
            {
                if (applied.TryGetValue(m.Version, out var row) && row.Checksum != m.Checksum)
                {
                    throw new MigrationChecksumException(
                        $"Migration {m.Name} was changed after it was applied (applied as {row.Name}, checksum {row.Checksum}; the file now has {m.Checksum}). " +
                        "Applied migrations never change: put the change in a new, higher-numbered migration.");
                }
            }

            var done = new List<Migration>();
            foreach (var m in migrations.Where(m => !applied.ContainsKey(m.Version)))
            {
                await using var tx = await connection.BeginTransactionAsync(cancellationToken);
                await connection.ExecuteAsync(new CommandDefinition(m.Sql, transaction: tx, cancellationToken: cancellationToken));
                await connection.ExecuteAsync(new CommandDefinition(
                    "insert into schema_migrations (version, name, checksum) values (@Version, @Name, @Checksum)",
                    new { m.Version, m.Name, m.Checksum }, tx, cancellationToken: cancellationToken));
                await tx.CommitAsync(cancellationToken);
                _logger.LogInformation("Applied migration {Migration}", m.Name);
                done.Add(m);
            }
            return done;
        }
        finally
        {
            await connection.ExecuteAsync(new CommandDefinition("select pg_advisory_unlock(@LockKey)", new { LockKey }, cancellationToken: CancellationToken.None));
        }
    }
}
