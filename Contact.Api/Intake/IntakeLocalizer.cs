using System.Globalization;
using System.Text.Json;
using Contact.Core.Cases;
using Contact.Core.Catalog;
using Microsoft.Extensions.Localization;

namespace Contact.Api.Intake;

/// <summary>The intake's words in the request's language: messages, statuses, history entries.</summary>
public sealed class IntakeLocalizer(IStringLocalizer<IntakeText> strings, CatalogStore catalog)
{
    /// <summary>en or fr, from the request's culture.</summary>
    public string Language => Contact.Core.Infrastructure.Language.Of(CultureInfo.CurrentUICulture.TwoLetterISOLanguageName).Code;

    public LocalizedString this[string key] => strings[key];

    public LocalizedString this[string key, params object[] args] => strings[key, args];

    /// <summary>A field error in words; an answer's error names its question.</summary>
    public string Message(FieldError error, Category? category = null)
    {
        var args = error.Args.Cast<object>().ToArray();
        if (error.Field.StartsWith("answers.", StringComparison.Ordinal) && category is not null && args.Length > 0)
        {
            var question = category.Questions.FirstOrDefault(q => q.Code == error.Field["answers.".Length..]);
            if (question is not null)
            {
                args[0] = question.Prompt.In(Language);
            }
        }
        return Words(error, args);
    }

    /// <summary>A life event's field error in words; an answer's error names its question.</summary>
    public string Message(FieldError error, LifeEvent lifeEvent)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(lifeEvent);
        var args = error.Args.Cast<object>().ToArray();
        CategoryQuestion? question = null;
        if (error.Field.StartsWith("shared.", StringComparison.Ordinal))
        {
            question = lifeEvent.Questions.FirstOrDefault(q => q.Code == error.Field["shared.".Length..]);
        }
        else if (error.Field.Split('.') is ["services", var service, "answers", var code])
        {
            question = lifeEvent.Service(service)?.Category.Questions.FirstOrDefault(q => q.Code == code);
        }
        if (error.Field.StartsWith("services", StringComparison.Ordinal) && args.Length > 0 && question is null
            && lifeEvent.Service(args[0] as string) is { } named)
        {
            args[0] = named.Category.Name.In(Language);
        }
        if (question is not null && args.Length > 0)
        {
            args[0] = question.Prompt.In(Language);
        }
        return Words(error, args);
    }

    private string Words(FieldError error, object[] args)
    {
        var text = strings["error." + error.Code, args];
        return text.ResourceNotFound ? error.Code : text.Value;
    }

    /// <summary>A status as a resident reads it.</summary>
    public string Status(string status) => strings["status." + status];

    /// <summary>What a resident may expect next, by status.</summary>
    public string NextStep(string status) => strings["next." + status];

    /// <summary>A public history entry in words.</summary>
    public string Event(CaseEvent e)
    {
        using var data = JsonDocument.Parse(e.Data);
        var channel = data.RootElement.TryGetProperty("channel", out var ch) ? strings["channel." + ch.GetString()].Value : "";
        var into = data.RootElement.TryGetProperty("into", out var i) ? i.GetString() ?? "" : "";
        var text = strings["event." + e.Kind, channel, into];
        return text.ResourceNotFound ? strings["event.updated"] : text;
    }

    /// <summary>A category's name in this language, or its code when it is no longer in the catalog.</summary>
    public async Task<string> CategoryNameAsync(string code, CancellationToken ct)
    {
        var snapshot = await catalog.GetAsync(ct);
        return (snapshot.Find(code) ?? snapshot.LifeEventFiledUnder(code)?.CaseCategory)?.Name.In(Language) ?? code;
    }
}
