namespace Contact.Api.Intake.Pages;

/// <summary>
/// The resident's contact details, consent and language on a form (Shared/_Contact.cshtml), as they were entered, with
/// their errors; <paramref name="Required"/> names the fields that are not optional.
/// </summary>
public sealed record ContactFields(IFormCollection? Posted, IReadOnlyList<FieldMessage> Errors, string Language, IReadOnlyList<string>? Required = null)
{
    /// <summary>The fields that must be given.</summary>
    public IReadOnlyList<string> RequiredFields => Required ?? [];

    /// <summary>What was entered in <paramref name="field"/>.</summary>
    public string Value(string field) => Posted?[field].ToString() ?? "";

    /// <summary>The error of <paramref name="field"/> in words, or null.</summary>
    public string? ErrorFor(string field) => Errors.FirstOrDefault(e => e.Field == field)?.Message;
}
