using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Contact.Core.Notifications;
using Dapper;
using Npgsql;

namespace Contact.Core.Residents;

/// <summary>What became of a request for a code.</summary>
public enum CodeSending
{
    /// <summary>A code was written to the outbox for the destination.</summary>
    Sent,

    /// <summary>The subject is locked to lookups after too many wrong codes.</summary>
    Locked,

    /// <summary>A code went out less than <see cref="OneTimeCodes.ResendAfter"/> ago; the same code stands.</summary>
    TooSoon,

    /// <summary>There is nothing a code can be sent to: no number that takes texts, or one that opted out.</summary>
    NoDestination,
}

/// <summary>What a code entered turned out to be.</summary>
public enum CodeCheck
{
    /// <summary>The code was right and in time; it is now spent.</summary>
    Accepted,

    /// <summary>The code was wrong; another try is allowed.</summary>
    Wrong,

    /// <summary>No code is out: it ran out of time, was used, or none was sent.</summary>
    Expired,

    /// <summary>Too many wrong codes: the subject is locked to lookups.</summary>
    Locked,
}

/// <summary>The result of asking for a code: the outcome and, when the subject is locked, until when.</summary>
public sealed record CodeSent(CodeSending Outcome, DateTimeOffset? LockedUntil = null);

/// <summary>The result of checking a code: the outcome and, after a wrong one, how many tries remain.</summary>
public sealed record CodeVerdict(CodeCheck Outcome, int TriesLeft, DateTimeOffset? LockedUntil = null);

/// <summary>
/// One-time codes sent by text: a resident proves they hold the phone on record for a subject (a case, later their
/// own space) by typing back six digits. A code lives <see cref="Lifetime"/> and is used once; wrong entries count
/// per subject across codes, and the <see cref="MaxTries"/>th locks the subject for <see cref="LockFor"/>, during
/// which no code is sent or accepted. Nothing is sent to a number that opted out of texts. The code itself is kept
/// only as a salted hash; the text carrying it is an ordinary outbox row.
/// </summary>
public sealed class OneTimeCodes(NpgsqlDataSource dataSource, TimeProvider clock, IOutboxDispatcher outbox)
{
    /// <summary>How long a code can be used.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    /// <summary>How long a subject stays locked after <see cref="MaxTries"/> wrong codes.</summary>
    public static readonly TimeSpan LockFor = TimeSpan.FromHours(1);

    /// <summary>The least time between two codes to one destination, so that nobody can flood a phone with texts.</summary>
    public static readonly TimeSpan ResendAfter = TimeSpan.FromMinutes(1);

    /// <summary>Wrong codes allowed before the subject is locked.</summary>
    public const int MaxTries = 5;

    /// <summary>The outbox kind (and notification text) of a code.</summary>
    public const string TextKind = "code";

    private sealed record Row(string Destination, byte[]? CodeHash, byte[]? Salt, DateTimeOffset SentAt, DateTimeOffset ExpiresAt,
        int FailedAttempts, DateTimeOffset? LockedUntil)
    {
        /// <summary>Wrong entries that still count: a lock that ran out starts the count afresh.</summary>
        public int Failures => LockedUntil is null ? FailedAttempts : 0;
    }

    /// <summary>
    /// Texts a new code for <paramref name="subject"/> to <paramref name="phone"/> (E.164), in the outbox within one
    /// transaction; <paramref name="render"/> makes the text from the code. <paramref name="caseId"/> ties the text
    /// to a case (it is sent from the case's line).
    /// </summary>
    public async Task<CodeSent> SendAsync(string subject, string? phone, long? caseId, string language, Func<string, string> render,
        CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var row = await LockAsync(connection, tx, subject, ct);
        if (row?.LockedUntil > now)
        {
            return new CodeSent(CodeSending.Locked, row.LockedUntil);
        }
        if (phone is null || !PhoneNumberNormaliser.CanReceiveTexts(phone) || await OptedOutAsync(connection, tx, phone, ct))
        {
            return new CodeSent(CodeSending.NoDestination);
        }
        if (row is not null && row.CodeHash is not null && row.Destination == phone && now - row.SentAt < ResendAfter)
        {
            return new CodeSent(CodeSending.TooSoon);
        }
        var code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
        var salt = RandomNumberGenerator.GetBytes(16);
        // Wrong entries keep counting across codes.
        var failed = row?.Failures ?? 0;
        await connection.ExecuteAsync(new CommandDefinition("""
            insert into one_time_codes (subject, destination, code_hash, salt, sent_at, expires_at, failed_attempts, locked_until)
            values (@subject, @phone, @hash, @salt, @now, @expires, @failed, null)
            on conflict (subject) do update set destination = excluded.destination, code_hash = excluded.code_hash, salt = excluded.salt,
                sent_at = excluded.sent_at, expires_at = excluded.expires_at, failed_attempts = excluded.failed_attempts, locked_until = null
            """, new { subject, phone, hash = Hash(salt, code), salt, now, expires = now + Lifetime, failed }, tx, cancellationToken: ct));
        var outboxId = await Outbox.WriteAsync(connection, tx, caseId, phone, language, TextKind, render(code), now, ct);
        await tx.CommitAsync(ct);
        outbox.Dispatch(outboxId);
        return new CodeSent(CodeSending.Sent);
    }

    /// <summary>Checks a code typed for <paramref name="subject"/>; an accepted code is spent.</summary>
    public async Task<CodeVerdict> VerifyAsync(string subject, string? typed, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var row = await LockAsync(connection, tx, subject, ct);
        if (row?.LockedUntil > now)
        {
            return new CodeVerdict(CodeCheck.Locked, 0, row.LockedUntil);
        }
        if (row?.CodeHash is null || row.Salt is null)
        {
            return new CodeVerdict(CodeCheck.Expired, MaxTries);
        }
        var digits = new string((typed ?? "").Where(char.IsAsciiDigit).ToArray());
        if (digits.Length == 6 && now < row.ExpiresAt && CryptographicOperations.FixedTimeEquals(Hash(row.Salt, digits), row.CodeHash))
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "update one_time_codes set code_hash = null, salt = null, failed_attempts = 0, locked_until = null where subject = @subject",
                new { subject }, tx, cancellationToken: ct));
            await tx.CommitAsync(ct);
            return new CodeVerdict(CodeCheck.Accepted, MaxTries);
        }
        var failed = row.Failures + 1;
        DateTimeOffset? lockedUntil = failed >= MaxTries ? now + LockFor : null;
        var expired = now >= row.ExpiresAt;
        await connection.ExecuteAsync(new CommandDefinition("""
            update one_time_codes
            set failed_attempts = @failed, locked_until = @lockedUntil,
                code_hash = case when @lockedUntil is null then code_hash end, salt = case when @lockedUntil is null then salt end
            where subject = @subject
            """, new { subject, failed, lockedUntil }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return lockedUntil is not null
            ? new CodeVerdict(CodeCheck.Locked, 0, lockedUntil)
            : new CodeVerdict(expired ? CodeCheck.Expired : CodeCheck.Wrong, MaxTries - failed);
    }

    /// <summary>
    /// Takes the subject's lock for the rest of <paramref name="tx"/> (whether or not it has a row yet, so two requests
    /// for one subject never interleave) and reads its row.
    /// </summary>
    private static async Task<Row?> LockAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string subject, CancellationToken ct)
    {
        await connection.ExecuteAsync(new CommandDefinition("select pg_advisory_xact_lock(hashtext('otc:' || @subject))", new { subject }, tx, cancellationToken: ct));
        return await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition("""
            select destination, code_hash, salt, sent_at, expires_at, failed_attempts, locked_until
            from one_time_codes where subject = @subject
            """, new { subject }, tx, cancellationToken: ct));
    }

    private static Task<bool> OptedOutAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string phone, CancellationToken ct) =>
        connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "select exists (select 1 from sms_opt_outs where phone = @phone)", new { phone }, tx, cancellationToken: ct));

    private static byte[] Hash(byte[] salt, string code) => SHA256.HashData([.. salt, .. Encoding.ASCII.GetBytes(code)]);
}
