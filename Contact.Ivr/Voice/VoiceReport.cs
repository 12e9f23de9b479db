using System.Globalization;
using Contact.Core.Cases;
using Contact.Core.Catalog;
using Contact.Core.Infrastructure;
using Contact.Core.Residents;
using Microsoft.Extensions.Logging;
using Twilio.TwiML;
using Twilio.TwiML.Voice;
using static Contact.Ivr.Voice.VoicePrompts;
using Language = Contact.Core.Infrastructure.Language;
using Line = Contact.Core.Infrastructure.Line;

namespace Contact.Ivr.Voice;

/// <summary>
/// Reporting a problem by phone: the line's categories by keypad or by voice, the category's questions, the address,
/// a recording, a number to call back, then the case and its number read out. Each step is a webhook URL with one
/// handler here.
/// </summary>
public sealed class VoiceReport(CallStore calls, CatalogStore catalog, CaseIntake intake, ILogger<VoiceReport> logger)
{
    private const int PageSize = 8;

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
        Speak(gather, call.Language, T(call.Language, "callback.confirm", VoiceFlow.Digits(caller[^4..])));
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
        var spoken = VoiceFlow.Digits(created.Number);
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
}
