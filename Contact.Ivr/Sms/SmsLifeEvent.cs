using System.Globalization;
using System.Text;
using Contact.Core.Catalog;
using Contact.Core.Infrastructure;
using Contact.Core.LifeEvents;
using Contact.Core.Notifications;
using Microsoft.Extensions.Logging;
using static Contact.Ivr.Sms.SmsWords;

namespace Contact.Ivr.Sms;

/// <summary>
/// A life event told by text: its keyword ("MOVING", "DÉMÉNAGEMENT") starts it; the shared questions come one at a
/// time, then the services as a numbered list ("reply with the numbers to leave out, or YES"), then each chosen
/// service's required questions and the name when a service receives it, and one request number. Every reply fits
/// the text budget (<see cref="SmsSegments.Budget"/> segments).
/// </summary>
public sealed class SmsLifeEvent(LifeEventIntake intake, ILogger<SmsLifeEvent> logger)
{
    /// <summary>The life event a whole text names by one of its keywords or its name, and the language of the word.</summary>
    internal static (LifeEvent LifeEvent, Language? Language)? Named(string body, CatalogSnapshot snapshot)
    {
        var folded = CatalogSnapshot.Fold(body.Trim().TrimEnd('.', '!', '?'));
        foreach (var e in snapshot.LifeEvents)
        {
            var english = e.KeywordsEn.Append(e.Name.En).Any(k => CatalogSnapshot.Fold(k) == folded);
            var french = e.KeywordsFr.Append(e.Name.Fr).Any(k => CatalogSnapshot.Fold(k) == folded);
            if (english || french)
            {
                return (e, english && french ? null : french ? Language.French : Language.English);
            }
        }
        return null;
    }

    /// <summary>Starts telling <paramref name="lifeEvent"/>: a fresh conversation, and its first question.</summary>
    internal string Start(SmsTurn turn, LifeEvent lifeEvent, Language? language)
    {
        turn.Language = language ?? turn.Language;
        turn.State = new SmsState { FirstSid = turn.Input.MessageSid, FirstText = turn.Input.Body, LifeEvent = new SmsLifeEventState { Code = lifeEvent.Code } };
        turn.Started = true;
        logger.LogInformation("Text conversation {MessageSid}: life event {LifeEvent} started", turn.Input.MessageSid, lifeEvent.Code);
        var intro = T(turn.Language, "life.start", lifeEvent.Name.In(turn.Language), lifeEvent.Services.Count);
        return Next(turn, lifeEvent, intro);
    }

    /// <summary>Answers a text in a life event's conversation.</summary>
    internal async Task<string> ConverseAsync(SmsTurn turn, CatalogSnapshot snapshot, CancellationToken ct)
    {
        var state = turn.State.LifeEvent!;
        var lifeEvent = snapshot.FindLifeEvent(state.Code);
        if (lifeEvent is null)
        {
            turn.State = new SmsState();
            return T(turn.Language, "life.gone");
        }
        var body = turn.Input.Body.Trim();
        switch (turn.State.Step)
        {
            case SmsStep.LifeEventShared:
            {
                var questions = lifeEvent.Questions;
                if (state.Question >= questions.Count)
                {
                    return Next(turn, lifeEvent, null);
                }
                var question = questions[state.Question];
                if (!question.Required && SkipWords.Contains(Word(body)))
                {
                    state.Question++;
                    return Next(turn, lifeEvent, null);
                }
                var (values, error) = SmsReport.ParseAnswer(question, body);
                if (values is null)
                {
                    return Lead(T(turn.Language, error!), SharedPrompt(turn.Language, question));
                }
                state.Shared[question.Code] = values;
                state.Question++;
                return Next(turn, lifeEvent, null);
            }
            case SmsStep.LifeEventServices:
            {
                var word = Word(body);
                if (YesWords.Contains(word) && word != "1")
                {
                    state.LeftOut = [];
                }
                else
                {
                    if (Numbers(body, lifeEvent.Services.Count) is not { Count: > 0 } picked)
                    {
                        return ServicesAgain(turn.Language, lifeEvent, "life.services_wrong");
                    }
                    var left = picked.Select(n => lifeEvent.Services[n - 1].Category.Code).ToList();
                    if (left.Distinct().Count() >= lifeEvent.Services.Count)
                    {
                        return ServicesAgain(turn.Language, lifeEvent, "life.services_none");
                    }
                    state.LeftOut = [.. left.Distinct()];
                }
                turn.State.Step = SmsStep.LifeEventOwn;
                state.Question = 0;
                return await NextAsync(turn, lifeEvent, null, ct);
            }
            case SmsStep.LifeEventOwn:
            {
                var own = OwnQuestions(lifeEvent, state);
                if (state.Question < own.Count)
                {
                    var (service, question) = own[state.Question];
                    var (values, error) = SmsReport.ParseAnswer(question, body);
                    if (values is null)
                    {
                        return Lead(T(turn.Language, error!), OwnPrompt(turn.Language, service, question));
                    }
                    if (!state.Own.TryGetValue(service.Category.Code, out var answers))
                    {
                        state.Own[service.Category.Code] = answers = [];
                    }
                    answers[question.Code] = values;
                    state.Question++;
                }
                return await NextAsync(turn, lifeEvent, null, ct);
            }
            case SmsStep.LifeEventName:
                if (body.Length is 0 or > 200)
                {
                    return T(turn.Language, "life.name_ask");
                }
                state.Name = body;
                return await NextAsync(turn, lifeEvent, null, ct);
            default:
                turn.State = new SmsState();
                return T(turn.Language, "life.gone");
        }
    }

    /// <summary>The next shared question, or the list of services once they are all answered.</summary>
    private static string Next(SmsTurn turn, LifeEvent lifeEvent, string? lead)
    {
        var state = turn.State.LifeEvent!;
        if (state.Question < lifeEvent.Questions.Count)
        {
            turn.State.Step = SmsStep.LifeEventShared;
            return Lead(lead, SharedPrompt(turn.Language, lifeEvent.Questions[state.Question]));
        }
        turn.State.Step = SmsStep.LifeEventServices;
        return Lead(lead, ServicesPrompt(turn.Language, lifeEvent));
    }

    /// <summary>After the services: their own questions, the name, then the request.</summary>
    private async Task<string> NextAsync(SmsTurn turn, LifeEvent lifeEvent, string? lead, CancellationToken ct)
    {
        var state = turn.State.LifeEvent!;
        var own = OwnQuestions(lifeEvent, state);
        if (state.Question < own.Count)
        {
            turn.State.Step = SmsStep.LifeEventOwn;
            var (service, question) = own[state.Question];
            return Lead(lead, OwnPrompt(turn.Language, service, question));
        }
        if (state.Name is null && Chosen(lifeEvent, state).Any(s => s.Receives.Contains("name")))
        {
            turn.State.Step = SmsStep.LifeEventName;
            return Lead(lead, T(turn.Language, "life.name_ask"));
        }
        return await FileAsync(turn, lifeEvent, ct);
    }

    private async Task<string> FileAsync(SmsTurn turn, LifeEvent lifeEvent, CancellationToken ct)
    {
        var state = turn.State.LifeEvent!;
        var chosen = Chosen(lifeEvent, state);
        var result = await intake.SubmitAsync(lifeEvent.Code, new LifeEventRequest(
            "sms", turn.Language.Code,
            state.Shared.ToDictionary(a => a.Key, a => (IReadOnlyList<string>)a.Value),
            [.. chosen.Select(s => s.Category.Code)],
            state.Own.Where(a => chosen.Any(s => s.Category.Code == a.Key)).ToDictionary(
                a => a.Key, a => (IReadOnlyDictionary<string, IReadOnlyList<string>>)a.Value.ToDictionary(x => x.Key, x => (IReadOnlyList<string>)x.Value)),
            Name: state.Name, Phone: turn.Input.From, NotifyConsent: true, IdempotencyKey: "sms:" + turn.State.FirstSid), "resident", ct);
        turn.State = new SmsState();
        if (result.Filed is { } filed)
        {
            // The conversation ends with its case; the next text starts afresh.
            turn.CaseId = filed.Id;
            return T(turn.Language, "life.filed", filed.Number, chosen.Count);
        }
        logger.LogWarning("Life event {LifeEvent} by text refused: {Errors}", lifeEvent.Code, string.Join(", ", result.Errors.Select(e => e.Field + " " + e.Code)));
        return T(turn.Language, "life.refused", lifeEvent.Line);
    }

    private static List<LifeEventService> Chosen(LifeEvent lifeEvent, SmsLifeEventState state) =>
        [.. lifeEvent.Services.Where(s => !state.LeftOut.Contains(s.Category.Code))];

    /// <summary>By text, each chosen service's required questions; an agent or the provider asks the rest.</summary>
    private static List<(LifeEventService Service, CategoryQuestion Question)> OwnQuestions(LifeEvent lifeEvent, SmsLifeEventState state) =>
        [.. Chosen(lifeEvent, state).SelectMany(s => s.Questions.Where(q => q.Required).Select(q => (s, q)))];

    private static string SharedPrompt(Language language, CategoryQuestion question)
    {
        var prompt = SmsReport.QuestionPrompt(language, question);
        return question.Required ? prompt : Fit(prompt + " " + T(language, "life.skip"), prompt);
    }

    private static string OwnPrompt(Language language, LifeEventService service, CategoryQuestion question)
    {
        var prompt = SmsReport.QuestionPrompt(language, question);
        return Fit(service.ShortName.In(language) + " : " + prompt, prompt);
    }

    /// <summary>"Reply with the numbers to leave out, or YES", and the services by their short names.</summary>
    internal static string ServicesPrompt(Language language, LifeEvent lifeEvent)
    {
        var list = new StringBuilder(T(language, "life.services_ask"));
        for (var i = 0; i < lifeEvent.Services.Count; i++)
        {
            list.Append(CultureInfo.InvariantCulture, $"\n{i + 1} {lifeEvent.Services[i].ShortName.In(language)}");
        }
        return list.ToString();
    }

    /// <summary>What was wrong with the reply, with the list again when both fit, else with how to answer.</summary>
    private static string ServicesAgain(Language language, LifeEvent lifeEvent, string problem) =>
        Fit(T(language, problem) + "\n" + ServicesPrompt(language, lifeEvent), T(language, problem) + " " + T(language, "life.services_again"));

    private static string Fit(string wanted, string fallback) => SmsSegments.Fits(wanted) ? wanted : fallback;
}
