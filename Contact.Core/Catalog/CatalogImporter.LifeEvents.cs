using System.Text.Json;
using Contact.Core.Infrastructure;
using Dapper;
using Npgsql;

namespace Contact.Core.Catalog;

/// <summary>
/// Clusters and life events in a catalog file: a cluster lists categories; a life event lists its shared questions
/// and its services, each with the shared answers it receives and whether an agent reviews its referral first.
/// </summary>
public sealed partial class CatalogImporter
{
    /// <summary>The kind of a life event in a catalog file.</summary>
    public const string LifeEventKind = "life_event";

    /// <summary>The prefix of a life event's own case category: "life-event.moving".</summary>
    public const string LifeEventCategoryPrefix = "life-event.";

    /// <summary>The longest life event code (its case category's code must stay within 64 characters).</summary>
    public const int MaxLifeEventCode = 64 - 11;

    private static void CheckText(string where, LocalText? text, List<string> errors, bool required = true)
    {
        if (text is null)
        {
            if (required) { errors.Add($"{where}: missing (give \"en\" and \"fr\")"); }
            return;
        }
        if (required && (string.IsNullOrWhiteSpace(text.En) || string.IsNullOrWhiteSpace(text.Fr)))
        {
            errors.Add($"{where}: needs both \"en\" and \"fr\"");
        }
    }

    private static void CheckQuestions(string at, IReadOnlyList<CatalogDocument.QuestionEntry> questions, List<string> errors)
    {
        for (var q = 0; q < questions.Count; q++)
        {
            var question = questions[q];
            var qat = $"{at}[{q}]";
            if (question.Code is null || !QuestionCodePattern().IsMatch(question.Code))
            {
                errors.Add($"{qat}.code: \"{question.Code}\" is not a code (lower-case letters, digits, '_' or '-')");
            }
            if (question.Datatype is null || !CategoryQuestion.Datatypes.Contains(question.Datatype))
            {
                errors.Add($"{qat}.datatype: \"{question.Datatype}\" is not one of {string.Join(", ", CategoryQuestion.Datatypes)}");
            }
            CheckText($"{qat}.prompt", question.Prompt, errors);
            CheckText($"{qat}.help", question.Help, errors, required: question.Help is not null);
            var isList = question.Datatype is "singlevaluelist" or "multivaluelist";
            var choices = question.Choices ?? [];
            if (isList && choices.Count == 0)
            {
                errors.Add($"{qat}.choices: a {question.Datatype} question needs choices");
            }
            if (!isList && choices.Count > 0)
            {
                errors.Add($"{qat}.choices: only list questions have choices");
            }
            for (var k = 0; k < choices.Count; k++)
            {
                if (string.IsNullOrWhiteSpace(choices[k].Key))
                {
                    errors.Add($"{qat}.choices[{k}].key: missing");
                }
                CheckText($"{qat}.choices[{k}].name", choices[k].Name, errors);
            }
            foreach (var dup in choices.GroupBy(x => x.Key).Where(g => g.Count() > 1))
            {
                errors.Add($"{qat}.choices: the key \"{dup.Key}\" appears {dup.Count()} times");
            }
        }
        foreach (var dup in questions.GroupBy(x => x.Code).Where(g => g.Count() > 1))
        {
            errors.Add($"{at}: the code \"{dup.Key}\" appears {dup.Count()} times");
        }
    }

    private static void CheckCluster(CatalogDocument.ClusterEntry k, string at, Func<string, bool> known, List<string> errors)
    {
        if (k.Categories is not { Count: > 0 })
        {
            errors.Add($"{at}.categories: a cluster lists at least one category");
        }
        foreach (var c in k.Categories ?? [])
        {
            if (!known(c))
            {
                errors.Add($"{at}.categories: no category \"{c}\" in this file or the catalog");
            }
        }
        foreach (var (field, given) in new[] { ("services", k.Services is not null), ("questions", k.Questions is not null), ("keywords", k.Keywords is not null) })
        {
            if (given)
            {
                errors.Add($"{at}.{field}: only a life event has {field}");
            }
        }
    }

    private static void CheckLifeEvent(CatalogDocument.ClusterEntry k, string at, Func<string, bool> known,
        IReadOnlyDictionary<string, CatalogDocument.CategoryEntry> fileCategories, List<string> errors)
    {
        if (k.Code is { Length: > MaxLifeEventCode })
        {
            errors.Add($"{at}.code: a life event's code has at most {MaxLifeEventCode} characters");
        }
        if (k.Categories is not null)
        {
            errors.Add($"{at}.categories: a life event lists its services under \"services\", each with what it receives");
        }
        if (k.Line is not null && !Line.IsCode(k.Line))
        {
            errors.Add($"{at}.line: \"{k.Line}\" is not 311 or 211");
        }
        CheckText($"{at}.description", k.Description, errors);
        var questions = k.Questions ?? [];
        CheckQuestions($"{at}.questions", questions, errors);
        for (var q = 0; q < questions.Count; q++)
        {
            if (LifeEventService.ContactFields.Contains(questions[q].Code))
            {
                errors.Add($"{at}.questions[{q}].code: \"{questions[q].Code}\" is the resident's contact detail, asked with every life event; choose another code");
            }
        }
        var shared = questions.Select(q => q.Code).Concat(LifeEventService.ContactFields).ToHashSet(StringComparer.Ordinal);
        var services = k.Services ?? [];
        if (services.Count == 0)
        {
            errors.Add($"{at}.services: a life event reaches at least one service");
        }
        for (var s = 0; s < services.Count; s++)
        {
            var service = services[s];
            if (service.Category is null || !known(service.Category))
            {
                errors.Add($"{at}.services[{s}].category: no category \"{service.Category}\" in this file or the catalog");
            }
            foreach (var code in service.Receives ?? [])
            {
                if (!shared.Contains(code))
                {
                    errors.Add($"{at}.services[{s}].receives: \"{code}\" is not one of the life event's questions, nor name, phone or email");
                }
            }
            CheckText($"{at}.services[{s}].label", service.Label, errors, required: service.Label is not null);
            if (service.Label is { } label && (label.En?.Length > 40 || label.Fr?.Length > 40))
            {
                errors.Add($"{at}.services[{s}].label: at most 40 characters in each language");
            }
            if (service.Answers is { } preset && service.Category is not null && fileCategories.TryGetValue(service.Category, out var category))
            {
                foreach (var (code, values) in preset)
                {
                    var question = category.Questions?.FirstOrDefault(q => q.Code == code);
                    if (question is null)
                    {
                        errors.Add($"{at}.services[{s}].answers.{code}: the category \"{service.Category}\" has no question \"{code}\"");
                    }
                    else if (question.Choices is { Count: > 0 } choices && values.Any(v => choices.All(c => c.Key != v)))
                    {
                        errors.Add($"{at}.services[{s}].answers.{code}: give one of {string.Join(", ", choices.Select(c => c.Key))}");
                    }
                    else if (values.Count == 0 || (question.Datatype != "multivaluelist" && values.Count > 1))
                    {
                        errors.Add($"{at}.services[{s}].answers.{code}: give {(question.Datatype == "multivaluelist" ? "at least one value" : "one value")}");
                    }
                }
            }
            foreach (var dup in (service.Receives ?? []).GroupBy(x => x).Where(g => g.Count() > 1))
            {
                errors.Add($"{at}.services[{s}].receives: \"{dup.Key}\" appears {dup.Count()} times");
            }
        }
        foreach (var dup in services.GroupBy(x => x.Category).Where(g => g.Count() > 1))
        {
            errors.Add($"{at}.services: the category \"{dup.Key}\" appears {dup.Count()} times");
        }
        foreach (var unused in questions.Select(q => q.Code).Where(c => services.All(s => !(s.Receives ?? []).Contains(c))))
        {
            errors.Add($"{at}.questions: \"{unused}\" is asked but no service receives it");
        }
    }

    private static async Task InsertQuestionsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string table, string owner, int id,
        IReadOnlyList<CatalogDocument.QuestionEntry> questions, CancellationToken ct)
    {
        await connection.ExecuteAsync(new CommandDefinition($"delete from {table} where {owner} = @id", new { id }, tx, cancellationToken: ct));
        for (var q = 0; q < questions.Count; q++)
        {
            var question = questions[q];
            var choices = JsonSerializer.Serialize((question.Choices ?? []).Select(x => new { key = x.Key, en = x.Name.En, fr = x.Name.Fr }));
            await connection.ExecuteAsync(new CommandDefinition($"""
                insert into {table} ({owner}, code, datatype, required, prompt_en, prompt_fr, help_en, help_fr, choices, sort)
                values (@id, @Code, @Datatype, @Required, @PromptEn, @PromptFr, @HelpEn, @HelpFr, @choices::jsonb, @Sort)
                """, new
            {
                id, question.Code, question.Datatype, question.Required, PromptEn = question.Prompt.En, PromptFr = question.Prompt.Fr,
                HelpEn = question.Help?.En ?? "", HelpFr = question.Help?.Fr ?? "", choices, Sort = q,
            }, tx, cancellationToken: ct));
        }
    }

    private static async Task InsertMembersAsync(NpgsqlConnection connection, NpgsqlTransaction tx, int id, CatalogDocument.ClusterEntry k, CancellationToken ct)
    {
        await connection.ExecuteAsync(new CommandDefinition("delete from cluster_categories where cluster_id = @id", new { id }, tx, cancellationToken: ct));
        var members = k.Services?.Select(s => (s.Category, Receives: (s.Receives ?? []).ToArray(), s.Review,
                Preset: JsonSerializer.Serialize(s.Answers ?? new Dictionary<string, IReadOnlyList<string>>()), LabelEn: s.Label?.En ?? "", LabelFr: s.Label?.Fr ?? ""))
            ?? (k.Categories ?? []).Select(c => (Category: c, Receives: Array.Empty<string>(), Review: false, Preset: "{}", LabelEn: "", LabelFr: ""));
        var sort = 0;
        foreach (var m in members)
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                insert into cluster_categories (cluster_id, category_id, receives, review, preset, label_en, label_fr, sort)
                select @id, c.id, @Receives, @Review, @Preset::jsonb, @LabelEn, @LabelFr, @sort from categories c where c.code = @Category
                """, new { id, m.Category, m.Receives, m.Review, m.Preset, m.LabelEn, m.LabelFr, sort = sort++ }, tx, cancellationToken: ct));
        }
    }

    /// <summary>A life event's case is filed under a category of its own, in the line's "Life events" group, never offered alone.</summary>
    private static async Task<int> UpsertLifeEventCategoryAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CatalogDocument.ClusterEntry k, int sort, CancellationToken ct)
    {
        var line = k.Line ?? Line.City.Code;
        var texts = Provider.CatalogTexts;
        await connection.ExecuteAsync(new CommandDefinition("""
            insert into category_groups (code, line, name_en, name_fr, sort) values (@Group, @line, @NameEn, @NameFr, 1000)
            on conflict (code) do update set name_en = excluded.name_en, name_fr = excluded.name_fr
            """, new
        {
            Group = "life-events-" + line, line,
            NameEn = texts.Get(Language.English, "life_event.group"), NameFr = texts.Get(Language.French, "life_event.group"),
        }, tx, cancellationToken: ct));
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition("""
            insert into categories (code, line, group_id, name_en, name_fr, description_en, description_fr, is_public, location_required, kind, active, sort)
            values (@Code, @line, (select id from category_groups where code = @Group), @NameEn, @NameFr, @DescriptionEn, @DescriptionFr, false, false, 'life_event', true, @sort)
            on conflict (code) do update set line = excluded.line, group_id = excluded.group_id, name_en = excluded.name_en, name_fr = excluded.name_fr,
                description_en = excluded.description_en, description_fr = excluded.description_fr, is_public = false, location_required = false,
                kind = 'life_event', active = true, sort = excluded.sort
            returning id
            """, new
        {
            Code = LifeEventCategoryPrefix + k.Code, line, Group = "life-events-" + line,
            NameEn = texts.Get(Language.English, "life_event.case_name", k.Name.En), NameFr = texts.Get(Language.French, "life_event.case_name", k.Name.Fr),
            DescriptionEn = k.Description?.En ?? "", DescriptionFr = k.Description?.Fr ?? "", sort,
        }, tx, cancellationToken: ct));
    }

    /// <summary>After the upserts: every service of a life event must have an active provider to be referred to.</summary>
    private static async Task CheckLifeEventProvidersAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken ct)
    {
        var orphans = (await connection.QueryAsync<(string LifeEvent, string Category)>(new CommandDefinition("""
            select k.code, c.code
            from clusters k join cluster_categories cc on cc.cluster_id = k.id join categories c on c.id = cc.category_id
            where k.kind = 'life_event'
              and not exists (select 1 from provider_categories pc join providers p on p.id = pc.provider_id
                              where pc.category_id = c.id and p.active)
            order by k.code, c.code
            """, transaction: tx, cancellationToken: ct))).ToList();
        if (orphans.Count > 0)
        {
            throw new CatalogImportException([.. orphans.Select(o =>
                $"clusters[\"{o.LifeEvent}\"].services: the category \"{o.Category}\" has no active provider to refer it to")]);
        }
    }
}
