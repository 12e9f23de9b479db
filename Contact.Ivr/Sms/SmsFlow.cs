using System.Globalization;
using System.Text;
using Contact.Core.Infrastructure;
using Contact.Core.Cases;
using Contact.Core.Catalog;
using Contact.Core.ResourceDirectory;
using Contact.Core.Notifications;
using Contact.Core.InformationAndReferral;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging;
using static Contact.Ivr.Sms.SmsWords;

namespace Contact.Ivr.Sms;

/// <summary>Names the texting replies: SmsText.resx (English) and SmsText.fr.resx (French).</summary>
public sealed class SmsText;

/// <summary>What Twilio posted for one inbound text.</summary>
/// <param name="MessageSid">Twilio's id of the message.</param>
/// <param name="From">The sender, in E.164.</param>
/// <param name="Body">The text, trimmed.</param>
/// <param name="OptOutType">STOP, START or HELP when Twilio's opt-out handling recognised a keyword.</param>
/// <param name="Photos">Media sent with it (MMS).</param>
public sealed record SmsInput(string MessageSid, string From, string Body, string? OptOutType, IReadOnlyList<SmsPhoto> Photos);

/// <summary>The language a text is being answered in, as far as answering got: English until the conversation says otherwise.</summary>
public sealed class SmsReplyLanguage
{
    /// <summary>English or French.</summary>
    public Language Value { get; internal set; } = Language.English;
}

/// <summary>
/// Texting with Contact: STOP/START/HELP, a request's status, reporting a problem one question at a time, and finding
/// community services nearby (self-serve 211), in English or French. Each text is answered under a lock on the sender's
/// number; the reply is remembered by MessageSid so a retried webhook gets it again and changes nothing.
/// </summary>
public sealed partial class SmsFlow(SmsStore store, CatalogStore catalog, SmsReport report, SmsLifeEvent lifeEvents, CaseQueries cases, DirectorySearch directory,
    TimeProvider clock, ILogger<SmsFlow> logger, InformationReferral referral)
{
    /// <summary>A conversation ends after this long without a text.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Answers one inbound text; the reply text (not yet TwiML). <paramref name="language"/> follows the language the
    /// answer is in as it goes (the conversation's, then any the text switched to), so that when answering fails the
    /// apology is in it.
    /// </summary>
    public async Task<string> AnswerAsync(SmsInput input, SmsReplyLanguage language, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(language);
        await using var session = await store.BeginAsync(input.From, ct);
        if (await session.ReplyForAsync(input.MessageSid, ct) is { } earlier)
        {
            return earlier;
        }
        var now = clock.GetUtcNow();
        var stored = await session.ConversationAsync(ct);
        var ongoing = stored is { State.FirstSid: not null } && now - stored.UpdatedAt <= Timeout;
        language.Value = Language.Of(stored?.Language);
        var turn = new SmsTurn(input, ongoing ? stored!.State : new SmsState(), language) { CaseId = ongoing ? stored!.CaseId : null };
        var snapshot = await catalog.GetAsync(ct);
        var reply = await RespondAsync(session, turn, snapshot, ct);
        var startedAt = turn.Started || stored is null || !ongoing ? now : stored.StartedAt;
        await session.SaveAsync(new SmsConversation(input.From, turn.Language.Code, turn.State, turn.CaseId ?? stored?.CaseId, startedAt, now), ct);
        await session.CommitAsync(input.MessageSid, input.Body, reply, ct);
        return reply;
    }

    /// <summary>The apology sent when answering failed (nothing is remembered, so Twilio's retry can succeed).</summary>
    public string Apology(SmsReplyLanguage language)
    {
        ArgumentNullException.ThrowIfNull(language);
        return T(language.Value, "error.apology");
    }

    private async Task<string> RespondAsync(SmsSession session, SmsTurn turn, CatalogSnapshot snapshot, CancellationToken ct)
    {
        var body = turn.Input.Body;
        var word = Word(body);
        var optOut = turn.Input.OptOutType?.Trim().ToUpperInvariant();
        if (optOut == "STOP" || StopWords.Contains(word))
        {
            if (word == "arret")
            {
                turn.Language = Language.French;
            }
            var keyword = StopWords.Contains(word) ? body.Trim().ToUpperInvariant() : "STOP";
            await session.OptOutAsync(keyword.Length > 20 ? keyword[..20] : keyword, ct);
            return T(turn.Language, "optout.done");
        }
        if (optOut == "START" || StartWords.Contains(word) || (word is "yes" or "oui" && await session.IsOptedOutAsync(ct)))
        {
            turn.Language = word == "oui" ? Language.French : word == "yes" ? Language.English : turn.Language;
            await session.OptInAsync(ct);
            return T(turn.Language, "optin.done");
        }
        if (optOut == "HELP" || HelpWords.Contains(word))
        {
            turn.Language = word == "aide" ? Language.French : word == "help" ? Language.English : turn.Language;
            return T(turn.Language, "help");
        }
        if (word is "fr" or "francais" or "en" or "english" or "anglais")
        {
            turn.Language = word is "fr" or "francais" ? Language.French : Language.English;
            return T(turn.Language, "language.set");
        }
        if (await FollowUpAnswerAsync(session, turn, word, ct) is { } answered)
        {
            return answered;
        }
        if (StatusRequest(word) is { } request)
        {
            turn.Language = request.Language ?? turn.Language;
            return await StatusAsync(turn, request.Number, ct);
        }
        if (turn.State.Step is null && LooksLikeCaseNumber(body))
        {
            return await StatusAsync(turn, body, ct);
        }
        if (turn.State.LifeEvent is not null && turn.State.Step is SmsStep.LifeEventShared or SmsStep.LifeEventServices or SmsStep.LifeEventOwn or SmsStep.LifeEventName)
        {
            return await lifeEvents.ConverseAsync(turn, snapshot, ct);
        }
        if (turn.State.Step is null && SmsLifeEvent.Named(body, snapshot) is { } named)
        {
            return lifeEvents.Start(turn, named.LifeEvent, named.Language);
        }
        if (await SelfServeAsync(turn, ct) is { } services)
        {
            return services;
        }
        return await report.ConverseAsync(turn, snapshot, ct);
    }

    private static readonly HashSet<string> FollowUpYes = new(StringComparer.Ordinal) { "1", "yes", "y", "oui", "o" };
    private static readonly HashSet<string> FollowUpNo = new(StringComparer.Ordinal) { "2", "no", "n", "non" };

    /// <summary>
    /// An answer to a 211 follow-up question ("did you get the help you needed? 1 yes, 2 no") from a number that was
    /// asked, outside a report in progress: recorded with this text; a no puts the case back before an agent.
    /// </summary>
    private async Task<string?> FollowUpAnswerAsync(SmsSession session, SmsTurn turn, string word, CancellationToken ct)
    {
        var yes = FollowUpYes.Contains(word) ? true : FollowUpNo.Contains(word) ? false : (bool?)null;
        if (yes is null || turn.State.Step is not null)
        {
            return null;
        }
        var now = clock.GetUtcNow();
        var answer = await session.InTransactionAsync((connection, tx) => InformationReferral.AnswerFollowUpAsync(connection, tx, session.Phone, yes.Value, now, ct));
        if (answer is null)
        {
            return null;
        }
        session.AfterCommit(() => referral.Announce(answer));
        turn.Language = Language.Of(answer.Language);
        logger.LogInformation("Follow-up of case {CaseNumber} answered {Answer} by text", answer.Number, yes.Value ? "yes" : "no");
        return T(turn.Language, yes.Value ? "followup.yes" : "followup.no", answer.Number);
    }

    private static (Language? Language, string Number)? StatusRequest(string word)
    {
        foreach (var (keyword, language) in new[] { ("status", Language.English), ("etat", Language.French), ("statut", Language.French) })
        {
            if (word == keyword || word.StartsWith(keyword + " ", StringComparison.Ordinal) || word.StartsWith(keyword + ":", StringComparison.Ordinal)
                || word.StartsWith(keyword + "#", StringComparison.Ordinal) || (word.Length > keyword.Length && word.StartsWith(keyword, StringComparison.Ordinal) && char.IsDigit(word[keyword.Length])))
            {
                return (language, word[keyword.Length..].Trim().TrimStart(':', '#').Trim());
            }
        }
        return null;
    }

    private static bool LooksLikeCaseNumber(string body)
    {
        var trimmed = body.Trim().TrimStart('#');
        var digits = trimmed.Count(char.IsAsciiDigit);
        return digits is >= CaseNumber.MinLength and <= CaseNumber.MaxLength && trimmed.All(c => char.IsAsciiDigit(c) || c is ' ' or '-' or '.');
    }

    private async Task<string> StatusAsync(SmsTurn turn, string typed, CancellationToken ct)
    {
        var language = turn.Language;
        if (string.IsNullOrWhiteSpace(typed))
        {
            return T(language, "status.ask");
        }
        var number = CaseNumber.Normalise(typed.TrimStart('#'));
        if (number is null)
        {
            return T(language, "status.invalid");
        }
        var found = await cases.FindAsync(number, ct);
        if (found is null)
        {
            return T(language, "status.unknown");
        }
        // Nothing personal, and for 211 nothing but the status: the same as the phone line says.
        var when = found.UpdatedAt.ToString("d MMMM yyyy", language.Canadian);
        return T(language, "status.answer", found.Number, T(language, "status." + found.Status), when);
    }

}
