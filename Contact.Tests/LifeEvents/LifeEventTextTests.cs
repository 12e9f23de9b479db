using Contact.Tests.Infrastructure;
using Contact.Tests.Sms;

namespace Contact.Tests.LifeEvents;

/// <summary>Tell us once by text: the keyword, the shared questions one at a time, the services to leave out, one number; every reply within 3 segments (Texter checks).</summary>
public sealed class LifeEventTextTests : AppFixture
{
    [Test]
    public async Task A_move_told_by_text_in_french_reaches_the_services_kept_with_one_number()
    {
        var texter = new Texter(App, "+16135550191");

        var first = await texter.TextAsync("DÉMÉNAGEMENT");
        Assert.That(first, Does.StartWith("Déménagement : dites-le-nous une fois").And.Contain("Votre ancienne adresse"));
        Assert.That(await texter.TextAsync("12, rue Vieille, Gatineau"), Does.Contain("Votre nouvelle adresse"));
        Assert.That(await texter.TextAsync("340, avenue Laurier Ouest, Ottawa"), Does.Contain("Date du déménagement"));
        Assert.That(await texter.TextAsync("le 32 décembre"), Does.Contain("Date du déménagement"), "a date that is not one is asked again");
        var people = await texter.TextAsync("2026-12-20");
        Assert.That(people, Does.Contain("Combien de personnes").And.Contain("PASSER"));
        var list = await texter.TextAsync("PASSER");
        Assert.That(list, Does.StartWith("Répondez avec les numéros à exclure, ou OUI pour tous :"));
        Assert.That(list, Does.Contain("\n7 RAMQ (Québec)").And.Contain("\n4 Stationnement").And.Contain("\n8 ARC"));
        Assert.That(await texter.TextAsync("1 2 3 4 5 6 7 8"), Does.StartWith("Il doit rester au moins un service."));
        Assert.That(await texter.TextAsync("9"), Does.StartWith("Répondez avec des numéros de la liste, ou OUI."));

        var water = await texter.TextAsync("4, 7");
        Assert.That(water, Does.StartWith("Compte d'eau : De quoi avez-vous besoin?"));
        Assert.That(await texter.TextAsync("1"), Is.EqualTo("Votre nom complet?"));
        var done = await texter.TextAsync("Camille Tremblay");

        var number = Texter.NumberIn(done);
        Assert.That(done, Does.Contain("6 services"));
        Assert.That(await App.TextAsync($"select channel || ' ' || language || ' ' || resident_name || ' ' || resident_phone from cases where number = '{number}'"),
            Is.EqualTo("sms fr Camille Tremblay +16135550191"));
        Assert.That(await App.TextAsync($"""
            select string_agg(k.code, ',' order by k.code) from referrals r join cases c on c.id = r.case_id join categories k on k.id = r.category_id where c.number = '{number}'
            """), Is.EqualTo("cra-address,driver-licence,health-card,property-tax,waste-new-address,water-account"));
        Assert.That(await App.ScalarAsync($"select count(*) from cases where number = '{number}' and answers->'shared' ? 'people'"), Is.EqualTo(0), "a skipped answer is not kept");
        // The next text starts afresh.
        Assert.That(await texter.TextAsync("AIDE"), Does.Not.Contain("Votre nom"));
    }

    [Test]
    public async Task Yes_keeps_every_service_and_their_own_questions_are_asked_in_turn()
    {
        var texter = new Texter(App, "+16135550192");
        await texter.TextAsync("moving");
        await texter.TextAsync("1 Old Rd, Gatineau");
        await texter.TextAsync("340 Laurier Ave W, Ottawa");
        await texter.TextAsync("2026-12-20");
        await texter.TextAsync("3");

        Assert.That(await texter.TextAsync("YES"), Does.StartWith("Water account : What do you need?"));
        Assert.That(await texter.TextAsync("1"), Does.StartWith("Parking permit : Licence plate"));
        Assert.That(await texter.TextAsync("CABC 123"), Does.StartWith("Parking permit : What do you need?"));
        Assert.That(await texter.TextAsync("1"), Does.StartWith("RAMQ (Quebec) : Which way are you moving?"));
        Assert.That(await texter.TextAsync("1"), Is.EqualTo("Your full name?"));
        var number = Texter.NumberIn(await texter.TextAsync("Robin Mover"));

        Assert.That(await App.ScalarAsync($"select count(*) from referrals r join cases c on c.id = r.case_id where c.number = '{number}'"), Is.EqualTo(8));
        Assert.That(await App.TextAsync($"select r.packet->'answers'->>'plate' from referrals r join cases c on c.id = r.case_id join categories k on k.id = r.category_id where c.number = '{number}' and k.code = 'parking-permit'"),
            Is.EqualTo("CABC 123"));
    }
}
