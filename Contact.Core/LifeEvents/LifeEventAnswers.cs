using System.Text.Json;
using Contact.Core.Catalog;
using Contact.Core.Desktop;
using Dapper;
using Npgsql;

namespace Contact.Core.LifeEvents;

/// <summary>
/// What staff read of a life event's answers: an agent sees everything the resident told; a provider user sees only
/// its own referrals' packets (the shared answers its services receive, their own answers and the contact details
/// they receive), never another provider's.
/// </summary>
public static class LifeEventAnswers
{
    /// <summary>One referral's packet in words.</summary>
    /// <param name="Shared">The shared answers it receives, labelled by the life event's questions.</param>
    /// <param name="Own">Its service's own answers, labelled by the service's questions.</param>
    /// <param name="Contact">The contact details it receives, labelled.</param>
    /// <param name="Resident">The same contact details by field (name, phone, email).</param>
    public sealed record Packet(IReadOnlyList<AnswerView> Shared, IReadOnlyList<AnswerView> Own, IReadOnlyList<AnswerView> Contact,
        IReadOnlyDictionary<string, string> Resident)
    {
        /// <summary>Everything in it, as one list: the shared answers, its own, the contact.</summary>
        public IReadOnlyList<AnswerView> Lines => [.. Shared, .. Own, .. Contact];
    }

    private sealed record QuestionRow(int? CategoryId, string Code, string PromptEn, string PromptFr, string Choices);

    private sealed record ChoiceJson(string Key, string En, string Fr);

    private sealed record StoredAnswers(Dictionary<string, JsonElement>? Shared, Dictionary<string, Dictionary<string, JsonElement>>? Services);

    private sealed record StoredPacket(string LifeEvent, string Service, Dictionary<string, string>? Resident, Dictionary<string, JsonElement>? Shared, Dictionary<string, JsonElement>? Answers);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Everything the resident told, for staff who are not a provider: the shared answers, then each service's own.</summary>
    public static async Task<IReadOnlyList<AnswerView>> ReadAsync(NpgsqlConnection connection, int categoryId, string answersJson, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        // The questions: the life event's shared ones (no category) and those of its services.
        var questions = (await connection.QueryAsync<QuestionRow>(new CommandDefinition("""
            select null::int as category_id, q.code, q.prompt_en, q.prompt_fr, q.choices::text as choices
            from life_event_questions q join clusters k on k.id = q.cluster_id where k.category_id = @categoryId
            union all
            select q.category_id, q.code, q.prompt_en, q.prompt_fr, q.choices::text from category_questions q
            join cluster_categories cc on cc.category_id = q.category_id join clusters k on k.id = cc.cluster_id where k.category_id = @categoryId
            """, new { categoryId }, cancellationToken: ct))).ToList();
        var services = (await connection.QueryAsync<(int Id, string Code, string NameEn, string NameFr)>(new CommandDefinition("""
            select c.id, c.code, c.name_en, c.name_fr from cluster_categories cc join categories c on c.id = cc.category_id
            join clusters k on k.id = cc.cluster_id where k.category_id = @categoryId order by cc.sort
            """, new { categoryId }, cancellationToken: ct))).ToList();
        var stored = JsonSerializer.Deserialize<StoredAnswers>(answersJson, Json);
        var all = new List<AnswerView>();
        foreach (var q in questions.Where(q => q.CategoryId is null))
        {
            if (stored?.Shared?.TryGetValue(q.Code, out var value) == true)
            {
                AddAnswer(all, q, q.Code, value, null);
            }
        }
        foreach (var s in services)
        {
            if (stored?.Services?.TryGetValue(s.Code, out var own) != true)
            {
                continue;
            }
            foreach (var (code, value) in own!)
            {
                if (stored.Shared?.ContainsKey(code) != true)
                {
                    AddAnswer(all, questions.FirstOrDefault(q => q.CategoryId == s.Id && q.Code == code), code, value, new(s.NameEn, s.NameFr));
                }
            }
        }
        return all;
    }

    /// <summary>
    /// Each packet in words, in one query for all their questions: the shared answers (by the life event's
    /// questions), the service's own answers (by its questions) and the contact details it receives.
    /// </summary>
    public static async Task<IReadOnlyList<Packet>> PacketsAsync(NpgsqlConnection connection, IReadOnlyList<string> packetsJson, CancellationToken ct,
        NpgsqlTransaction? tx = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(packetsJson);
        var packets = packetsJson.Select(p => JsonSerializer.Deserialize<StoredPacket>(p, Json)!).ToList();
        var questions = (await connection.QueryAsync<(string? LifeEvent, string? Service, string Code, string PromptEn, string PromptFr, string Choices)>(new CommandDefinition("""
            select k.code, null, q.code, q.prompt_en, q.prompt_fr, q.choices::text from life_event_questions q join clusters k on k.id = q.cluster_id where k.code = any(@events)
            union all
            select null, c.code, q.code, q.prompt_en, q.prompt_fr, q.choices::text from category_questions q join categories c on c.id = q.category_id where c.code = any(@services)
            """, new { events = packets.Select(p => p.LifeEvent).Distinct().ToArray(), services = packets.Select(p => p.Service).Distinct().ToArray() }, tx, cancellationToken: ct))).ToList();
        QuestionRow? Question(Func<(string? LifeEvent, string? Service, string Code, string PromptEn, string PromptFr, string Choices), bool> which) =>
            questions.FirstOrDefault(which) is { Code: not null } q ? new QuestionRow(null, q.Code, q.PromptEn, q.PromptFr, q.Choices) : null;
        var texts = Provider.CatalogTexts;
        return [.. packets.Select(p =>
        {
            var shared = new List<AnswerView>();
            foreach (var (code, value) in p.Shared ?? [])
            {
                AddAnswer(shared, Question(x => x.LifeEvent == p.LifeEvent && x.Code == code), code, value, null);
            }
            var own = new List<AnswerView>();
            foreach (var (code, value) in (p.Answers ?? []).Where(a => !(p.Shared ?? []).ContainsKey(a.Key)))
            {
                AddAnswer(own, Question(x => x.Service == p.Service && x.Code == code), code, value, null);
            }
            var resident = p.Resident ?? [];
            var contact = resident.Select(f => new AnswerView(
                new(texts.Get(Infrastructure.Language.English, "contact." + f.Key), texts.Get(Infrastructure.Language.French, "contact." + f.Key)), f.Value)).ToList();
            return new Packet(shared, own, contact, resident);
        })];
    }

    private static void AddAnswer(List<AnswerView> answers, QuestionRow? question, string code, JsonElement value, LocalText? service)
    {
        var choices = question is null ? [] : (JsonSerializer.Deserialize<ChoiceJson[]>(question.Choices, Json) ?? []).ToDictionary(x => x.Key);
        string Name(string key) => choices.TryGetValue(key, out var c) ? c.En + " / " + c.Fr : key;
        var text = value.ValueKind == JsonValueKind.Array
            ? string.Join(", ", value.EnumerateArray().Select(v => Name(v.ToString())))
            : Name(value.ToString());
        var prompt = question is null ? new LocalText(code, code) : new LocalText(question.PromptEn, question.PromptFr);
        answers.Add(new AnswerView(service is null ? prompt : new LocalText(service.En + " · " + prompt.En, service.Fr + " · " + prompt.Fr), text));
    }
}
