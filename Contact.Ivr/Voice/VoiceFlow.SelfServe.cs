using Contact.Core.Infrastructure;
using Language = Contact.Core.Infrastructure.Language;
using Line = Contact.Core.Infrastructure.Line;
using System.Globalization;
using Contact.Core.ResourceDirectory;
using Contact.Core.Notifications;
using Contact.Core.Residents;
using Twilio.TwiML;

using static Contact.Ivr.Voice.VoicePrompts;

namespace Contact.Ivr.Voice;

/// <summary>
/// The 211 menu: find services near you. The caller picks one of the most-asked needs (or says it), gives a postal code
/// (said, or its first three characters keyed), hears the nearest services open now, and may have them texted, hear
/// the next ones or speak to an agent.
/// </summary>
public sealed partial class VoiceFlow
{
    private const int ServicesPerTurn = 3;
    private const string OtherHelpKey = "8";
    private const string StatusKey = "9";

    /// <summary>Main menu 2 (find community help): the 211 menu.</summary>
    public async Task<VoiceResponse> FindHelpAsync(CallRecord call, CancellationToken ct)
    {
        call.State.Line = Line.Community.Code;
        await calls.SaveAsync(call with { Line = call.Line ?? Line.Community.Code }, ct);
        return With(r => HelpMenu(r, call, 0));
    }

    private static string NeedName(string? language, string code) => T(language, "need." + code);

    private void HelpMenu(VoiceResponse response, CallRecord call, int retry)
    {
        var hints = string.Join(", ", NeedWords.All.Select(n => NeedWords.Fold(n.WordIn(Language.Of(call.Language)))));
        var gather = Keys(call.Language, Step("help", $"?retry={retry}"), speech: true, hints: hints);
        Speak(gather, call.Language, T(call.Language, "help.intro"));
        for (var i = 0; i < NeedWords.Keypad.Count; i++)
        {
            Speak(gather, call.Language, T(call.Language, "option", NeedName(call.Language, NeedWords.Keypad[i].Code), i + 1));
        }
        Speak(gather, call.Language, T(call.Language, "help.other", OtherHelpKey));
        Speak(gather, call.Language, T(call.Language, "help.status", StatusKey));
        response.Append(gather);
        response.Redirect(Step("help", $"?retry={retry + 1}&empty=1"));
    }

    /// <summary>A need chosen by key or said; 8 the other community help topics; 9 a request's status.</summary>
    public async Task<VoiceResponse> HelpAsync(CallRecord call, CallInput input, bool empty, CancellationToken ct)
    {
        if (input.Digits == OtherHelpKey)
        {
            call.State.Line = Line.Community.Code;
            call.State.Page = 0;
            await calls.SaveAsync(call, ct);
            return await report.CategoriesAsync(call, ct);
        }
        if (input.Digits == StatusKey)
        {
            return With(r => StatusPrompt(r, call));
        }
        Need? need = null;
        string? postal = null;
        if (int.TryParse(input.Digits, NumberStyles.None, CultureInfo.InvariantCulture, out var key) && key >= 1 && key <= NeedWords.Keypad.Count)
        {
            need = NeedWords.Keypad[key - 1];
        }
        else if (input.Speech is { } said && NeedWords.Parse(said) is { Needs.Count: > 0 } heard)
        {
            need = heard.Needs[0];
            postal = heard.PostalCode;
        }
        if (need is null)
        {
            return Retry(call, input.Retry, empty ? "input.none" : "input.wrong", r => HelpMenu(r, call, input.Retry + 1));
        }
        call.State.Need = need.Code;
        call.State.PostalCode = null;
        call.State.ServiceOffset = 0;
        call.State.ServicesFrom = NearbyCursor.Start;
        call.State.ServicesOpenNow = true;
        call.State.ServicesTexted = [];
        if (postal is not null)
        {
            // "Food near K1P 1J1" said at once: nothing more to ask.
            return await ServicesAsync(call, postal, lead: null, retry: 0, ct);
        }
        await calls.SaveAsync(call, ct);
        return With(r => PostalPrompt(r, call, 0));
    }

    private void PostalPrompt(VoiceResponse response, CallRecord call, int retry)
    {
        var gather = Keys(call.Language, Step("postal", $"?retry={retry}"), numDigits: null, speech: true, finishOnKey: "#");
        Speak(gather, call.Language, T(call.Language, "postal.prompt"));
        response.Append(gather);
        response.Redirect(Step("postal", $"?retry={retry + 1}&empty=1"));
    }

    /// <summary>The postal code: said (read by the same rules as a text), or its first three characters keyed.</summary>
    public async Task<VoiceResponse> PostalCodeAsync(CallRecord call, CallInput input, bool empty, CancellationToken ct)
    {
        if (NeedWords.Find(call.State.Need) is null)
        {
            return With(r => HelpMenu(r, call, 0));
        }
        string? postal = null;
        string? lead = null;
        if (input.Speech is { } said)
        {
            postal = NeedWords.PostalCodeFromSpeech(said);
        }
        else if (input.Digits is { } digits)
        {
            var known = await areas.KnownAsync(NeedWords.FsasForKeys(digits), ct);
            if (known.Count > 0)
            {
                postal = known[0].Fsa;
                lead = T(call.Language, "postal.keyed", Spell(known[0].Fsa), known[0].Name);
            }
        }
        if (postal is null)
        {
            return Retry(call, input.Retry, empty ? "input.none" : "postal.again", r => PostalPrompt(r, call, input.Retry + 1));
        }
        return await ServicesAsync(call, postal, lead, input.Retry, ct);
    }

    /// <summary>Reads the next services near <paramref name="postal"/> for the call's need, then what the caller can do next.</summary>
    private async Task<VoiceResponse> ServicesAsync(CallRecord call, string postal, string? lead, int retry, CancellationToken ct)
    {
        var state = call.State;
        var language = Language.Of(call.Language).Code;
        var need = NeedWords.Find(state.Need)!;
        // Nearest first and bounded: within 5 km, widening only when that does not fill the turn.
        var query = new DirectoryQuery(Terms: need.Terms, Language: language, PostalCode: postal, OpenNow: state.ServicesOpenNow,
            Limit: ServicesPerTurn);
        var result = await directory.SearchNearbyAsync(query, state.ServicesFrom, ct);
        if (result.Problem is not null)
        {
            await calls.SaveAsync(call, ct);
            return Retry(call, retry, "postal.unknown", r => PostalPrompt(r, call, retry + 1));
        }
        var response = new VoiceResponse();
        if (lead is not null)
        {
            Speak(response, language, lead);
        }
        var intro = state.ServiceOffset > 0 ? "services.more_intro" : "services.intro";
        if (result.Hits.Count == 0 && state.ServiceOffset == 0 && state.ServicesOpenNow)
        {
            // Nothing open now: the nearest that open later, with their hours.
            state.ServicesOpenNow = false;
            state.ServicesFrom = NearbyCursor.Start;
            result = await directory.SearchNearbyAsync(query with { OpenNow = false }, state.ServicesFrom, ct);
            intro = "services.none_open";
        }
        state.PostalCode = postal;
        if (result.Hits.Count == 0)
        {
            state.ServicesMore = false;
            state.ServicesHeard = [];
            await calls.SaveAsync(call, ct);
            return OfferAgent(call, T(call.Language, state.ServiceOffset > 0 ? "services.no_more" : "services.none", NeedName(call.Language, need.Code), Spell(postal)));
        }
        Speak(response, language, T(language, intro, NeedName(language, need.Code), Spell(postal)));
        for (var i = 0; i < result.Hits.Count; i++)
        {
            Speak(response, language, Spoken(language, state.ServiceOffset + i + 1, result.Hits[i]));
        }
        state.ServicesHeard = [.. result.Hits.Select(ServiceListing.Of)];
        state.ServicesAfter = result.Next(result.Hits.Count, state.ServicesFrom);
        state.ServicesMore = result.More;
        await calls.SaveAsync(call, ct);
        ServicesOptions(response, call, 0);
        return response;
    }

    /// <summary>One service as said: its number, name, address, phone digit by digit, and hours.</summary>
    private static string Spoken(string? language, int number, DirectoryHit hit)
    {
        var words = new List<string> { T(language, "services.item", number, ServiceListing.Of(hit).Name) };
        if (!string.IsNullOrWhiteSpace(hit.Address))
        {
            words.Add(T(language, "services.address", hit.Address));
        }
        if (PhoneDigits(hit.Phone) is { } phone)
        {
            words.Add(T(language, "services.phone", phone));
        }
        if (!string.IsNullOrWhiteSpace(hit.Hours))
        {
            words.Add(T(language, "services.hours", hit.Hours));
        }
        return string.Join(" ", words);
    }

    /// <summary>A phone number said digit by digit, without the country code: "6, 1, 3, 5, 5, 5, …".</summary>
    internal static string? PhoneDigits(string? phone)
    {
        var digits = new string([.. (phone ?? "").TakeWhile(c => !char.IsLetter(c)).Where(char.IsAsciiDigit)]);
        if (digits.Length == 11 && digits[0] == '1')
        {
            digits = digits[1..];
        }
        return digits.Length == 0 ? null : Digits(digits);
    }

    /// <summary>A postal code said character by character: "K, 1, P".</summary>
    private static string Spell(string postal) => string.Join(", ", postal.Where(c => c != ' '));

    private void ServicesOptions(VoiceResponse response, CallRecord call, int retry)
    {
        var gather = Keys(call.Language, Step("services-next", $"?retry={retry}"));
        if (CanText(call) && !call.State.ServicesTexted.Contains(call.State.ServiceOffset))
        {
            Speak(gather, call.Language, T(call.Language, "services.text_offer"));
        }
        if (call.State.ServicesMore)
        {
            Speak(gather, call.Language, T(call.Language, "services.next_offer"));
        }
        Speak(gather, call.Language, T(call.Language, "services.agent_offer"));
        response.Append(gather);
        response.Redirect(Step("services-next", $"?retry={retry + 1}&empty=1"));
    }

    private static bool CanText(CallRecord call) =>
        PhoneNumberNormaliser.ToE164(call.FromNumber) is { } number && PhoneNumberNormaliser.CanReceiveTexts(number);

    /// <summary>After the services: 1 have them texted, 2 hear the next ones (0, an agent, is taken before this).</summary>
    public async Task<VoiceResponse> ServicesNextAsync(CallRecord call, CallInput input, bool empty, CancellationToken ct)
    {
        var state = call.State;
        if (NeedWords.Find(state.Need) is not { } need || state.PostalCode is null)
        {
            return With(r => HelpMenu(r, call, 0));
        }
        if (input.Digits == "1" && CanText(call) && state.ServicesHeard.Count > 0)
        {
            var response = new VoiceResponse();
            if (!state.ServicesTexted.Contains(state.ServiceOffset))
            {
                var language = Language.Of(call.Language);
                var header = Outbox.Render(Outbox.DirectoryServicesKind, language, need.WordIn(language), state.PostalCode);
                var fitted = ServiceListText.Fit(header, state.ServicesHeard, null, firstNumber: state.ServiceOffset + 1);
                state.ServicesTexted.Add(state.ServiceOffset);
                // Keyed on the call and the list: a retried webhook never texts the same list twice.
                var key = string.Join(':', "call", call.CallSid, "services", state.Need, state.PostalCode, state.ServiceOffset.ToString(CultureInfo.InvariantCulture));
                await calls.TextServicesAsync(call, PhoneNumberNormaliser.ToE164(call.FromNumber)!, language.Code, fitted.Text, key.Length > 200 ? key[..200] : key, ct);
            }
            Speak(response, call.Language, T(call.Language, "services.texted"));
            ServicesOptions(response, call, 0);
            return response;
        }
        if (input.Digits == "2" && state.ServicesMore)
        {
            state.ServiceOffset += state.ServicesHeard.Count;
            state.ServicesFrom = state.ServicesAfter;
            return await ServicesAsync(call, state.PostalCode, lead: null, retry: 0, ct);
        }
        return Retry(call, input.Retry, empty ? "input.none" : "input.wrong", r => ServicesOptions(r, call, input.Retry + 1));
    }
}
