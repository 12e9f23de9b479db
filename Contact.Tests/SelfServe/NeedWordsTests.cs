using Contact.Core.ResourceDirectory;

namespace Contact.Tests.SelfServe;

public sealed class NeedWordsTests
{
    [TestCase("FOOD M5V 2T6", "food", "M5V 2T6", "en")]
    [TestCase("NOURRITURE H2X 1Y4", "food", "H2X 1Y4", "fr")]
    [TestCase("k1p1j1 food", "food", "K1P 1J1", "en")]
    [TestCase("Hébergement K1P", "shelter", "K1P", "fr")]
    [TestCase("hebergement k1p", "shelter", "K1P", "fr")]
    [TestCase("mental health near K2P 0A4", "mental_health", "K2P 0A4", "en")]
    [TestCase("Santé mentale J8X 3X7", "mental_health", "J8X 3X7", "fr")]
    [TestCase("SENIORS K1P", "senior", "K1P", "en")]
    [TestCase("aînés K1P", "senior", "K1P", "fr")]
    [TestCase("nouveaux arrivants K1P", "newcomer", "K1P", "fr")]
    [TestCase("emplois K1P", "job", "K1P", "fr")]
    [TestCase("I need food in K1P 1J1 please", "food", "K1P 1J1", "en")]
    [TestCase("j'ai besoin de nourriture à K1P", "food", "K1P", "fr")]
    public void A_need_word_and_a_postal_code_in_either_order_and_language_are_read(string text, string need, string postal, string language)
    {
        var parsed = NeedWords.Parse(text);

        Assert.That(parsed, Is.Not.Null);
        Assert.That(parsed!.Needs.Select(n => n.Code), Is.EqualTo(new[] { need }));
        Assert.That(parsed.PostalCode, Is.EqualTo(postal));
        Assert.That(parsed.MalformedPostalCode, Is.Null);
        Assert.That(parsed.Language, Is.EqualTo(Contact.Core.Infrastructure.Language.Of(language)));
    }

    [Test]
    public void Two_needs_search_both_sets_of_terms_and_a_word_of_both_languages_does_not_tell_the_language()
    {
        var parsed = NeedWords.Parse("food rent K1P")!;
        Assert.That(parsed.Terms, Is.EqualTo(new[] { "BD-1800", "BD-5000", "BH-3800" }));
        Assert.That(NeedWords.Parse("immigrant K1P")!.Language, Is.Null);
        Assert.That(NeedWords.Parse("food loyer K1P")!.Language, Is.Null);
    }

    [Test]
    public void A_need_alone_and_a_postal_code_alone_are_read_with_what_is_missing()
    {
        var need = NeedWords.Parse("Food")!;
        Assert.That((need.Needs.Single().Code, need.PostalCode), Is.EqualTo(("food", (string?)null)));
        var postal = NeedWords.Parse("k1p 1j1")!;
        Assert.That((postal.Needs.Count, postal.PostalCode), Is.EqualTo((0, "K1P 1J1")));
    }

    [TestCase("D1P 1J1 food", "D1P 1J1")]
    [TestCase("food W1P", "W1P")]
    [TestCase("food Z1P 1J1", "Z1P 1J1")]
    [TestCase("food K1O 1J1", "K1O 1J1")]
    public void A_postal_code_with_letters_canada_never_uses_is_malformed(string text, string typed)
    {
        var parsed = NeedWords.Parse(text)!;
        Assert.That(parsed.PostalCode, Is.Null);
        Assert.That(parsed.MalformedPostalCode, Is.EqualTo(typed));
    }

    [TestCase("pothole at 123 Main St")]
    [TestCase("nid-de-poule au 123 rue Principale")]
    [TestCase("STATUS 1234567")]
    [TestCase("help")]
    [TestCase("the food bank was closed today")]
    [TestCase("")]
    public void Anything_else_is_not_a_self_serve_text(string text) => Assert.That(NeedWords.Parse(text), Is.Null);

    [TestCase("K1P 1J1", "K1P 1J1")]
    [TestCase("k1p1j1", "K1P 1J1")]
    [TestCase("k1p-1j1", "K1P 1J1")]
    [TestCase("K1P", "K1P")]
    [TestCase("X0A 0H0", "X0A 0H0")]
    [TestCase("D1P 1J1", null)]
    [TestCase("W1P 1J1", null)]
    [TestCase("K1P 1J", null)]
    [TestCase("1K1 P1J", null)]
    [TestCase("K1U", null)]
    public void Postal_codes_are_checked_letter_digit_letter_without_the_letters_canada_never_uses(string text, string? expected) =>
        Assert.That(NeedWords.NormalisePostalCode(text), Is.EqualTo(expected));

    [Test]
    public void Three_keys_give_every_area_they_can_spell()
    {
        var areas = NeedWords.FsasForKeys("517");
        Assert.That(areas, Does.Contain("K1P").And.Contain("J1S").And.Contain("L1R"));
        Assert.That(areas, Has.Count.EqualTo(9), "J, K, L then P, R, S: Q is never used");
        Assert.That(NeedWords.FsasForKeys("917"), Has.None.StartsWith("W").And.None.StartsWith("Z"));
        Assert.That(NeedWords.FsasForKeys("117"), Is.Empty, "key 1 has no letters");
        Assert.That(NeedWords.FsasForKeys("51"), Is.Empty);
        Assert.That(NeedWords.FsasForKeys("5*7"), Is.Empty);
    }

    [TestCase("K1P 1J1.", "K1P 1J1")]
    [TestCase("k 1 p 1 j 1", "K1P 1J1")]
    [TestCase("kay one pee", "K1P")]
    [TestCase("My postal code is K2P 0A4", "K2P 0A4")]
    [TestCase("H deux X un Y quatre", "H2X 1Y4")]
    [TestCase("I don't know", null)]
    public void A_postal_code_said_is_read_from_what_speech_recognition_heard(string heard, string? expected) =>
        Assert.That(NeedWords.PostalCodeFromSpeech(heard), Is.EqualTo(expected));

    [Test]
    public void Every_need_searches_terms_and_the_keypad_offers_the_most_asked_first()
    {
        Assert.That(NeedWords.All.All(n => n.Terms.Count > 0 && n.Word.Length > 0 && n.WordFr.Length > 0));
        Assert.That(NeedWords.Keypad.Select(n => n.Code).Take(3), Is.EqualTo(new[] { "food", "shelter", "mental_health" }));
        Assert.That(NeedWords.Keypad, Has.Count.LessThanOrEqualTo(8), "keys 1 to 8 at most: 9 and 0 are taken");
        // Every word shown to a person is read back as its own need.
        foreach (var need in NeedWords.All)
        {
            Assert.That(NeedWords.Parse(need.Word)?.Needs.Single(), Is.EqualTo(need), need.Word);
            Assert.That(NeedWords.Parse(need.WordFr)?.Needs.Single(), Is.EqualTo(need), need.WordFr);
        }
    }
}
