using Contact.Core.Infrastructure;
using Twilio.TwiML;
using Twilio.TwiML.Voice;
using Language = Contact.Core.Infrastructure.Language;

namespace Contact.Ivr.Voice;

/// <summary>The TwiML every step of a call is made of: words in the call's language, keys to press, a retry, an agent.</summary>
internal static class VoicePrompts
{
    internal const int MaxRetries = 2;

    internal static Uri Step(string step, string query = "") => new(VoiceFlow.Base + "/" + step + query, UriKind.Relative);

    internal static bool French(string? language) => Language.Of(language) == Language.French;

    internal static Say.LanguageEnum SayLanguage(string? language) => French(language) ? Say.LanguageEnum.FrCa : Say.LanguageEnum.EnCa;

    internal static Gather.LanguageEnum GatherLanguage(string? language) => French(language) ? Gather.LanguageEnum.FrCa : Gather.LanguageEnum.EnCa;

    internal static Say.VoiceEnum? Voice(string? language) => French(language) ? Say.VoiceEnum.GoogleFrCaStandardA : null;

    internal static readonly ResourceTexts Texts = ResourceTexts.Of<VoiceText>();

    /// <summary>The words said in the call's language, given explicitly (never the thread's culture).</summary>
    internal static string T(string? language, string key, params object[] args) => Texts.Get(Language.Of(language), key, args);

    internal static void Speak(TwiML node, string? language, string words)
    {
        var say = new Say(words, voice: Voice(language), language: SayLanguage(language));
        node.Append(say);
    }

    internal static Gather Keys(string? language, Uri action, int? numDigits = 1, bool speech = false, string? hints = null, string? finishOnKey = null) => new(
        input: speech ? [Gather.InputEnum.Dtmf, Gather.InputEnum.Speech] : [Gather.InputEnum.Dtmf],
        action: action, numDigits: numDigits, timeout: 6, speechTimeout: speech ? "auto" : null,
        language: GatherLanguage(language), hints: hints, finishOnKey: finishOnKey, actionOnEmptyResult: false);

    /// <summary>A step asked again with the reason first, at most twice; then an agent or goodbye.</summary>
    internal static VoiceResponse Retry(CallRecord call, int retry, string reason, Action<VoiceResponse> prompt)
    {
        if (retry >= MaxRetries)
        {
            return OfferAgent(call, T(call.Language, reason));
        }
        var response = new VoiceResponse();
        Speak(response, call.Language, T(call.Language, reason));
        prompt(response);
        return response;
    }

    internal static VoiceResponse With(Action<VoiceResponse> prompt)
    {
        var response = new VoiceResponse();
        prompt(response);
        return response;
    }

    internal static VoiceResponse OfferAgent(CallRecord call, string? lead = null)
    {
        var response = new VoiceResponse();
        if (lead is not null)
        {
            Speak(response, call.Language, lead);
        }
        var gather = Keys(call.Language, Step("agent-offer"));
        Speak(gather, call.Language, T(call.Language, "agent.offer"));
        response.Append(gather);
        Speak(response, call.Language, T(call.Language, "goodbye"));
        response.Hangup();
        return response;
    }
}
