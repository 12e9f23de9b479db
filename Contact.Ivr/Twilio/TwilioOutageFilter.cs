using System.Globalization;
using Contact.Core.Infrastructure;
using Language = Contact.Core.Infrastructure.Language;
using Contact.Ivr.Sms;
using Contact.Ivr.Voice;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Twilio.TwiML;
using Twilio.TwiML.Voice;

namespace Contact.Ivr.Twilio;

/// <summary>
/// Every Twilio webhook while the case store is down (see <see cref="DatabaseUnavailable"/>): instead of an HTTP 500,
/// which a caller hears as Twilio's application error, it answers 200 with TwiML. A call hears an apology and is put
/// through to Twilio:OverflowNumber, or asked to call back later, then hung up; a text is answered with an apology; a
/// status callback gets an empty response. In the caller's language when the request shows it, else English then French.
/// </summary>
public sealed class TwilioOutageFilter(IOptions<TwilioOptions> options, ILogger<TwilioOutageFilter> logger) : IEndpointFilter
{
    private static readonly ResourceTexts VoiceReplies = ResourceTexts.Of<VoiceText>();
    private static readonly ResourceTexts SmsReplies = ResourceTexts.Of<SmsText>();

    /// <summary>Runs the webhook; a database outage becomes the outage reply.</summary>
    /// <param name="context">The webhook's invocation.</param>
    /// <param name="next">The webhook itself.</param>
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (Exception e) when (DatabaseUnavailable.Is(e))
        {
            var http = context.HttpContext;
            var path = http.Request.Path.Value ?? "";
            logger.LogError(e, "The case store is unavailable: answering {Path} with the outage reply", path);
            var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(http.RequestAborted) : null;
            if (path.EndsWith("/status", StringComparison.Ordinal))
            {
                // Nothing to say to a status callback; Twilio only wants it taken.
                return Xml(new VoiceResponse().ToString());
            }
            var language = LanguageOf(http.Request.Query, form, path);
            return path.EndsWith("/sms", StringComparison.Ordinal)
                ? Xml(TextReply(language))
                : Xml(CallReply(language).ToString());
        }
    }

    /// <summary>The language the request itself shows: ?lang=, or the choice made at the language menu; null when unknown.</summary>
    /// <param name="query">The webhook's query string.</param>
    /// <param name="form">Its form fields, if any.</param>
    /// <param name="path">Its path.</param>
    public static Language? LanguageOf(IQueryCollection query, IFormCollection? form, string path)
    {
        if (Language.IsCode(query["lang"].ToString()))
        {
            return Language.Of(query["lang"].ToString());
        }
        return form is not null && path.EndsWith("/voice/language", StringComparison.Ordinal)
            && VoiceFlow.LanguageChosen(form["Digits"].ToString(), form["SpeechResult"].ToString()) is { } chosen
            ? Language.Of(chosen)
            : null;
    }

    /// <summary>An apology, then the overflow number or a request to call back, then hang up.</summary>
    /// <param name="language">The caller's language, or null for both (English first).</param>
    public VoiceResponse CallReply(Language? language)
    {
        var overflow = options.Value.OverflowNumber;
        var response = new VoiceResponse();
        foreach (var l in language is { } one ? [one] : Language.All)
        {
            var words = In(VoiceReplies, l, "outage.apology") + " " + In(VoiceReplies, l, string.IsNullOrEmpty(overflow) ? "outage.call_back" : "outage.transfer");
            response.Say(words, voice: l == Language.French ? Say.VoiceEnum.GoogleFrCaStandardA : null, language: l == Language.French ? Say.LanguageEnum.FrCa : Say.LanguageEnum.EnCa);
        }
        if (!string.IsNullOrEmpty(overflow))
        {
            response.Dial(overflow);
        }
        response.Hangup();
        return response;
    }

    /// <summary>A text's answer: an apology, and the overflow number to call when there is one.</summary>
    /// <param name="language">The texter's language, or null for both (English first).</param>
    public string TextReply(Language? language)
    {
        var overflow = options.Value.OverflowNumber;
        var words = (language is { } one ? [one] : Language.All)
            .Select(l => string.IsNullOrEmpty(overflow) ? In(SmsReplies, l, "outage.apology") : In(SmsReplies, l, "outage.apology_call", overflow));
        var response = new MessagingResponse();
        response.Message(string.Join("\n", words));
        return response.ToString();
    }

    private static string In(ResourceTexts text, Language language, string key, params object[] args) =>
        text.Get(language, key, args);

    private static IResult Xml(string twiml) => Results.Text(twiml, "application/xml; charset=utf-8");
}
