using Contact.Core.Infrastructure;
using System.Globalization;
using System.Resources;
using Contact.Core.Residents;
using Dapper;
using Npgsql;

namespace Contact.Core.Notifications;

/// <summary>Names the texts sent to residents: NotificationText.resx (English) and NotificationText.fr.resx (French).</summary>
public sealed class NotificationText;

/// <summary>Hands a committed outbox row to whatever delivers it (a Hangfire job in the host).</summary>
public interface IOutboxDispatcher
{
    /// <summary>Arranges delivery of the outbox row <paramref name="outboxId"/>; called after its transaction committed.</summary>
    void Dispatch(long outboxId);
}

/// <summary>
/// Messages to residents. A message is an outbox row written in the transaction of the change that causes it,
/// so a change is never committed without its message nor a message without its change.
/// </summary>
public static class Outbox
{
    private static readonly ResourceManager Texts = new("Contact.Core.Notifications.NotificationText", typeof(NotificationText).Assembly);

    /// <summary>
    /// The kind of a list of community services texted to a person who asked for it (self-serve 211); not tied to a
    /// case, it is sent from the 211 line's number.
    /// </summary>
    public const string DirectoryServicesKind = "directory.services";

    /// <summary>The longest piece of free text (a resolution note) put into a message.</summary>
    public const int MaxNoteInText = 200;

    /// <summary>The channels whose residents hear by text (web and phone too, when they gave a mobile number).</summary>
    public static readonly IReadOnlySet<string> TextedChannels = new HashSet<string>(StringComparer.Ordinal) { "web", "phone", "sms" };

    /// <summary>A notification in the resident's language.</summary>
    public static string Render(string kind, string? language, params object[] args) => Render(kind, Language.Of(language), args);

    /// <summary>A notification in <paramref name="language"/>.</summary>
    public static string Render(string kind, Language language, params object[] args)
    {
        var culture = language.Culture;
        var template = Texts.GetString(kind, culture) ?? throw new ArgumentException($"No notification text {kind}", nameof(kind));
        return string.Format(culture, template, args).Trim();
    }

    /// <summary>Names as a message lists them: "A", "A and B", "A, B and C" (et, in French); once each, in order.</summary>
    public static string ListOf(IEnumerable<string> names, Language language)
    {
        var distinct = names.Distinct(StringComparer.Ordinal).ToList();
        return distinct.Count <= 1 ? distinct.FirstOrDefault() ?? "" : Render("list.and", language, string.Join(", ", distinct[..^1]), distinct[^1]);
    }

    /// <summary>Whether a case's resident is told by text: consent, a mobile number, a texted channel.</summary>
    public static bool TextsResident(bool consent, string? phone, string channel) =>
        consent && phone is not null && TextedChannels.Contains(channel) && PhoneNumberNormaliser.CanReceiveTexts(phone);

    private sealed record Recipient(string Number, string Channel, string? ResidentPhone, string Language, bool NotifyConsent);

    /// <summary>
    /// Writes a notification for the case, inside <paramref name="tx"/>, when its resident agreed to be told;
    /// returns the outbox id, or null when nothing is sent. <paramref name="args"/> fill the text after the case number.
    /// </summary>
    public static async Task<long?> QueueAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long caseId, string kind, DateTimeOffset now,
        IReadOnlyList<string> args, CancellationToken ct)
    {
        var r = await connection.QuerySingleAsync<Recipient>(new CommandDefinition(
            "select number, channel, resident_phone, language, notify_consent from cases where id = @caseId",
            new { caseId }, tx, cancellationToken: ct));
        if (!TextsResident(r.NotifyConsent, r.ResidentPhone, r.Channel))
        {
            return null;
        }
        var body = Render(kind, r.Language, [r.Number, .. args.Select(a => a.Length > MaxNoteInText ? a[..MaxNoteInText] + "…" : a)]);
        return await WriteAsync(connection, tx, caseId, r.ResidentPhone!, r.Language, kind, body, now, ct);
    }

    /// <summary>
    /// Whether a resident can be sent a text they asked for (their referrals, a follow-up question): consent and a
    /// number that takes texts, whatever the channel they came by.
    /// </summary>
    public static bool CanText(bool consent, string? phone) => consent && phone is not null && PhoneNumberNormaliser.CanReceiveTexts(phone);

    /// <summary>Writes a message the caller composed, inside <paramref name="tx"/>; returns the outbox id.</summary>
    public static Task<long> WriteAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long? caseId, string to, string language, string kind,
        string body, DateTimeOffset now, CancellationToken ct) =>
        connection.ExecuteScalarAsync<long>(new CommandDefinition("""
            insert into outbox (case_id, to_address, language, kind, body, next_attempt_at, created_at, updated_at)
            values (@caseId, @to, @language, @kind, @body, @now, @now, @now)
            returning id
            """, new { caseId, to, language, kind, body, now }, tx, cancellationToken: ct));
}
