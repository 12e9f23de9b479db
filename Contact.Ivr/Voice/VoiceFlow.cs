using System.Globalization;
using Contact.Core.Infrastructure;
using Language = Contact.Core.Infrastructure.Language;
using Line = Contact.Core.Infrastructure.Line;
using Contact.Core.Cases;
using Contact.Core.Catalog;
using Contact.Core.LifeEvents;
using Contact.Core.ResourceDirectory;
using Contact.Core.Residents;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging;
using static Contact.Ivr.Voice.VoicePrompts;
using Twilio.TwiML;
using Twilio.TwiML.Voice;

namespace Contact.Ivr.Voice;

/// <summary>Names the IVR's words: VoiceText.resx (English) and VoiceText.fr.resx (French).</summary>
public sealed class VoiceText;

/// <summary>What Twilio posted to one step of a call.</summary>
public sealed record CallInput(string CallSid, string? From, string? To, string? Digits, string? Speech, string? RecordingUrl, int Retry);

/// <summary>
/// The phone line, step by step. Each step reads the call's state, answers with TwiML built by the Twilio
/// library, and saves the state; any host can answer the next step. Retries of a step with no or wrong input
/// are counted in the URL; after two the caller is offered an agent.
/// </summary>
public sealed partial class VoiceFlow(CallStore calls, VoiceReport report, CaseIntake intake, CaseQueries cases, DirectorySearch directory, PostalAreaLookup areas,
    CatalogStore catalog, LifeEventCommands lifeEvents)
{
    public const string Base = "/twilio/voice";
    /// <summary>The first webhook of a call: the language.</summary>
    public async Task<VoiceResponse> StartAsync(CallInput input, string? lineOfNumber, CancellationToken ct)
    {
        await calls.OpenAsync(input.CallSid, input.From, input.To, lineOfNumber, ct);
        var response = new VoiceResponse();
        var gather = Keys(null, Step("language"), speech: true, hints: "English, français, anglais, French");
        Speak(gather, Language.English.Code, LanguageText(Language.English.Code));
        Speak(gather, Language.French.Code, LanguageText(Language.French.Code));
        response.Append(gather);
        // No choice after two tries: carry on in English.
        response.Redirect(Step("language", input.Retry >= MaxRetries ? "?default=en" : $"?retry={input.Retry + 1}&empty=1"));
        return response;
    }

    private static string LanguageText(string language) => T(language, "language.menu");

    /// <summary>The language chosen at the language menu: key 1 or 2, or the word said; null when neither.</summary>
    /// <param name="digits">The keys pressed.</param>
    /// <param name="speech">What was said.</param>
    public static string? LanguageChosen(string? digits, string? speech)
    {
        var said = CatalogSnapshot.Fold(speech ?? "");
        return digits switch
        {
            "1" => Language.English.Code,
            "2" => Language.French.Code,
            _ when said.Contains("fran", StringComparison.Ordinal) || said.Contains("french", StringComparison.Ordinal) => Language.French.Code,
            _ when said.Contains("english", StringComparison.Ordinal) || said.Contains("anglais", StringComparison.Ordinal) => Language.English.Code,
            _ => null,
        };
    }

    /// <summary>The language chosen (1, 2, or said), then the emergency notice and the main menu.</summary>
    public async Task<VoiceResponse> LanguageAsync(CallRecord call, CallInput input, bool empty, string? fallback, CancellationToken ct)
    {
        var language = LanguageChosen(input.Digits, input.Speech) ?? fallback;
        if (language is null)
        {
            // Ask again in both languages.
            return await StartAsync(input with { Retry = input.Retry + (empty ? 0 : 1) }, call.Line, ct);
        }
        var chosen = call with { Language = language };
        await calls.SaveAsync(chosen, ct);
        var response = new VoiceResponse();
        Speak(response, language, T(language, "emergency"));
        if (Line.Of(chosen.Line) == Line.Community)
        {
            // The 211 line opens on what callers ask for most: services near them.
            HelpMenu(response, chosen, 0);
        }
        else
        {
            Menu(response, chosen);
        }
        return response;
    }

    private void Menu(VoiceResponse response, CallRecord call)
    {
        var gather = Keys(call.Language, Step("menu"));
        Speak(gather, call.Language, T(call.Language, "menu.prompt"));
        response.Append(gather);
        response.Redirect(Step("menu", "?empty=1"));
    }

    /// <summary>The main menu: 1 report (311), 2 find help (211), 3 status, 4 a life event, 0 agent.</summary>
    public async Task<VoiceResponse> MainMenuAsync(CallRecord call, CallInput input, bool empty, CancellationToken ct)
    {
        switch (input.Digits)
        {
            case "2":
                return await FindHelpAsync(call, ct);
            case "1":
                call.State.Line = Line.City.Code;
                call.State.Page = 0;
                await calls.SaveAsync(call with { Line = call.Line ?? call.State.Line }, ct);
                return await report.CategoriesAsync(call, ct);
            case "3":
                return With(r => StatusPrompt(r, call));
            case "4":
                var snapshot = await catalog.GetAsync(ct);
                return With(r => LifeEventMenu(r, call, 0, snapshot));
            case "0":
                return await AgentAsync(call, ct);
            default:
                return Retry(call, input.Retry, empty ? "input.none" : "input.wrong", r =>
                {
                    var gather = Keys(call.Language, Step("menu", $"?retry={input.Retry + 1}"));
                    Speak(gather, call.Language, T(call.Language, "menu.prompt"));
                    r.Append(gather);
                    r.Redirect(Step("menu", $"?retry={input.Retry + 1}&empty=1"));
                });
        }
    }

    private void StatusPrompt(VoiceResponse response, CallRecord call, int retry = 0)
    {
        var gather = Keys(call.Language, Step("status", $"?retry={retry}"), numDigits: null, finishOnKey: "#");
        Speak(gather, call.Language, T(call.Language, "status.prompt"));
        response.Append(gather);
        response.Redirect(Step("status", $"?retry={retry + 1}&empty=1"));
    }

    /// <summary>A request number keyed in: its status and last update, nothing personal.</summary>
    public async Task<VoiceResponse> StatusAsync(CallRecord call, CallInput input, bool empty, CancellationToken ct)
    {
        var number = CaseNumber.Normalise(input.Digits);
        var found = number is null ? null : await cases.FindAsync(number, ct);
        if (found is null)
        {
            return Retry(call, input.Retry, empty ? "input.none" : number is null ? "status.invalid" : "status.unknown", r => StatusPrompt(r, call, input.Retry + 1));
        }
        var response = new VoiceResponse();
        var when = found.UpdatedAt.ToString("d MMMM", Language.Of(call.Language).Canadian);
        Speak(response, call.Language, T(call.Language, "status.answer", Digits(found.Number), T(call.Language, "status." + found.Status), when));
        var gather = Keys(call.Language, Step("status-next"));
        Speak(gather, call.Language, T(call.Language, "status.next"));
        response.Append(gather);
        Speak(response, call.Language, T(call.Language, "goodbye"));
        response.Hangup();
        return response;
    }

    /// <summary>After a status: 1 another request, 0 an agent.</summary>
    public async Task<VoiceResponse> StatusNextAsync(CallRecord call, CallInput input, CancellationToken ct) => input.Digits switch
    {
        "1" => With(r => StatusPrompt(r, call)),
        "0" => await AgentAsync(call, ct),
        _ => Goodbye(call),
    };

    private VoiceResponse Goodbye(CallRecord call)
    {
        var response = new VoiceResponse();
        Speak(response, call.Language, T(call.Language, "goodbye"));
        response.Hangup();
        return response;
    }

    /// <summary>1 after an offer: an agent; anything else: goodbye.</summary>
    public async Task<VoiceResponse> AgentOfferAsync(CallRecord call, CallInput input, CancellationToken ct) =>
        input.Digits is "1" or "0" ? await AgentAsync(call, ct) : Goodbye(call);

    /// <summary>
    /// The caller waits in the Twilio queue of their line and language; a "caller waiting" case appears in the
    /// agents' live queue at once.
    /// </summary>
    public async Task<VoiceResponse> AgentAsync(CallRecord call, CancellationToken ct) => await AgentAsync(call, null, ct);

    /// <summary>The caller waits for an agent; with <paramref name="lifeEvent"/>, its case carries the life event the caller chose.</summary>
    private async Task<VoiceResponse> AgentAsync(CallRecord call, LifeEvent? lifeEvent, CancellationToken ct)
    {
        var line = call.State.Line ?? call.Line ?? Line.City.Code;
        var language = Language.Of(call.Language).Code;
        var description = lifeEvent is null ? T(language, "agent.case_description") : T(language, "life.case_description", lifeEvent.Name.In(language));
        var result = await intake.SubmitAsync(new NewCase(
            "general-" + line, "phone", language, Description: description,
            Phone: PhoneNumberNormaliser.ToE164(call.FromNumber), IdempotencyKey: "call-agent:" + call.CallSid), "resident", ct);
        if (result.Case is { } waiting)
        {
            await calls.SaveAsync(call with { CaseId = call.CaseId ?? waiting.Id }, ct);
            if (lifeEvent is not null && !waiting.AlreadyExisted)
            {
                await lifeEvents.AttachAsync(waiting.Id, lifeEvent, "resident", ct);
            }
        }
        var response = new VoiceResponse();
        Speak(response, language, lifeEvent is null ? T(language, "agent.connecting") : T(language, "life.to_agent", lifeEvent.Name.In(language)));
        response.Enqueue(line + "-" + language, waitUrl: Step("wait", "?lang=" + language));
        return response;
    }

    /// <summary>Twilio's wait URL while in the queue: the position, and a hold message.</summary>
    public VoiceResponse Wait(string? language, string? position)
    {
        var response = new VoiceResponse();
        if (int.TryParse(position, CultureInfo.InvariantCulture, out var p) && p > 0)
        {
            Speak(response, language, T(language, "wait.position", p));
        }
        Speak(response, language, T(language, "wait.hold"));
        response.Pause(length: 20);
        return response;
    }

    /// <summary>An apology that still leads somewhere: used when a step fails.</summary>
    public VoiceResponse Apology(string? language)
    {
        var response = new VoiceResponse();
        var code = Language.Of(language).Code;
        Speak(response, code, T(code, "error.apology"));
        response.Enqueue(Line.City.Code + "-" + code, waitUrl: Step("wait", "?lang=" + code));
        return response;
    }

    /// <summary>A number read digit by digit: "1, 0, 0, 0, 0, 0, 2".</summary>
    public static string Digits(string number) => string.Join(", ", number.ToCharArray());
}
