using System.Globalization;
using Contact.Core.Infrastructure;
using Language = Contact.Core.Infrastructure.Language;
using Line = Contact.Core.Infrastructure.Line;
using Contact.Core.Cases;
using Contact.Core.Catalog;
using Contact.Core.ResourceDirectory;
using Contact.Core.Residents;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging;
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
public sealed partial class VoiceFlow(CallStore calls, CatalogStore catalog, CaseIntake intake, CaseQueries cases, DirectorySearch directory, PostalAreaLookup areas,
    ILogger<VoiceFlow> logger)
{
    public const string Base = "/twilio/voice";
    private const int MaxRetries = 2;
    private const int PageSize = 8;

    private static Uri Step(string step, string query = "") => new(Base + "/" + step + query, UriKind.Relative);

    private static bool French(string? language) => Language.Of(language) == Language.French;

    private static Say.LanguageEnum SayLanguage(string? language) => French(language) ? Say.LanguageEnum.FrCa : Say.LanguageEnum.EnCa;

    private static Gather.LanguageEnum GatherLanguage(string? language) => French(language) ? Gather.LanguageEnum.FrCa : Gather.LanguageEnum.EnCa;

    private static Say.VoiceEnum? Voice(string? language) => French(language) ? Say.VoiceEnum.GoogleFrCaStandardA : null;

    private static readonly LocalizedTexts Texts = LocalizedTexts.Of<VoiceText>();

    /// <summary>The words said in the call's language, given explicitly (never the thread's culture).</summary>
    private static string T(string? language, string key, params object[] args) => Texts.Get(Language.Of(language), key, args);

    private static void Speak(TwiML node, string? language, string words)
    {
        var say = new Say(words, voice: Voice(language), language: SayLanguage(language));
        node.Append(say);
    }

    private static Gather Keys(string? language, Uri action, int? numDigits = 1, bool speech = false, string? hints = null, string? finishOnKey = null) => new(
        input: speech ? [Gather.InputEnum.Dtmf, Gather.InputEnum.Speech] : [Gather.InputEnum.Dtmf],
        action: action, numDigits: numDigits, timeout: 6, speechTimeout: speech ? "auto" : null,
        language: GatherLanguage(language), hints: hints, finishOnKey: finishOnKey, actionOnEmptyResult: false);

    /// <summary>A step asked again with the reason first, at most twice; then an agent or goodbye.</summary>
    private VoiceResponse Retry(CallRecord call, int retry, string reason, Action<VoiceResponse> prompt)
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

    private static VoiceResponse With(Action<VoiceResponse> prompt)
    {
        var response = new VoiceResponse();
        prompt(response);
        return response;
    }

    private VoiceResponse OfferAgent(CallRecord call, string? lead = null)
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

    /// <summary>The main menu: 1 report (311), 2 find help (211), 3 status, 0 agent.</summary>
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
                return await CategoriesAsync(call, ct);
            case "3":
                return With(r => StatusPrompt(r, call));
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

    private async Task<IReadOnlyList<Category>> LineCategoriesAsync(CallRecord call, CancellationToken ct) =>
        [.. (await catalog.GetAsync(ct)).Categories.Where(c => c.Line == call.State.Line)];

    /// <summary>A page of the line's categories by keypad, or say what it is about.</summary>
    public async Task<VoiceResponse> CategoriesAsync(CallRecord call, CancellationToken ct, int retry = 0, string? lead = null)
    {
        var all = await LineCategoriesAsync(call, ct);
        var page = all.Skip(call.State.Page * PageSize).Take(PageSize).ToList();
        var response = new VoiceResponse();
        if (lead is not null)
        {
            Speak(response, call.Language, T(call.Language, lead));
        }
        var hints = string.Join(", ", all.SelectMany(c => French(call.Language) ? c.KeywordsFr : c.KeywordsEn).Distinct().Take(80));
        var gather = Keys(call.Language, Step("category", $"?retry={retry}"), speech: true, hints: hints);
        Speak(gather, call.Language, T(call.Language, "category.intro"));
        for (var i = 0; i < page.Count; i++)
        {
            Speak(gather, call.Language, T(call.Language, "option", page[i].Name.In(call.Language!), i + 1));
        }
        if (all.Count > (call.State.Page + 1) * PageSize)
        {
            Speak(gather, call.Language, T(call.Language, "category.more"));
        }
        response.Append(gather);
        response.Redirect(Step("category", $"?retry={retry + 1}&empty=1"));
        return response;
    }

    /// <summary>A category chosen by key or by voice (confirmed back), or the next page.</summary>
    public async Task<VoiceResponse> CategoryAsync(CallRecord call, CallInput input, bool empty, CancellationToken ct)
    {
        var all = await LineCategoriesAsync(call, ct);
        if (input.Digits == "9" && all.Count > (call.State.Page + 1) * PageSize)
        {
            call.State.Page++;
            await calls.SaveAsync(call, ct);
            return await CategoriesAsync(call, ct);
        }
        if (int.TryParse(input.Digits, CultureInfo.InvariantCulture, out var key) && key is >= 1 and <= PageSize
            && all.Skip(call.State.Page * PageSize).Skip(key - 1).FirstOrDefault() is { } chosen)
        {
            return await ChosenAsync(call, chosen, ct);
        }
        if (!string.IsNullOrWhiteSpace(input.Speech))
        {
            var heard = (await catalog.GetAsync(ct)).Search(input.Speech).FirstOrDefault(c => c.Line == call.State.Line);
            if (heard is not null)
            {
                call.State.PendingCategory = heard.Code;
                await calls.SaveAsync(call, ct);
                var response = new VoiceResponse();
                var gather = Keys(call.Language, Step("category-confirm"));
                Speak(gather, call.Language, T(call.Language, "category.heard", heard.Name.In(call.Language!)));
                response.Append(gather);
                response.Redirect(Step("category-confirm", "?empty=1"));
                return response;
            }
        }
        if (input.Retry >= MaxRetries)
        {
            return OfferAgent(call, T(call.Language, empty ? "input.none" : "input.wrong"));
        }
        return await CategoriesAsync(call, ct, input.Retry + 1, empty ? "input.none" : "input.wrong");
    }

    /// <summary>Yes (1) to the category heard, or back to the list.</summary>
    public async Task<VoiceResponse> CategoryConfirmAsync(CallRecord call, CallInput input, CancellationToken ct)
    {
        var category = (await catalog.GetAsync(ct)).Find(call.State.PendingCategory);
        if (input.Digits == "1" && category is not null)
        {
            return await ChosenAsync(call, category, ct);
        }
        call.State.PendingCategory = null;
        await calls.SaveAsync(call, ct);
        return await CategoriesAsync(call, ct);
    }

    private async Task<VoiceResponse> ChosenAsync(CallRecord call, Category category, CancellationToken ct)
    {
        call.State.Category = category.Code;
        call.State.PendingCategory = null;
        call.State.Question = 0;
        await calls.SaveAsync(call, ct);
        return Next(call, category);
    }

    private static List<CategoryQuestion> PhoneQuestions(Category category) =>
        [.. category.Questions.Where(q => q.Required && CaseValidator.SuitsPhone(q))];

    /// <summary>Whatever the report still needs: a question, the address, the recording, the callback number.</summary>
    private VoiceResponse Next(CallRecord call, Category category)
    {
        var questions = PhoneQuestions(category);
        if (call.State.Question < questions.Count)
        {
            return With(r => QuestionPrompt(r, call, questions[call.State.Question], 0));
        }
        if (category.LocationRequired && call.State.Address is null)
        {
            return With(r => AddressPrompt(r, call, 0));
        }
        if (call.State.RecordingUrl is null)
        {
            var response = new VoiceResponse();
            Speak(response, call.Language, T(call.Language, "describe.prompt"));
            response.Record(action: Step("recorded"), maxLength: 120, finishOnKey: "#", playBeep: true, timeout: 5);
            response.Redirect(Step("recorded", "?empty=1"));
            return response;
        }
        return CallbackPrompt(call);
    }

    private void QuestionPrompt(VoiceResponse response, CallRecord call, CategoryQuestion question, int retry)
    {
        if (question.Datatype == "number")
        {
            var gather = Keys(call.Language, Step("question", $"?retry={retry}"), numDigits: null, finishOnKey: "#");
            Speak(gather, call.Language, question.Prompt.In(call.Language!) + " " + T(call.Language, "question.number"));
            response.Append(gather);
        }
        else
        {
            var gather = Keys(call.Language, Step("question", $"?retry={retry}"));
            Speak(gather, call.Language, question.Prompt.In(call.Language!));
            for (var i = 0; i < Math.Min(9, question.Choices.Count); i++)
            {
                Speak(gather, call.Language, T(call.Language, "option", question.Choices[i].Name.In(call.Language!), i + 1));
            }
            response.Append(gather);
        }
        response.Redirect(Step("question", $"?retry={retry + 1}&empty=1"));
    }

    /// <summary>An answer to the current question.</summary>
    public async Task<VoiceResponse> QuestionAsync(CallRecord call, CallInput input, bool empty, CancellationToken ct)
    {
        var category = (await catalog.GetAsync(ct)).Find(call.State.Category);
        if (category is null)
        {
            return await CategoriesAsync(call, ct);
        }
        var questions = PhoneQuestions(category);
        if (call.State.Question >= questions.Count)
        {
            return Next(call, category);
        }
        var question = questions[call.State.Question];
        string? answer = null;
        if (question.Datatype == "number" && decimal.TryParse(input.Digits, CultureInfo.InvariantCulture, out var n))
        {
            answer = n.ToString(CultureInfo.InvariantCulture);
        }
        else if (int.TryParse(input.Digits, CultureInfo.InvariantCulture, out var key) && key >= 1 && key <= Math.Min(9, question.Choices.Count))
        {
            answer = question.Choices[key - 1].Key;
        }
        if (answer is null)
        {
            return Retry(call, input.Retry, empty ? "input.none" : "input.wrong", r => QuestionPrompt(r, call, question, input.Retry + 1));
        }
        call.State.Answers[question.Code] = answer;
        call.State.Question++;
        await calls.SaveAsync(call, ct);
        return Next(call, category);
    }

    private void AddressPrompt(VoiceResponse response, CallRecord call, int retry)
    {
        var gather = Keys(call.Language, Step("address", $"?retry={retry}"), numDigits: null, speech: true);
        Speak(gather, call.Language, T(call.Language, "address.prompt"));
        response.Append(gather);
        response.Redirect(Step("address", $"?retry={retry + 1}&empty=1"));
    }

    /// <summary>The address as said: read back for confirmation.</summary>
    public async Task<VoiceResponse> AddressAsync(CallRecord call, CallInput input, bool empty, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(input.Speech))
        {
            return Retry(call, input.Retry, empty ? "input.none" : "address.again", r => AddressPrompt(r, call, input.Retry + 1));
        }
        call.State.PendingAddress = input.Speech.Trim().TrimEnd('.');
        await calls.SaveAsync(call, ct);
        var response = new VoiceResponse();
        var gather = Keys(call.Language, Step("address-confirm"));
        Speak(gather, call.Language, T(call.Language, "address.heard", call.State.PendingAddress));
        response.Append(gather);
        response.Redirect(Step("address-confirm", "?empty=1"));
        return response;
    }

    /// <summary>1 keeps the address heard; 2 (or anything else) asks for it again.</summary>
    public async Task<VoiceResponse> AddressConfirmAsync(CallRecord call, CallInput input, CancellationToken ct)
    {
        var category = (await catalog.GetAsync(ct)).Find(call.State.Category);
        if (category is null)
        {
            return await CategoriesAsync(call, ct);
        }
        if (input.Digits == "1" && call.State.PendingAddress is not null)
        {
            call.State.Address = call.State.PendingAddress;
            call.State.PendingAddress = null;
            await calls.SaveAsync(call, ct);
            return Next(call, category);
        }
        call.State.PendingAddress = null;
        await calls.SaveAsync(call, ct);
        return With(r => AddressPrompt(r, call, 0));
    }

    /// <summary>The recording's URL; then the callback number.</summary>
    public async Task<VoiceResponse> RecordedAsync(CallRecord call, CallInput input, CancellationToken ct)
    {
        // No recording (silence) is fine: the description stays empty.
        call.State.RecordingUrl = string.IsNullOrWhiteSpace(input.RecordingUrl) ? "" : input.RecordingUrl;
        await calls.SaveAsync(call, ct);
        return CallbackPrompt(call);
    }

    private VoiceResponse CallbackPrompt(CallRecord call)
    {
        var response = new VoiceResponse();
        var caller = PhoneNumberNormaliser.ToE164(call.FromNumber);
        if (caller is null)
        {
            return With(r => CallbackEntryPrompt(r, call, 0));
        }
        var gather = Keys(call.Language, Step("callback"));
        Speak(gather, call.Language, T(call.Language, "callback.confirm", Digits(caller[^4..])));
        response.Append(gather);
        response.Redirect(Step("callback", "?empty=1"));
        return response;
    }

    private void CallbackEntryPrompt(VoiceResponse response, CallRecord call, int retry)
    {
        var gather = Keys(call.Language, Step("callback-number", $"?retry={retry}"), numDigits: null, finishOnKey: "#");
        Speak(gather, call.Language, T(call.Language, "callback.enter"));
        response.Append(gather);
        response.Redirect(Step("callback-number", $"?retry={retry + 1}&empty=1"));
    }

    /// <summary>1 keeps the caller ID as the callback number; 2 keys another; no answer keeps it.</summary>
    public async Task<VoiceResponse> CallbackAsync(CallRecord call, CallInput input, CancellationToken ct)
    {
        if (input.Digits == "2")
        {
            return With(r => CallbackEntryPrompt(r, call, 0));
        }
        call.State.Callback = PhoneNumberNormaliser.ToE164(call.FromNumber);
        return await CreateAsync(call, ct);
    }

    /// <summary>A callback number keyed in.</summary>
    public async Task<VoiceResponse> CallbackNumberAsync(CallRecord call, CallInput input, bool empty, CancellationToken ct)
    {
        var number = PhoneNumberNormaliser.ToE164(input.Digits);
        if (number is null)
        {
            if (input.Retry >= MaxRetries)
            {
                // Still no number: file the report without one rather than lose it.
                return await CreateAsync(call, ct);
            }
            return Retry(call, 0, empty ? "input.none" : "callback.invalid", r => CallbackEntryPrompt(r, call, input.Retry + 1));
        }
        call.State.Callback = number;
        return await CreateAsync(call, ct);
    }

    private async Task<VoiceResponse> CreateAsync(CallRecord call, CancellationToken ct)
    {
        var category = (await catalog.GetAsync(ct)).Find(call.State.Category);
        if (category is null)
        {
            return await CategoriesAsync(call, ct);
        }
        var media = string.IsNullOrEmpty(call.State.RecordingUrl) ? null : new[] { new CaseMediaItem("recording", call.State.RecordingUrl, "audio/wav") };
        var result = await intake.SubmitAsync(new NewCase(
            category.Code, "phone", call.Language,
            Description: media is null ? "" : T(call.Language, "case.recorded_description"),
            Answers: call.State.Answers.ToDictionary(a => a.Key, a => (IReadOnlyList<string>)[a.Value]),
            Address: call.State.Address,
            Phone: call.State.Callback,
            IdempotencyKey: "call:" + call.CallSid,
            Media: media), "resident", ct);
        if (result.Case is not { } created)
        {
            logger.LogWarning("Call {CallSid}: the report was refused: {Errors}", call.CallSid, string.Join(", ", result.Errors.Select(e => e.Code)));
            return OfferAgent(call, T(call.Language, "case.failed"));
        }
        call.State.CaseNumber = created.Number;
        await calls.SaveAsync(call with { CaseId = created.Id }, ct);
        var response = new VoiceResponse();
        var spoken = Digits(created.Number);
        Speak(response, call.Language, T(call.Language, "case.created", spoken));
        Speak(response, call.Language, T(call.Language, "case.again", spoken));
        if (call.State.Callback is not null)
        {
            var gather = Keys(call.Language, Step("texts"));
            Speak(gather, call.Language, T(call.Language, "texts.offer"));
            response.Append(gather);
        }
        Speak(response, call.Language, T(call.Language, "goodbye"));
        response.Hangup();
        return response;
    }

    /// <summary>1: the caller agrees to texts about their case.</summary>
    public async Task<VoiceResponse> TextsAsync(CallRecord call, CallInput input, CancellationToken ct)
    {
        var response = new VoiceResponse();
        if (input.Digits == "1" && call.CaseId is long caseId)
        {
            await calls.ConsentToTextsAsync(caseId, ct);
            Speak(response, call.Language, T(call.Language, "texts.thanks"));
        }
        Speak(response, call.Language, T(call.Language, "goodbye"));
        response.Hangup();
        return response;
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
    public async Task<VoiceResponse> AgentAsync(CallRecord call, CancellationToken ct)
    {
        var line = call.State.Line ?? call.Line ?? Line.City.Code;
        var language = Language.Of(call.Language).Code;
        var result = await intake.SubmitAsync(new NewCase(
            "general-" + line, "phone", language, Description: T(language, "agent.case_description"),
            Phone: PhoneNumberNormaliser.ToE164(call.FromNumber), IdempotencyKey: "call-agent:" + call.CallSid), "resident", ct);
        if (result.Case is { } waiting)
        {
            await calls.SaveAsync(call with { CaseId = call.CaseId ?? waiting.Id }, ct);
        }
        var response = new VoiceResponse();
        Speak(response, language, T(language, "agent.connecting"));
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
