using Contact.Core.Cases;
using Contact.Core.Catalog;

namespace Contact.Tests.Cases;

public sealed class CaseValidatorTests
{
    private static readonly LocalText Text = new("x", "x");

    private static readonly CatalogSnapshot Catalog = new(
        [new CategoryGroup("g", "311", Text)],
        [new Category(1, "c", "311", "g", Text, Text, [], [], true, true, null, "normal",
        [
            new CategoryQuestion("count", "number", true, Text, Text, []),
            new CategoryQuestion("when", "datetime", false, Text, Text, []),
            new CategoryQuestion("kinds", "multivaluelist", false, Text, Text, [new Choice("a", Text), new Choice("b", Text)]),
            new CategoryQuestion("one", "singlevaluelist", false, Text, Text, [new Choice("a", Text), new Choice("b", Text)]),
        ], [])],
        [], []);

    private static IReadOnlyList<FieldError> Errors(NewCase request) => CaseValidator.Validate(request, Catalog).Errors;

    private static NewCase Request(Dictionary<string, IReadOnlyList<string>>? answers = null) =>
        new("c", "web", "en", Answers: answers ?? new() { ["count"] = ["3"] }, Address: "1 Main St");

    [Test]
    public void A_complete_request_is_valid_and_normalised()
    {
        var (valid, errors) = CaseValidator.Validate(Request(new()
        {
            ["count"] = ["2,5"],
            ["when"] = ["2026-11-24T07:00:00-05:00"],
            ["kinds"] = ["a", "b", "a"],
        }) with { Phone = "(613) 555-0123", Email = " someone@example.org " }, Catalog);
        Assert.That(errors, Is.Empty);
        Assert.That(valid!.PhoneE164, Is.EqualTo("+16135550123"));
        Assert.That(valid.Answers["count"], Is.EqualTo("2.5"));
        Assert.That(valid.Answers["when"], Is.EqualTo("2026-11-24T07:00:00-05:00"));
        Assert.That(valid.Answers["kinds"], Is.EqualTo(new[] { "a", "b" }));
        Assert.That(valid.Request.Email, Is.EqualTo("someone@example.org"));
    }

    [Test]
    public void Each_problem_is_reported_on_its_own_field()
    {
        var errors = Errors(new NewCase("c", "web", "de",
            Answers: new Dictionary<string, IReadOnlyList<string>> { ["count"] = ["many"], ["when"] = ["soon"], ["one"] = ["a", "b"], ["kinds"] = ["z"], ["extra"] = ["1"] },
            Latitude: 95, Phone: "0", Email: "a@b", NotifyConsent: true));
        Assert.That(errors.Select(e => (e.Field, e.Code)), Is.EquivalentTo(new[]
        {
            ("language", "language.invalid"),
            ("longitude", "coordinates.incomplete"),
            ("latitude", "latitude.invalid"),
            ("phone", "phone.invalid"),
            ("email", "email.invalid"),
            ("answers.extra", "answer.unknown"),
            ("answers.count", "answer.not_number"),
            ("answers.when", "answer.not_datetime"),
            ("answers.one", "answer.one_value"),
            ("answers.kinds", "answer.not_choice"),
        }));
    }

    [Test]
    public void A_location_is_needed_where_the_category_says_so()
    {
        Assert.That(Errors(Request() with { Address = null }).Single().Code, Is.EqualTo("location.required"));
        Assert.That(Errors(Request() with { Address = null, Latitude = 45.42, Longitude = -75.69 }), Is.Empty);
    }

    [Test]
    public void Consent_to_be_told_needs_a_way_to_tell()
    {
        Assert.That(Errors(Request() with { NotifyConsent = true }).Single().Code, Is.EqualTo("consent.needs_contact"));
        Assert.That(Errors(Request() with { NotifyConsent = true, Email = "a@example.org" }), Is.Empty);
    }

    [Test]
    public void An_unknown_category_stops_before_the_answers_are_read()
    {
        var errors = Errors(new NewCase("nope", "web", "en"));
        Assert.That(errors.Single().Code, Is.EqualTo("category.unknown"));
    }
}
