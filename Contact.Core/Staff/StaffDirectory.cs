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
public sealed class StaffDirectory(NpgsqlDataSource dataSource, TimeProvider clock, ChangeFeed? changes = null)
{
    /// <summary>Failed sign-ins in a row that lock an account.</summary>
    public const int MaxFailedSignIns = 5;

    /// <summary>How long a locked account stays locked.</summary>
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

    /// <summary>Checks a password; counts failures and locks the account after <see cref="MaxFailedSignIns"/>.</summary>
    public async Task<SignInResult> SignInAsync(string userName, string password, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<(int Id, string PasswordHash, int FailedSignIns, DateTime? LockedUntil, Guid Stamp)>(new CommandDefinition("""
            select id, password_hash, failed_sign_ins, locked_until, security_stamp from staff_users
            where user_name = @userName and active for update
            """, new { userName = userName.Trim().ToLowerInvariant() }, tx, cancellationToken: cancellationToken));
        if (row.Id == 0)
        {
            // Spend the same effort as a real check, so timing does not tell which names exist.
            Hasher.VerifyHashedPassword("", DummyHash, password);
            return new SignInResult(null, null);
        }
        var lockedUntil = row.LockedUntil is { } l ? new DateTimeOffset(DateTime.SpecifyKind(l, DateTimeKind.Utc)) : (DateTimeOffset?)null;
        if (lockedUntil > now)
        {
            return new SignInResult(null, lockedUntil);
        }
        var verdict = Hasher.VerifyHashedPassword("", row.PasswordHash, password);
        if (verdict == PasswordVerificationResult.Failed)
        {
            var failures = row.FailedSignIns + 1;
            DateTimeOffset? lockUntil = failures >= MaxFailedSignIns ? now + LockoutFor : null;
            await connection.ExecuteAsync(new CommandDefinition(
                "update staff_users set failed_sign_ins = @failures, locked_until = @lockUntil where id = @Id",
                new { failures = lockUntil is null ? failures : 0, lockUntil, row.Id }, tx, cancellationToken: cancellationToken));
            await tx.CommitAsync(cancellationToken);
            return new SignInResult(null, lockUntil);
        }
        var rehash = verdict == PasswordVerificationResult.SuccessRehashNeeded ? Hasher.HashPassword("", password) : null;
        await connection.ExecuteAsync(new CommandDefinition("""
            update staff_users set failed_sign_ins = 0, locked_until = null, password_hash = coalesce(@rehash, password_hash),
                   state = case when state = 'away' then 'available' else state end
            where id = @Id
            """, new { rehash, row.Id }, tx, cancellationToken: cancellationToken));
        var member = await connection.QuerySingleAsync<StaffMember>(new CommandDefinition($"""
            select {MemberColumns} from staff_users u left join providers p on p.id = u.provider_id where u.id = @Id
            """, new { row.Id }, tx, cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);
        changes?.StaffChanged(member.Id);
        return new SignInResult(member, null, row.Stamp);
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
            Lines = member.Lines ?? ["311", "211"],
            Languages = member.Languages ?? ["en"],
            phone,
        }, cancellationToken: cancellationToken));
        changes?.StaffChanged(id);
        return (await FindByIdAsync(connection, id, cancellationToken))!;
    }

    /// <summary>One account as <c>users list</c> shows it.</summary>
    public sealed record Account(string UserName, string DisplayName, string Role, string? ProviderCode, bool Active, DateTimeOffset? LockedUntil);

    /// <summary>Every account, active or not, by user name.</summary>
    public async Task<IReadOnlyList<Account>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return [.. await connection.QueryAsync<Account>(new CommandDefinition("""
            select u.user_name, u.display_name, u.role, p.code as provider_code, u.active, u.locked_until
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
            update staff_users set active = @active, security_stamp = gen_random_uuid(), failed_sign_ins = 0, locked_until = null,
                   state = case when @active then state else 'away' end
            where user_name = @userName returning id
            """, new { active, userName = userName.Trim().ToLowerInvariant() }, cancellationToken: cancellationToken));
        if (id is { } changed)
        {
            changes?.StaffChanged(changed);
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
            update staff_users set password_hash = @hash, security_stamp = gen_random_uuid(), failed_sign_ins = 0, locked_until = null
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
        changes?.StaffChanged(member.Id);
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
