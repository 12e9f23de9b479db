namespace Contact.Api.Intake;

/// <summary>Names the resident intake's strings: IntakeText.resx (English) and IntakeText.fr.resx (French).</summary>
public sealed class IntakeText;
