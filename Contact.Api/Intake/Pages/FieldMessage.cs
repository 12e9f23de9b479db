namespace Contact.Api.Intake.Pages;

/// <summary>A message about one field of a form; <see cref="Id"/> is the id of the element it is about.</summary>
public sealed record FieldMessage(string Field, string Message)
{
    public string Id => Field.Replace('.', '-');
}
