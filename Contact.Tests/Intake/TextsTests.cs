using System.Collections;
using System.Globalization;
using System.Resources;
using Contact.Api.Intake;

namespace Contact.Tests.Intake;

public sealed class TextsTests
{
    private static Dictionary<string, string> Strings(string culture, string resource = "Contact.Api.Intake.IntakeText")
    {
        var assembly = resource.Split('.')[1] switch
        {
            "Agent" => typeof(Contact.Agent.Desktop.CaseText).Assembly,
            "Ivr" => typeof(Contact.Ivr.Voice.VoiceText).Assembly,
            "Core" => typeof(Contact.Core.ResourceDirectory.DirectoryText).Assembly,
            _ => typeof(IntakeText).Assembly,
        };
        var manager = new ResourceManager(resource, assembly);
        var set = manager.GetResourceSet(CultureInfo.GetCultureInfo(culture), createIfNotExists: true, tryParents: false)
            ?? throw new AssertionException($"No {culture} resources");
        return set.Cast<DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (string)e.Value!);
    }

    [TestCase("Contact.Api.Intake.IntakeText")]
    [TestCase("Contact.Api.Open311.Open311Text")]
    [TestCase("Contact.Agent.Desktop.DesktopText")]
    [TestCase("Contact.Agent.Desktop.CaseText")]
    [TestCase("Contact.Ivr.Sms.SmsText")]
    [TestCase("Contact.Ivr.Voice.VoiceText")]
    [TestCase("Contact.Ivr.DevPhone.DevPhoneText")]
    [TestCase("Contact.Core.ResourceDirectory.DirectoryText")]
    [TestCase("Contact.Core.Notifications.NotificationText")]
    public void Every_string_exists_in_english_and_french_and_none_is_empty(string resource)
    {
        var en = Strings("", resource);
        var fr = Strings("fr", resource);
        Assert.That(fr.Keys, Is.EquivalentTo(en.Keys));
        Assert.That(en.Values.Concat(fr.Values), Has.None.Empty);
        Assert.That(en, Has.Count.GreaterThan(10));
    }

    [Test]
    public void Every_validation_code_has_a_message()
    {
        var en = Strings("");
        string[] codes =
        [
            "language.invalid", "category.required", "category.unknown", "description.too_long", "address.too_long",
            "coordinates.incomplete", "latitude.invalid", "longitude.invalid", "location.required", "name.too_long",
            "phone.invalid", "email.invalid", "consent.needs_contact", "answer.unknown", "answer.required", "answer.one_value",
            "answer.not_number", "answer.not_datetime", "answer.not_choice", "answer.too_long", "answer.bad_shape", "media.invalid",
        ];
        Assert.That(codes.Select(c => "error." + c), Is.SubsetOf(en.Keys));
    }
}
