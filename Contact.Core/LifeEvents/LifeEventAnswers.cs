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
    /// <summary>The answers (and, for a provider, the contact details it receives); null when the case is not a life event.</summary>
    public sealed record Read(IReadOnlyList<AnswerView> Answers, ResidentView? Resident);

    private sealed record QuestionRow(int? CategoryId, string Code, string PromptEn, string PromptFr, string Choices);

    private sealed record ChoiceJson(string Key, string En, string Fr);

    private sealed record StoredAnswers(Dictionary<string, JsonElement>? Shared, Dictionary<string, Dictionary<string, JsonElement>>? Services);

    private sealed record StoredPacket(string Service, Dictionary<string, string>? Resident, Dictionary<string, JsonElement>? Shared, Dictionary<string, JsonElement>? Answers);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Reads them for case <paramref name="caseId"/>; <paramref name="providerId"/> when a provider user reads.</summary>
    public static async Task<Read?> ReadAsync(NpgsqlConnection connection, long caseId, int categoryId, string answersJson, int? providerId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var clusterId = await connection.QuerySingleOrDefaultAsync<int?>(new CommandDefinition(
            "select id from clusters where category_id = @categoryId and kind = 'life_event'", new { categoryId }, cancellationToken: ct));
        if (clusterId is null)
        {
            return null;
        }
        // The questions: the life event's shared ones (no category) and those of its services.
        var questions = (await connection.QueryAsync<QuestionRow>(new CommandDefinition("""
            select null::int as category_id, code, prompt_en, prompt_fr, choices::text as choices from life_event_questions where cluster_id = @clusterId
            union all
            select q.category_id, q.code, q.prompt_en, q.prompt_fr, q.choices::text from category_questions q
            join cluster_categories cc on cc.category_id = q.category_id and cc.cluster_id = @clusterId
            """, new { clusterId }, cancellationToken: ct))).ToList();
        var services = (await connection.QueryAsync<(int Id, string Code, string NameEn, string NameFr)>(new CommandDefinition("""
            select c.id, c.code, c.name_en, c.name_fr from cluster_categories cc join categories c on c.id = cc.category_id
            where cc.cluster_id = @clusterId order by cc.sort
            """, new { clusterId }, cancellationToken: ct))).ToList();
        var sharedQuestions = questions.Where(q => q.CategoryId is null).ToList();

        if (providerId is int provider)
        {
            var packets = (await connection.QueryAsync<string>(new CommandDefinition("""
                select packet::text from referrals where case_id = @caseId and provider_id = @provider and status <> 'review' and packet is not null order by id
                """, new { caseId, provider }, cancellationToken: ct)))
                .Select(p => JsonSerializer.Deserialize<StoredPacket>(p, Json)!).ToList();
            var answers = new List<AnswerView>();
            var shown = new HashSet<string>(StringComparer.Ordinal);
            foreach (var packet in packets)
            {
                foreach (var (code, value) in packet.Shared ?? [])
                {
                    if (shown.Add(code))
                    {
                        AddAnswer(answers, sharedQuestions.FirstOrDefault(q => q.Code == code), code, value, null);
                    }
                }
            }
            foreach (var packet in packets)
            {
                var service = services.FirstOrDefault(s => s.Code == packet.Service);
                foreach (var (code, value) in packet.Answers ?? [])
                {
                    if (!(packet.Shared ?? []).ContainsKey(code))
                    {
                        AddAnswer(answers, questions.FirstOrDefault(q => q.CategoryId == service.Id && q.Code == code), code, value, service.Code is null ? null : new(service.NameEn, service.NameFr));
                    }
                }
            }
            string? Contact(string field) => packets.Select(p => p.Resident?.GetValueOrDefault(field)).FirstOrDefault(v => v is not null);
            return new Read(answers, new ResidentView(Contact("name"), Contact("phone"), Contact("email"), "en", false));
        }

        var stored = JsonSerializer.Deserialize<StoredAnswers>(answersJson, Json);
        var all = new List<AnswerView>();
        foreach (var q in sharedQuestions)
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
        return new Read(all, null);
    }

    /// <summary>
    /// Each packet in words, in one query for all their questions: the shared answers (by the life event's
    /// questions), the service's own answers (by its questions) and the contact details it receives.
    /// </summary>
    public static async Task<IReadOnlyList<IReadOnlyList<AnswerView>>> PacketsAsync(NpgsqlConnection connection, IReadOnlyList<string> packetsJson, CancellationToken ct,
        NpgsqlTransaction? tx = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(packetsJson);
        var packets = packetsJson.Select(p => JsonSerializer.Deserialize<StoredPacketOf>(p, Json)!).ToList();
        var questions = (await connection.QueryAsync<(string? LifeEvent, string? Service, string Code, string PromptEn, string PromptFr, string Choices)>(new CommandDefinition("""
            select k.code, null, q.code, q.prompt_en, q.prompt_fr, q.choices::text from life_event_questions q join clusters k on k.id = q.cluster_id where k.code = any(@events)
            union all
            select null, c.code, q.code, q.prompt_en, q.prompt_fr, q.choices::text from category_questions q join categories c on c.id = q.category_id where c.code = any(@services)
            """, new { events = packets.Select(p => p.LifeEvent).Distinct().ToArray(), services = packets.Select(p => p.Service).Distinct().ToArray() }, tx, cancellationToken: ct))).ToList();
        var texts = Provider.CatalogTexts;
        return [.. packets.Select(p =>
        {
            var lines = new List<AnswerView>();
            foreach (var (code, value) in p.Shared ?? [])
            {
                var q = questions.FirstOrDefault(x => x.LifeEvent == p.LifeEvent && x.Code == code);
                AddAnswer(lines, q.Code is null ? null : new QuestionRow(null, q.Code, q.PromptEn, q.PromptFr, q.Choices), code, value, null);
            }
            foreach (var (code, value) in (p.Answers ?? []).Where(a => !(p.Shared ?? []).ContainsKey(a.Key)))
            {
                var q = questions.FirstOrDefault(x => x.Service == p.Service && x.Code == code);
                AddAnswer(lines, q.Code is null ? null : new QuestionRow(null, q.Code, q.PromptEn, q.PromptFr, q.Choices), code, value, null);
            }
            foreach (var (field, value) in p.Resident ?? [])
            {
                lines.Add(new AnswerView(new(texts.Get(Infrastructure.Language.English, "contact." + field), texts.Get(Infrastructure.Language.French, "contact." + field)), value));
            }
            return (IReadOnlyList<AnswerView>)lines;
        })];
    }

    private sealed record StoredPacketOf(string LifeEvent, string Service, Dictionary<string, string>? Resident, Dictionary<string, JsonElement>? Shared, Dictionary<string, JsonElement>? Answers);

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
