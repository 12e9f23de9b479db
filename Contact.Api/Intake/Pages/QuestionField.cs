using Contact.Core.Catalog;
using Contact.Core.Infrastructure;

namespace Contact.Api.Intake.Pages;

/// <summary>
/// One catalog question as a form field (Shared/_Question.cshtml): its form name, what was entered, and its error.
/// The element ids are the name with dots as dashes, as the error summary links them.
/// </summary>
/// <param name="Question">The question.</param>
/// <param name="Field">The form field's name ("answers.size", "shared.new_address").</param>
/// <param name="Values">What was entered (several for a multi-value list).</param>
/// <param name="Error">The field's error in words, or null.</param>
/// <param name="Language">The page's language.</param>
public sealed record QuestionField(CategoryQuestion Question, string Field, IReadOnlyList<string> Values, string? Error, Language Language)
{
    /// <summary>The id of the field's element (the first choice of a list).</summary>
    public string Id => Field.Replace('.', '-');

    /// <summary>The id of its hint, or null when the question has none.</summary>
    public string? HintId => string.IsNullOrEmpty(Question.Help.In(Language)) ? null : Id + "-hint";

    /// <summary>The ids that describe it: its hint and its error.</summary>
    public string? DescribedBy => string.Join(' ', new[] { HintId, Error is null ? null : Id + "-error" }.OfType<string>()) is { Length: > 0 } ids ? ids : null;

    /// <summary>The first value entered, or empty.</summary>
    public string Value => Values.Count > 0 ? Values[0] : "";
}
