using Contact.Core.ResourceDirectory;
using Contact.Core.Notifications;

namespace Contact.Tests.ResourceDirectory;

public sealed class ServiceListTextTests
{
    private static ServiceListing Service(int i) =>
        new($"Community Food Bank {i}", $"{100 + i} Bank Street, Ottawa", "+1 613-555-01" + i.ToString("00", System.Globalization.CultureInfo.InvariantCulture), "Mon-Fri 9:00-17:00");

    [Test]
    public void Lists_whole_entries_in_order_with_header_and_footer()
    {
        var fitted = ServiceListText.Fit("Food near K1P:", [Service(1), Service(2)], "Reply MORE for more.");

        Assert.That(fitted.Listed, Is.EqualTo(2));
        Assert.That(fitted.Text, Is.EqualTo(
            "Food near K1P:\n" +
            "1. Community Food Bank 1, 101 Bank Street, Ottawa, +1 613-555-0101, Mon-Fri 9:00-17:00\n" +
            "2. Community Food Bank 2, 102 Bank Street, Ottawa, +1 613-555-0102, Mon-Fri 9:00-17:00\n" +
            "Reply MORE for more."));
    }

    [Test]
    public void Stops_at_the_segment_budget_and_keeps_the_footer()
    {
        var services = Enumerable.Range(1, 20).Select(Service).ToList();

        var fitted = ServiceListText.Fit("Food near K1P:", services, "Reply MORE for more.", maxSegments: 2);

        Assert.That(fitted.Listed, Is.InRange(1, 19));
        Assert.That(SmsSegments.Count(fitted.Text), Is.LessThanOrEqualTo(2));
        Assert.That(fitted.Text, Does.EndWith("Reply MORE for more."));
        Assert.That(fitted.Text, Does.Contain($"{fitted.Listed}. Community Food Bank {fitted.Listed},"));
        Assert.That(fitted.Text, Does.Not.Contain($"{fitted.Listed + 1}. "));
    }

    [Test]
    public void Shortens_a_single_entry_that_would_not_fit_whole()
    {
        var long_ = new ServiceListing("Centre de ressources communautaires", new string('a', 120) + " rue Rideau", "613-555-0199", "lun-ven 9 h à 17 h");

        var fitted = ServiceListText.Fit("Aide alimentaire :", [long_], null, maxSegments: 1);

        Assert.That(fitted.Listed, Is.EqualTo(1));
        Assert.That(fitted.Text, Is.EqualTo("Aide alimentaire :\n1. Centre de ressources communautaires, 613-555-0199"));
    }

    [Test]
    public void Numbers_from_the_given_first_number_for_a_next_page()
    {
        var fitted = ServiceListText.Fit("More:", [Service(4)], null, firstNumber: 4);

        Assert.That(fitted.Text, Does.StartWith("More:\n4. Community Food Bank 4,"));
    }

    [Test]
    public void A_listing_is_named_with_its_organization_and_its_typography_made_plain_so_english_stays_gsm7()
    {
        var listing = ServiceListing.Create("Food Cupboard", "St. Mark\u2019s Centre", "12 Elm St.", "613\u00A0555-0101", "Mon\u2013Fri 9:00\u201317:00");

        Assert.That(listing, Is.EqualTo(new ServiceListing("Food Cupboard (St. Mark's Centre)", "12 Elm St.", "613 555-0101", "Mon-Fri 9:00-17:00", "Food Cupboard")));
        Assert.That(SmsSegments.IsGsm7(ServiceListText.Entry(1, listing)), Is.True);
        Assert.That(ServiceListing.Create("Ottawa Food Bank", "ottawa food bank", null, null, null).Name, Is.EqualTo("Ottawa Food Bank"));
    }

    [Test]
    public void A_french_list_loses_only_the_accents_gsm7_lacks_so_three_services_fit_where_one_did()
    {
        ServiceListing[] services =
        [
            new("Popote roulante pour aînés", "175 Third Avenue, Ottawa, ON K1S 2K2", "+1 613-555-0206", "lun-ven 9 h-15 h"),
            new("Garde-manger Côte-de-Sable", "210 Elgin Street, Ottawa, ON K2P 1L7", "+1 613-555-0200", "lun, mer, ven 10 h-16 h"),
            new("Soupe populaire (Œuvre des repas)", "95 Murray Street, Ottawa, ON K1N 5M8", "+1 613-555-0202", "lun-ven 9 h-17 h"),
        ];

        var fitted = ServiceListText.Fit("NOURRITURE près de K1P 1J1, ouvert maintenant :", services, "Répondez PLUS pour la suite");

        Assert.That(fitted.Listed, Is.EqualTo(3), fitted.Text);
        Assert.That(SmsSegments.IsGsm7(fitted.Text), Is.True);
        Assert.That(fitted.Text, Does.Contain("1. Popote roulante pour ainés,").And.Contain("2. Garde-manger Cote-de-Sable,")
            .And.Contain("3. Soupe populaire (OEuvre des repas),").And.StartWith("NOURRITURE près de"), "é, è and à are GSM-7 and stay");
    }

    [TestCase("Centre des aînés «Côte»", "Centre des ainés \"Cote\"")]
    [TestCase("Centre des aînés 中文", "Centre des aînés 中文")]
    [TestCase("Café à Hull", "Café à Hull")]
    public void Accents_are_dropped_only_when_that_makes_the_whole_text_gsm7(string text, string expected) =>
        Assert.That(ServiceListText.Gsm7WherePossible(text), Is.EqualTo(expected));

    [Test]
    public void When_not_every_service_fits_whole_they_are_all_named_without_their_organization_if_that_lists_more()
    {
        var services = Enumerable.Range(1, 3).Select(i => ServiceListing.Create($"Banque alimentaire du quartier {i}",
            "Banque alimentaire communautaire Rideau", $"{200 + i} rue Elgin, Ottawa, ON K2P 1L7", "+1 613-555-020" + i, "lun, mer, ven 10 h-16 h")).ToList();
        const string Header = "NOURRITURE près de K1P 1J1, ouvert maintenant :";

        var fitted = ServiceListText.Fit(Header, services, "Répondez PLUS pour la suite");

        Assert.That(fitted.Listed, Is.EqualTo(3), fitted.Text);
        Assert.That(fitted.Text, Does.Contain("1. Banque alimentaire du quartier 1, 201 rue Elgin, Ottawa, ON K2P 1L7, +1 613-555-0201, lun, mer, ven 10 h-16 h")
            .And.Not.Contain("Rideau"));
        Assert.That(SmsSegments.Count(fitted.Text), Is.LessThanOrEqualTo(SmsSegments.Budget));

        // With room for them all, each keeps its organization.
        Assert.That(ServiceListText.Fit(Header, services, null, maxSegments: 4).Text,
            Does.Contain("1. Banque alimentaire du quartier 1 (Banque alimentaire communautaire Rideau), "));
        // When leaving the organizations out would not list one more, they stay.
        var giant = ServiceListing.Create(new string('x', 400), "Autre", null, "613-555-0100", null);
        var same = ServiceListText.Fit(Header, [services[0], services[1], giant], null);
        Assert.That(same.Listed, Is.EqualTo(2));
        Assert.That(same.Text, Does.Contain("2. Banque alimentaire du quartier 2 (Banque alimentaire communautaire Rideau), "));
    }
}
