using System.Security.Cryptography;
using System.Text;
using Dapper;
using Npgsql;

namespace Contact.Core.Open311;

/// <summary>An API key as listed (never the key itself).</summary>
/// <param name="Id">Database id.</param>
/// <param name="Name">Who it was issued to.</param>
/// <param name="Prefix">The key's first characters, to tell keys apart.</param>
/// <param name="CreatedAt">When it was issued.</param>
/// <param name="RevokedAt">When it was revoked, if it was.</param>
public sealed record ApiKeyInfo(int Id, string Name, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>A key just issued: <see cref="Key"/> is shown once and never stored.</summary>
/// <param name="Info">The stored key.</param>
/// <param name="Key">The secret itself.</param>
public sealed record IssuedApiKey(ApiKeyInfo Info, string Key);

/// <summary>
/// Open311 API keys: 256 random bits, shown once; only their SHA-256 is stored. A fast hash is right here
/// because the secret has full entropy: there is nothing to guess, so nothing for a slow hash to slow down.
/// </summary>
public sealed partial class ApiKeys(NpgsqlDataSource dataSource, TimeProvider clock)
{
    private const string KeyPrefix = "o311_";
    private const int PrefixLength = 10;

    /// <summary>Issues a key for <paramref name="name"/> (lower-case letters, digits, '.', '_', '-').</summary>
    /// <exception cref="ArgumentException">The name is not valid.</exception>
    /// <exception cref="PostgresException">A key with this name exists (unique violation).</exception>
    public async Task<IssuedApiKey> AddAsync(string name, CancellationToken cancellationToken = default)
    {
        var key = KeyPrefix + System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        return new IssuedApiKey(await StoreAsync(name, key, cancellationToken), key);
    }

    /// <summary>Makes sure a key named <paramref name="name"/> with this exact value exists and is not revoked (demo data).</summary>
    /// <returns>True when it was created or changed now.</returns>
    public async Task<bool> EnsureAsync(string name, string key, CancellationToken cancellationToken = default)
    {
        CheckName(name);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var changed = await connection.ExecuteAsync(new CommandDefinition("""
            insert into api_keys (name, key_hash, prefix, created_at) values (@name, @hash, @prefix, @now)
            on conflict (name) do update set key_hash = excluded.key_hash, prefix = excluded.prefix, revoked_at = null
            where api_keys.key_hash <> excluded.key_hash or api_keys.revoked_at is not null
            """, new { name, hash = Hash(key), prefix = Prefix(key), now = clock.GetUtcNow() }, cancellationToken: cancellationToken));
        return changed > 0;
    }

    /// <summary>Every key, newest first.</summary>
    public async Task<IReadOnlyList<ApiKeyInfo>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ApiKeyInfo>(new CommandDefinition(
            "select id, name, prefix, created_at, revoked_at from api_keys order by created_at desc, id desc", cancellationToken: cancellationToken));
        return [.. rows];
    }

    /// <summary>Revokes the key named <paramref name="name"/>; false when there is no such key or it was revoked already.</summary>
    public async Task<bool> RevokeAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "update api_keys set revoked_at = @now where name = @name and revoked_at is null",
            new { name = name.Trim().ToLowerInvariant(), now = clock.GetUtcNow() }, cancellationToken: cancellationToken)) > 0;
    }

    /// <summary>The id of the live key with this value, or null for an unknown or revoked key.</summary>
    public async Task<int?> AuthenticateAsync(string? key, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(key) || key.Length > 200)
        {
            return null;
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // The lookup is by hash: equal hashes are found by the index, and the secret never reaches the database.
        return await connection.QuerySingleOrDefaultAsync<int?>(new CommandDefinition(
            "select id from api_keys where key_hash = @hash and revoked_at is null", new { hash = Hash(key) }, cancellationToken: cancellationToken));
    }

    private async Task<ApiKeyInfo> StoreAsync(string name, string key, CancellationToken ct)
    {
        CheckName(name);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.QuerySingleAsync<ApiKeyInfo>(new CommandDefinition("""
            insert into api_keys (name, key_hash, prefix, created_at) values (@name, @hash, @prefix, @now)
            returning id, name, prefix, created_at, revoked_at
            """, new { name, hash = Hash(key), prefix = Prefix(key), now = clock.GetUtcNow() }, cancellationToken: ct));
    }

    private static void CheckName(string name)
    {
        if (!NamePattern().IsMatch(name))
        {
            throw new ArgumentException($"The key name '{name}' is not valid: lower-case letters, digits, '.', '_' or '-', at most 64.", nameof(name));
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$")]
    private static partial System.Text.RegularExpressions.Regex NamePattern();

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    private static string Prefix(string key) => key.Length <= PrefixLength ? key[..Math.Min(4, key.Length)] : key[..PrefixLength];

}
