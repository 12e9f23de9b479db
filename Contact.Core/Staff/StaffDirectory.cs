using Contact.Core.Infrastructure;
using Dapper;
using Microsoft.AspNetCore.Identity;
using Npgsql;

namespace Contact.Core.Staff;

/// <summary>What a sign-in attempt came to.</summary>
/// <param name="Member">The member, when the password was right and the account open.</param>
/// <param name="LockedUntil">When a locked account opens again.</param>
/// <param name="SecurityStamp">The member's security stamp, which the staff cookie carries.</param>
public sealed record SignInResult(StaffMember? Member, DateTimeOffset? LockedUntil, Guid SecurityStamp = default);

/// <summary>A new account.</summary>
public sealed record NewStaffMember(
    string UserName, string DisplayName, string Role, string Password, string? ProviderCode = null, string[]? Lines = null,
    string[]? Languages = null, string? Phone = null);

/// <summary>Staff accounts: passwords hashed with ASP.NET Core Identity's PasswordHasher, lockout after repeated failures.</summary>
public sealed class StaffDirectory(NpgsqlDataSource dataSource, TimeProvider clock, ChangeFeed changes)
{
    /// <summary>Failed sign-ins for one user name from one client address that lock that name from that address.</summary>
    public const int MaxFailedSignIns = 5;

    /// <summary>Failed sign-ins from one client address, whatever the names, that lock the address out of signing in.</summary>
    public const int MaxFailedSignInsPerAddress = 20;

    /// <summary>The window failures are counted in, and how long a lock lasts.</summary>
    public static readonly TimeSpan LockoutFor = TimeSpan.FromMinutes(15);

    private static readonly PasswordHasher<string> Hasher = new();

    internal const string MemberColumns = """
        u.id, u.user_name, u.display_name, u.role, u.provider_id, p.code as provider_code, u.lines, u.languages, u.state
        """;

    /// <summary>The active member with this user name, or null.</summary>
    public async Task<StaffMember?> FindAsync(string userName, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<StaffMember>(new CommandDefinition($"""
            select {MemberColumns} from staff_users u left join providers p on p.id = u.provider_id
            where u.user_name = @userName and u.active
            """, new { userName = userName.Trim().ToLowerInvariant() }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Checks a password from a client address (see <see cref="ClientAddress.PartitionKey"/>). Failures are counted
    /// for the user name from that address (<see cref="MaxFailedSignIns"/>) and for the address whatever the name
    /// (<see cref="MaxFailedSignInsPerAddress"/>); either locks for <see cref="LockoutFor"/>. The account itself is
    /// never locked, so nobody can lock a colleague out from another address. A name that does not exist (or is
    /// disabled) is hashed and counted exactly like a wrong password, so neither the answer nor its time tells
    /// which names exist.
    /// </summary>
    public async Task<SignInResult> SignInAsync(string userName, string password, string client, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var name = userName.Trim().ToLowerInvariant();
        string[] keys = [$"name:{name}@{client}", $"address:{client}"];
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var lockedUntil = await connection.ExecuteScalarAsync<DateTime?>(new CommandDefinition(
            "select max(locked_until) from sign_in_failures where key = any(@keys) and locked_until > @now",
            new { keys, now }, tx, cancellationToken: cancellationToken));
        var row = await connection.QuerySingleOrDefaultAsync<(int Id, string PasswordHash, Guid Stamp)>(new CommandDefinition(
            "select id, password_hash, security_stamp from staff_users where user_name = @name and active",
            new { name }, tx, cancellationToken: cancellationToken));
        // The same hashing effort whether or not the name exists.
        var verdict = Hasher.VerifyHashedPassword("", row.Id == 0 ? DummyHash : row.PasswordHash, password);
        if (lockedUntil is { } locked)
        {
            return new SignInResult(null, new DateTimeOffset(DateTime.SpecifyKind(locked, DateTimeKind.Utc)));
        }
        if (row.Id == 0 || verdict == PasswordVerificationResult.Failed)
        {
            var lockUntil = await CountFailureAsync(connection, tx, keys, now, cancellationToken);
            await tx.CommitAsync(cancellationToken);
            return new SignInResult(null, lockUntil);
        }
        var rehash = verdict == PasswordVerificationResult.SuccessRehashNeeded ? Hasher.HashPassword("", password) : null;
        await connection.ExecuteAsync(new CommandDefinition("""
            update staff_users set password_hash = coalesce(@rehash, password_hash),
                   state = case when state = 'away' then 'available' else state end
            where id = @Id;
            delete from sign_in_failures where key = @nameKey;
            """, new { rehash, row.Id, nameKey = keys[0] }, tx, cancellationToken: cancellationToken));
        var member = await connection.QuerySingleAsync<StaffMember>(new CommandDefinition($"""
            select {MemberColumns} from staff_users u left join providers p on p.id = u.provider_id where u.id = @Id
            """, new { row.Id }, tx, cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);
        changes.StaffChanged(member.Id);
        return new SignInResult(member, null, row.Stamp);
    }

    /// <summary>Counts a failure against the name-from-address and the address; the lock either reached, or null.</summary>
    private static async Task<DateTimeOffset?> CountFailureAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, string[] keys, DateTimeOffset now, CancellationToken ct)
    {
        DateTimeOffset? lockUntil = null;
        foreach (var (key, limit) in new[] { (keys[0], MaxFailedSignIns), (keys[1], MaxFailedSignInsPerAddress) })
        {
            // A count older than the window, or whose lock has run out, starts again.
            var locked = await connection.ExecuteScalarAsync<DateTime?>(new CommandDefinition("""
                insert into sign_in_failures as f (key, failures, first_failed_at, locked_until)
                values (@key, 1, @now, null)
                on conflict (key) do update set
                    failures = case when f.first_failed_at < @windowStart or f.locked_until <= @now then 1 else f.failures + 1 end,
                    first_failed_at = case when f.first_failed_at < @windowStart or f.locked_until <= @now then @now else f.first_failed_at end,
                    locked_until = case
                        when f.first_failed_at < @windowStart or f.locked_until <= @now then null
                        when f.failures + 1 >= @limit then @until
                        else f.locked_until end
                returning locked_until
                """, new { key, now, limit, until = now + LockoutFor, windowStart = now - LockoutFor }, tx, cancellationToken: ct));
            if (locked is { } l)
            {
                lockUntil = new DateTimeOffset(DateTime.SpecifyKind(l, DateTimeKind.Utc));
            }
        }
        // Old counts go, a few at a time, so the table stays small.
        await connection.ExecuteAsync(new CommandDefinition("""
            delete from sign_in_failures where key in (
                select key from sign_in_failures where first_failed_at < @stale and (locked_until is null or locked_until < @now) limit 100)
            """, new { stale = now - TimeSpan.FromDays(1), now }, tx, cancellationToken: ct));
        return lockUntil;
    }

    private static readonly string DummyHash = Hasher.HashPassword("", Guid.NewGuid().ToString());

    /// <summary>
    /// Creates an account; a taken user name is refused. <see cref="PasswordPolicy"/> is not applied here, because the
    /// Development demo accounts are made with a short password: <c>users add</c> applies it before calling this.
    /// </summary>
    public async Task<StaffMember> CreateAsync(NewStaffMember member, CancellationToken cancellationToken = default)
    {
        if (Roles.Problem(member.Role) is { } badRole)
        {
            throw new ArgumentException(badRole, nameof(member));
        }
        if (member.Password.Length < 4)
        {
            throw new ArgumentException("A password needs at least 4 characters.", nameof(member));
        }
        string? phone = null;
        if (!string.IsNullOrWhiteSpace(member.Phone))
        {
            phone = Residents.PhoneNumberNormaliser.ToE164(member.Phone)
                ?? throw new ArgumentException($"'{member.Phone}' is not a phone number.", nameof(member));
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        int? providerId = null;
        if (member.Role == Roles.Provider)
        {
            providerId = await connection.ExecuteScalarAsync<int?>(new CommandDefinition(
                "select id from providers where code = @ProviderCode", new { member.ProviderCode }, cancellationToken: cancellationToken))
                ?? throw new ArgumentException($"A provider user needs --provider CODE of an existing provider (got '{member.ProviderCode}').", nameof(member));
        }
        var id = await connection.ExecuteScalarAsync<int>(new CommandDefinition("""
            insert into staff_users (user_name, display_name, password_hash, role, provider_id, lines, languages, phone)
            values (@UserName, @DisplayName, @Hash, @Role, @providerId, @Lines, @Languages, @phone)
            returning id
            """, new
        {
            UserName = member.UserName.Trim().ToLowerInvariant(),
            member.DisplayName,
            Hash = Hasher.HashPassword("", member.Password),
            member.Role,
            providerId,
            Lines = member.Lines ?? [.. Line.All.Select(l => l.Code)],
            Languages = member.Languages ?? [Language.English.Code],
            phone,
        }, cancellationToken: cancellationToken));
        changes.StaffChanged(id);
        return (await FindByIdAsync(connection, id, cancellationToken))!;
    }

    /// <summary>One account as <c>users list</c> shows it.</summary>
    public sealed record Account(string UserName, string DisplayName, string Role, string? ProviderCode, bool Active);

    /// <summary>Every account, active or not, by user name.</summary>
    public async Task<IReadOnlyList<Account>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return [.. await connection.QueryAsync<Account>(new CommandDefinition("""
            select u.user_name, u.display_name, u.role, p.code as provider_code, u.active
            from staff_users u left join providers p on p.id = u.provider_id order by u.user_name
            """, cancellationToken: cancellationToken))];
    }

    /// <summary>
    /// Disables or enables an account; either changes its security stamp, so a cookie issued before stops working
    /// within the revalidation interval. False when there is no such account.
    /// </summary>
    public async Task<bool> SetActiveAsync(string userName, bool active, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var id = await connection.ExecuteScalarAsync<int?>(new CommandDefinition("""
            update staff_users set active = @active, security_stamp = gen_random_uuid(),
                   state = case when @active then state else 'away' end
            where user_name = @userName returning id
            """, new { active, userName = userName.Trim().ToLowerInvariant() }, cancellationToken: cancellationToken));
        if (id is { } changed)
        {
            changes.StaffChanged(changed);
        }
        return id is not null;
    }

    /// <summary>
    /// Sets a new password (checked by <see cref="PasswordPolicy"/>) and a new security stamp, which signs the member
    /// out everywhere. False when there is no such account.
    /// </summary>
    public async Task<bool> SetPasswordAsync(string userName, string password, CancellationToken cancellationToken = default)
    {
        if (PasswordPolicy.Problem(password, userName) is { } problem)
        {
            throw new ArgumentException(problem, nameof(password));
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition("""
            update staff_users set password_hash = @hash, security_stamp = gen_random_uuid()
            where user_name = @userName
            """, new { hash = Hasher.HashPassword("", password), userName = userName.Trim().ToLowerInvariant() }, cancellationToken: cancellationToken)) > 0;
    }

    /// <summary>What a staff cookie is checked against: the member's role and security stamp, when the account is active.</summary>
    public async Task<(string Role, Guid Stamp)?> StampAsync(string userName, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<(string Role, Guid Stamp)>(new CommandDefinition(
            "select role, security_stamp from staff_users where user_name = @userName and active",
            new { userName = userName.Trim().ToLowerInvariant() }, cancellationToken: cancellationToken));
        return row.Role is null ? null : row;
    }

    /// <summary>Sets a member's availability.</summary>
    public async Task<StaffMember> SetStateAsync(StaffMember member, string state, CancellationToken cancellationToken = default)
    {
        if (state is not ("available" or "away" or "busy"))
        {
            throw new WorkRefusedException("refused.bad_state", $"'{state}' is not available, away or busy.", state);
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("update staff_users set state = @state where id = @Id", new { state, member.Id }, cancellationToken: cancellationToken));
        changes.StaffChanged(member.Id);
        return (await FindByIdAsync(connection, member.Id, cancellationToken))!;
    }

    private static Task<StaffMember?> FindByIdAsync(NpgsqlConnection connection, int id, CancellationToken ct) =>
        connection.QuerySingleOrDefaultAsync<StaffMember>(new CommandDefinition($"""
            select {MemberColumns} from staff_users u left join providers p on p.id = u.provider_id where u.id = @id
            """, new { id }, cancellationToken: ct));

    /// <summary>Creates the demo accounts that do not exist yet (Development).</summary>
    /// <returns>The user names created now.</returns>
    public async Task<IReadOnlyList<string>> EnsureDemoUsersAsync(string password, CancellationToken cancellationToken = default)
    {
        NewStaffMember[] demo =
        [
            new("agent", "Alex Agent", Roles.Agent, password, Lines: ["311", "211"], Languages: ["en"]),
            new("agent.fr", "Camille Agente", Roles.Agent, password, Lines: ["311", "211"], Languages: ["fr"]),
            new("supervisor", "Sam Supervisor", Roles.Supervisor, password, Lines: ["311", "211"], Languages: ["en", "fr"]),
            new("admin", "Ari Admin", Roles.Admin, password, Lines: ["311", "211"], Languages: ["en", "fr"]),
            new("provider", "Pat Provider (Roads)", Roles.Provider, password, ProviderCode: "city-roads", Lines: ["311"], Languages: ["en", "fr"]),
        ];
        var created = new List<string>();
        foreach (var member in demo)
        {
            if (await FindAsync(member.UserName, cancellationToken) is null)
            {
                await CreateAsync(member, cancellationToken);
                created.Add(member.UserName);
            }
        }
        return created;
    }
}
