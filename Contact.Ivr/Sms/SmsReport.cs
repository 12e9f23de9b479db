using System.Globalization;
using System.Text;
using Contact.Core.Cases;
using Contact.Core.Catalog;
using Contact.Core.Infrastructure;
using Contact.Core.Notifications;
using Microsoft.Extensions.Logging;
using static Contact.Ivr.Sms.SmsWords;

namespace Contact.Ivr.Sms;

/// <summary>
/// Reporting a problem by text, one question at a time: the category guessed from the first words and confirmed, or
/// picked from a list; then the address, the category's required questions and a description; then the case. Each
/// <see cref="SmsStep"/> has one handler here; what the conversation waits for is its state's step.
/// </summary>
public sealed class SmsReport(CaseIntake intake, ILogger<SmsReport> logger)
{
    /// <summary>Detects French by accents, common words and the catalog's French keywords; null when it cannot tell.</summary>
    internal static Language? DetectLanguage(string body, CatalogSnapshot snapshot)
    {
        var lower = body.ToLowerInvariant();
        var french = lower.Any(c => "àâçéèêëîïôûùüÿœæ".Contains(c, StringComparison.Ordinal)) ? 2 : 0;
        var english = 0;
        var words = Words(body);
        var frenchKeywords = snapshot.Categories.SelectMany(c => c.KeywordsFr).SelectMany(Words).ToHashSet(StringComparer.Ordinal);
        var englishKeywords = snapshot.Categories.SelectMany(c => c.KeywordsEn).SelectMany(Words).ToHashSet(StringComparer.Ordinal);
        foreach (var w in words)
        {
            var fr = FrenchWords.Contains(w) || (frenchKeywords.Contains(w) && !englishKeywords.Contains(w) && w.Length >= 3);
            var en = EnglishWords.Contains(w) || (englishKeywords.Contains(w) && !frenchKeywords.Contains(w) && w.Length >= 3);
            french += fr && !en ? 1 : 0;
            english += en && !fr ? 1 : 0;
        }
        return french > english ? Language.French : english > french ? Language.English : null;
    }

    private static string[] Words(string text) =>
        CatalogSnapshot.Fold(text).Split([' ', ',', '.', '\'', '-', '/', '!', '?', ';', ':', '"', '(', ')'], StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The problem and the address when the text says "… at …", "… au …" or "… à …".</summary>
    internal static (string What, string? Address) SplitAddress(string body)
    {
        var best = -1;
        var length = 0;
        foreach (var marker in new[] { " at ", " au ", " à " })
        {
            var at = body.IndexOf(marker, StringComparison.OrdinalIgnoreCase);
            if (at > 0 && (best < 0 || at < best))
            {
                best = at;
                length = marker.Length;
            }
        }
        if (best > 0)
        {
            var address = body[(best + length)..].Trim().TrimEnd('.', '!').Trim();
            if (address.Length > 0)
            {
                return (body[..best].Trim(), address.Length > 500 ? address[..500] : address);
            }
        }
        return (body, null);
    }

    private static List<Category> Ordered(IReadOnlyList<Category> found) =>
        [.. found.Where(c => Line.Of(c.Line) == Line.City), .. found.Where(c => Line.Of(c.Line) != Line.City)];

    /// <summary>The next step of reporting a problem, from the conversation's step (a handler each).</summary>
    internal async Task<string> ConverseAsync(SmsTurn turn, CatalogSnapshot snapshot, CancellationToken ct)
    {
        var state = turn.State;
        if (state.FirstSid is null)
        {
            state.FirstSid = turn.Input.MessageSid;
            turn.Started = true;
            turn.CaseId = null;
        }
        var photos = turn.Input.Photos.Where(p => state.Photos.All(q => q.Url != p.Url)).ToList();
        state.Photos.AddRange(photos);
        if (turn.Input.Body.Length == 0)
        {
            return Lead(photos.Count > 0 ? T(turn.Language, "photo.kept") : null, Prompt(turn, snapshot));
        }
        return state.Step switch
        {
            SmsStep.Confirm => await ConfirmAsync(turn, snapshot, ct),
            SmsStep.Pick => await PickAsync(turn, snapshot, ct),
            SmsStep.Address => await AddressAsync(turn, snapshot, ct),
            SmsStep.Question => await QuestionAsync(turn, snapshot, ct),
            SmsStep.Description => await DescriptionAsync(turn, snapshot, ct),
            _ => Start(turn, snapshot),
        };
    }

    /// <summary>What the conversation is waiting for, asked again.</summary>
    private string Prompt(SmsTurn turn, CatalogSnapshot snapshot)
    {
        var state = turn.State;
        var category = snapshot.Find(state.Category);
        return state.Step switch
        {
            SmsStep.Confirm when snapshot.Find(state.PendingCategory) is { } pending => T(turn.Language, "category.confirm", pending.Name.In(turn.Language)),
            SmsStep.Pick => ListText(turn, state.ChoiceKind == SmsChoiceKind.Group ? "group.list" : "category.list", snapshot),
            SmsStep.Address => T(turn.Language, "address.ask"),
            SmsStep.Question when category is not null && state.Question < RequiredQuestions(category).Count =>
                QuestionPrompt(turn.Language, RequiredQuestions(category)[state.Question]),
            SmsStep.Description => T(turn.Language, "description.ask"),
            _ => T(turn.Language, "report.ask"),
        };
    }

    /// <summary>The first words about a problem: guess the category and ask to confirm, or list the groups.</summary>
    private string Start(SmsTurn turn, CatalogSnapshot snapshot)
    {
        var state = turn.State;
        var body = turn.Input.Body;
        turn.Language = DetectLanguage(body, snapshot) ?? turn.Language;
        state.FirstText = body.Length > 1000 ? body[..1000] : body;
        var (what, address) = SplitAddress(body);
        state.Address = address ?? state.Address;
        var found = Ordered(snapshot.Search(what));
        if (found.Count == 0 && what != body)
        {
            found = Ordered(snapshot.Search(body));
        }
        return Guess(turn, snapshot, found);
    }

    private string Guess(SmsTurn turn, CatalogSnapshot snapshot, List<Category> found)
    {
        var state = turn.State;
        state.Matches = [.. found.Take(20).Select(c => c.Code)];
        if (found.Count == 0)
        {
            return Groups(turn, snapshot);
        }
        state.PendingCategory = found[0].Code;
        state.Step = SmsStep.Confirm;
        return T(turn.Language, "category.confirm", found[0].Name.In(turn.Language));
    }

    private string Groups(SmsTurn turn, CatalogSnapshot snapshot)
    {
        turn.State.Step = SmsStep.Pick;
        turn.State.ChoiceKind = SmsChoiceKind.Group;
        turn.State.Choices = [.. snapshot.Groups.Where(g => Line.Of(g.Line) == Line.City && snapshot.InGroup(g.Code).Any()).Select(g => g.Code).Take(MaxListed)];
        return ListText(turn, "group.list", snapshot);
    }

    private string Categories(SmsTurn turn, CatalogSnapshot snapshot, IEnumerable<string> codes)
    {
        turn.State.Step = SmsStep.Pick;
        turn.State.ChoiceKind = SmsChoiceKind.Category;
        turn.State.Choices = [.. codes.Take(MaxListed)];
        return ListText(turn, "category.list", snapshot);
    }

    /// <summary>A short name for a list: "Water account: start, stop…" → "Water account".</summary>
    private static string Short(string name)
    {
        var cut = name.IndexOfAny([':', '(']);
        return (cut > 0 ? name[..cut] : name).Trim();
    }

    /// <summary>The numbered list of the state's choices; those that would not fit the budget are dropped.</summary>
    private string ListText(SmsTurn turn, string header, CatalogSnapshot snapshot)
    {
        var state = turn.State;
        var names = state.Choices.Select(code => state.ChoiceKind == SmsChoiceKind.Group
            ? snapshot.Groups.FirstOrDefault(g => g.Code == code)?.Name.In(turn.Language)
            : snapshot.Find(code)?.Name.In(turn.Language)).ToList();
        var reply = new StringBuilder(T(turn.Language, header));
        var kept = new List<string>();
        for (var i = 0; i < names.Count; i++)
        {
            if (names[i] is not { } name)
            {
                continue;
            }
            var line = string.Create(CultureInfo.InvariantCulture, $"\n{kept.Count + 1} {Short(name)}");
            if (!SmsSegments.Fits(reply + line))
            {
                // Too long for the budget: leave it out; a shorter one may still fit.
                continue;
            }
            reply.Append(line);
            kept.Add(state.Choices[i]);
        }
        state.Choices = kept;
        return reply.ToString();
    }

    private async Task<string> ConfirmAsync(SmsTurn turn, CatalogSnapshot snapshot, CancellationToken ct)
    {
        var state = turn.State;
        var word = Word(turn.Input.Body);
        var pending = snapshot.Find(state.PendingCategory);
        if (pending is null)
        {
            return Start(turn, snapshot);
        }
        if (YesWords.Contains(word))
        {
            return await ChooseAsync(turn, snapshot, pending, ct);
        }
        if (NoWords.Contains(word))
        {
            state.PendingCategory = null;
            var others = state.Matches.Where(c => c != pending.Code && snapshot.Find(c) is not null).ToList();
            return others.Count > 0 ? Categories(turn, snapshot, others) : Groups(turn, snapshot);
        }
        return T(turn.Language, "category.confirm_again", pending.Name.In(turn.Language));
    }

    private async Task<string> PickAsync(SmsTurn turn, CatalogSnapshot snapshot, CancellationToken ct)
    {
        var state = turn.State;
        var word = Word(turn.Input.Body);
        if (int.TryParse(word, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= state.Choices.Count)
        {
            var code = state.Choices[n - 1];
            if (state.ChoiceKind == SmsChoiceKind.Group)
            {
                return Categories(turn, snapshot, snapshot.InGroup(code).Select(c => c.Code));
            }
            if (snapshot.Find(code) is { } chosen)
            {
                return await ChooseAsync(turn, snapshot, chosen, ct);
            }
        }
        if (word.Any(char.IsLetter))
        {
            // Words instead of a number: guess again from them.
            var found = Ordered(snapshot.Search(turn.Input.Body));
            if (found.Count > 0)
            {
                return Guess(turn, snapshot, found);
            }
        }
        return Lead(T(turn.Language, "list.wrong"), ListText(turn, state.ChoiceKind == SmsChoiceKind.Group ? "group.list" : "category.list", snapshot));
    }

    private async Task<string> ChooseAsync(SmsTurn turn, CatalogSnapshot snapshot, Category category, CancellationToken ct)
    {
        var state = turn.State;
        state.Category = category.Code;
        state.PendingCategory = null;
        state.Choices = [];
        state.ChoiceKind = null;
        state.Question = 0;
        state.Answers.Clear();
        if (!category.LocationRequired)
        {
            // "… at …" in the first text names a place only for categories about one.
            state.Address = null;
        }
        var lead = state.Address is { } address ? T(turn.Language, "address.kept", address) : null;
        return await NextAsync(turn, snapshot, category, lead, ct);
    }

    /// <summary>The questions a text asks: every required one (the validator asks them of texts).</summary>
    private static List<CategoryQuestion> RequiredQuestions(Category category) => [.. category.Questions.Where(q => q.Required)];

    /// <summary>Whatever the report still needs, in order: where, the required questions, a description; then the case.</summary>
    private async Task<string> NextAsync(SmsTurn turn, CatalogSnapshot snapshot, Category category, string? lead, CancellationToken ct)
    {
        var state = turn.State;
        if (category.LocationRequired && string.IsNullOrWhiteSpace(state.Address))
        {
            state.Step = SmsStep.Address;
            return Lead(lead, T(turn.Language, "address.ask"));
        }
        var questions = RequiredQuestions(category);
        while (state.Question < questions.Count && state.Answers.ContainsKey(questions[state.Question].Code))
        {
            state.Question++;
        }
        if (state.Question < questions.Count)
        {
            state.Step = SmsStep.Question;
            return Lead(lead, QuestionPrompt(turn.Language, questions[state.Question]));
        }
        if (!state.Described)
        {
            state.Step = SmsStep.Description;
            return Lead(lead, T(turn.Language, "description.ask"));
        }
        return await CreateAsync(turn, snapshot, category, ct);
    }

    internal static string QuestionPrompt(Language language, CategoryQuestion question)
    {
        var prompt = question.Prompt.In(language);
        switch (question.Datatype)
        {
            case "singlevaluelist":
            case "multivaluelist":
                var hint = T(language, question.Datatype == "multivaluelist" ? "question.choose_many" : "question.choose");
                foreach (var width in new[] { int.MaxValue, 40, 25, 15 })
                {
                    var list = new StringBuilder(prompt);
                    for (var i = 0; i < question.Choices.Count; i++)
                    {
                        var name = question.Choices[i].Name.In(language);
                        list.Append(CultureInfo.InvariantCulture, $"\n{i + 1} {(name.Length > width ? name[..width].TrimEnd() + "." : name)}");
                    }
                    var withHint = list + "\n" + hint;
                    if (SmsSegments.Fits(withHint))
                    {
                        return withHint;
                    }
                    if (SmsSegments.Fits(list.ToString()))
                    {
                        return list.ToString();
                    }
                }
                return prompt + " " + hint;
            case "number":
                return prompt + " " + T(language, "question.number");
            case "datetime":
                return prompt + " " + T(language, "question.datetime");
            default:
                return prompt;
        }
    }

    private async Task<string> AddressAsync(SmsTurn turn, CatalogSnapshot snapshot, CancellationToken ct)
    {
        var state = turn.State;
        var category = snapshot.Find(state.Category);
        if (category is null)
        {
            return Start(turn, snapshot);
        }
        var body = turn.Input.Body.Trim().TrimEnd('.', '!').Trim();
        if (SkipWords.Contains(Word(body)) || body.Length == 0)
        {
            return Lead(T(turn.Language, "address.required"), T(turn.Language, "address.ask"));
        }
        if (body.Length > 500)
        {
            return Lead(T(turn.Language, "address.too_long"), T(turn.Language, "address.ask"));
        }
        state.Address = body;
        return await NextAsync(turn, snapshot, category, T(turn.Language, "address.kept", body), ct);
    }

    private async Task<string> QuestionAsync(SmsTurn turn, CatalogSnapshot snapshot, CancellationToken ct)
    {
        var state = turn.State;
        var category = snapshot.Find(state.Category);
        if (category is null)
        {
            return Start(turn, snapshot);
        }
        var questions = RequiredQuestions(category);
        if (state.Question >= questions.Count)
        {
            return await NextAsync(turn, snapshot, category, null, ct);
        }
        var question = questions[state.Question];
        var (values, error) = ParseAnswer(question, turn.Input.Body);
        if (values is null)
        {
            return Lead(T(turn.Language, error!), QuestionPrompt(turn.Language, question));
        }
        state.Answers[question.Code] = values;
        state.Question++;
        return await NextAsync(turn, snapshot, category, null, ct);
    }

    /// <summary>An answer as the validator takes it, or the code of what is wrong with it.</summary>
    internal static (List<string>? Values, string? Error) ParseAnswer(CategoryQuestion question, string body)
    {
        var typed = body.Trim();
        switch (question.Datatype)
        {
            case "singlevaluelist":
                if (int.TryParse(Word(typed), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= question.Choices.Count)
                {
                    return ([question.Choices[n - 1].Key], null);
                }
                var folded = Word(typed);
                var named = question.Choices.FirstOrDefault(c => folded == CatalogSnapshot.Fold(c.Key) || folded == CatalogSnapshot.Fold(c.Name.En) || folded == CatalogSnapshot.Fold(c.Name.Fr));
                return named is null ? (null, "answer.not_choice") : ([named.Key], null);
            case "multivaluelist":
                return Numbers(typed, question.Choices.Count) is { Count: > 0 } picked
                    ? ([.. picked.Select(k => question.Choices[k - 1].Key).Distinct()], null)
                    : (null, "answer.not_choice");
            case "number":
                return decimal.TryParse(typed.Replace(',', '.').Replace(" ", "", StringComparison.Ordinal), NumberStyles.Number, CultureInfo.InvariantCulture, out var number)
                    ? ([number.ToString(CultureInfo.InvariantCulture)], null)
                    : (null, "answer.not_number");
            case "datetime":
                return DateTimeOffset.TryParse(typed, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var when)
                    || DateTimeOffset.TryParse(typed, CultureInfo.GetCultureInfo("fr-CA"), DateTimeStyles.AssumeLocal, out when)
                    ? ([when.ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture)], null)
                    : (null, "answer.not_datetime");
            default:
                return typed.Length == 0 ? (null, "answer.required")
                    : typed.Length > CaseValidator.MaxAnswer ? (null, "answer.too_long")
                    : ([typed], null);
        }
    }

    private async Task<string> DescriptionAsync(SmsTurn turn, CatalogSnapshot snapshot, CancellationToken ct)
    {
        var state = turn.State;
        var category = snapshot.Find(state.Category);
        if (category is null)
        {
            return Start(turn, snapshot);
        }
        var body = turn.Input.Body.Trim();
        if (body.Length > CaseValidator.MaxDescription)
        {
            return Lead(T(turn.Language, "answer.too_long"), T(turn.Language, "description.ask"));
        }
        state.Description = SkipWords.Contains(Word(body)) ? null : body;
        state.Described = true;
        return await NextAsync(turn, snapshot, category, null, ct);
    }

    private async Task<string> CreateAsync(SmsTurn turn, CatalogSnapshot snapshot, Category category, CancellationToken ct)
    {
        var state = turn.State;
        var media = state.Photos.Count == 0 ? null : state.Photos.Select(p => new CaseMediaItem("photo", p.Url, p.ContentType)).ToList();
        var result = await intake.SubmitAsync(new NewCase(
            category.Code, "sms", turn.Language.Code,
            Description: state.Description ?? state.FirstText ?? "",
            Answers: state.Answers.ToDictionary(a => a.Key, a => (IReadOnlyList<string>)a.Value),
            Address: state.Address,
            Phone: turn.Input.From,
            NotifyConsent: true,
            IdempotencyKey: "sms:" + state.FirstSid,
            Media: media), "resident", ct);
        if (result.Case is { } created)
        {
            // The conversation ends with its case; the next text starts afresh.
            turn.CaseId = created.Id;
            turn.State = new SmsState();
            return T(turn.Language, "case.created", created.Number);
        }
        logger.LogWarning("Text conversation {MessageSid}: the report was refused: {Errors}", state.FirstSid, string.Join(", ", result.Errors.Select(e => e.Field + " " + e.Code)));
        var error = result.Errors[0];
        var questions = RequiredQuestions(category);
        if (error.Field.StartsWith("answers.", StringComparison.Ordinal) && questions.FindIndex(q => "answers." + q.Code == error.Field) is var index and >= 0)
        {
            state.Answers.Remove(questions[index].Code);
            state.Question = index;
            state.Step = SmsStep.Question;
            var key = error.Code is "answer.not_choice" or "answer.not_number" or "answer.not_datetime" or "answer.too_long" ? error.Code : "answer.required";
            return Lead(T(turn.Language, key), QuestionPrompt(turn.Language, questions[index]));
        }
        if (error.Field == "address")
        {
            state.Address = null;
            state.Step = SmsStep.Address;
            return Lead(T(turn.Language, error.Code == "address.too_long" ? "address.too_long" : "address.required"), T(turn.Language, "address.ask"));
        }
        if (error.Field == "description")
        {
            state.Described = false;
            state.Step = SmsStep.Description;
            return Lead(T(turn.Language, "answer.too_long"), T(turn.Language, "description.ask"));
        }
        if (error.Field == "media" && state.Photos.Count > 0)
        {
            // A photo the case store will not take: keep the report without it.
            state.Photos.Clear();
            return await CreateAsync(turn, snapshot, category, ct);
        }
        return T(turn.Language, "case.failed");
    }
}
