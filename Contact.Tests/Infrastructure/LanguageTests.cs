using System.Globalization;
using Contact.Core.Infrastructure;
using Contact.Ivr.Sms;
using Contact.Ivr.Voice;

namespace Contact.Tests.Infrastructure;

public sealed class LanguageTests
{
    [TestCase("fr", "fr")]
    [TestCase(" FR ", "fr")]
    [TestCase("en", "en")]
    [TestCase("es", "en")]
    [TestCase("", "en")]
    [TestCase(null, "en")]
    public void A_language_is_french_or_english_and_nothing_else(string? given, string code) =>
        Assert.That(Language.Of(given).Code, Is.EqualTo(code));

    [Test]
    public void The_default_language_and_line_are_english_and_311()
    {
        Assert.That(default(Language), Is.EqualTo(Language.English));
        Assert.That(default(Line), Is.EqualTo(Line.City));
        Assert.That(Line.Of("211"), Is.EqualTo(Line.Community));
        Assert.That(Line.Of("411").Code, Is.EqualTo("311"));
        Assert.That(Language.French.Canadian.Name, Is.EqualTo("fr-CA"));
    }

    [Test]
    public void A_code_is_accepted_only_exactly_and_a_culture_gives_its_language()
    {
        Assert.That(Language.All.Select(l => l.Code), Is.EqualTo(new[] { "en", "fr" }));
        Assert.That(Line.All.Select(l => l.Code), Is.EqualTo(new[] { "311", "211" }));
        Assert.That(new[] { "en", "fr" }.All(Language.IsCode), Is.True);
        Assert.That(new[] { "FR", " en", "es", "", null }.Any(Language.IsCode), Is.False);
        Assert.That(new[] { "311", "211" }.All(Line.IsCode), Is.True);
        Assert.That(new[] { "411", " 311", "", null }.Any(Line.IsCode), Is.False);
        Assert.That(Line.Community.Is("211") && !Line.Community.Is("311") && Line.City.Is("311"), Is.True);
        Assert.That(Language.French.Is("fr") && !Language.French.Is("FR") && !Language.French.Is(null), Is.True);
        Assert.That(Language.Of(CultureInfo.GetCultureInfo("fr-CA")), Is.EqualTo(Language.French));
        Assert.That(Language.Of(CultureInfo.GetCultureInfo("de-DE")), Is.EqualTo(Language.English));
        Assert.That(Language.Of((CultureInfo?)null), Is.EqualTo(Language.English));
    }

    [Test]
    public void Texts_are_in_the_language_asked_for_whatever_the_threads_culture()
    {
        var sms = ResourceTexts.Of<SmsText>();
        var voice = ResourceTexts.Of<VoiceText>();
        var previous = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("fr");
            var english = sms.Get(Language.English, "error.apology");
            CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("en");
            var french = sms.Get(Language.French, "error.apology");

            Assert.That(english, Does.StartWith("Sorry"), english);
            Assert.That(french, Is.Not.EqualTo(english));
            Assert.That(french, Does.Contain("Désolé").IgnoreCase, french);
            Assert.That(voice.Get(Language.French, "language.menu"), Is.Not.EqualTo(voice.Get(Language.English, "language.menu")));
            Assert.That(sms.Get(Language.English, "no.such.key"), Is.EqualTo("no.such.key"));
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }
}
