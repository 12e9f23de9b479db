using System.Text;
using Contact.Core.Catalog;
using Dapper;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Contact.Tests.Catalog;

public sealed class CatalogImportTests
{
    private NpgsqlDataSource _db = null!;

    [SetUp]
    public async Task CreateDatabaseAsync() => _db = NpgsqlDataSource.Create(await TestDatabase.CloneAsync());

    [TearDown]
    public async Task DropDatabaseAsync() => await _db.DisposeAsync();

    private static CatalogDocument Parse(string json) => CatalogImporter.Parse(new MemoryStream(Encoding.UTF8.GetBytes(json)));

    private const string Valid = """
        {
          "providers": [ { "code": "hydro", "level": "municipal", "name": { "en": "Hydro", "fr": "Hydro" }, "phone": "+16135550188" } ],
          "groups": [ { "code": "energy", "line": "311", "name": { "en": "Energy", "fr": "Énergie" } } ],
          "categories": [
            { "code": "power-out", "line": "311", "group": "energy", "public": true,
              "name": { "en": "Power outage", "fr": "Panne de courant" },
              "keywords": { "en": ["power", "outage"], "fr": ["panne", "électricité"] },
              "providers": ["hydro"],
              "questions": [ { "code": "homes", "datatype": "number", "required": true, "prompt": { "en": "How many homes?", "fr": "Combien de maisons?" } } ] }
          ],
          "clusters": [ { "code": "storm", "kind": "cluster", "name": { "en": "After a storm", "fr": "Après une tempête" }, "categories": ["power-out", "fallen-tree"] } ]
        }
        """;

    [Test]
    public async Task A_catalog_file_adds_services_that_the_intake_then_offers_in_both_languages()
    {
        var result = await new CatalogImporter(_db).ImportAsync(Parse(Valid));
        Assert.That(result, Is.EqualTo(new CatalogImportResult(1, 1, 1, 1)));

        var catalog = await new CatalogStore(_db, new FakeTimeProvider()).GetAsync();
        var power = catalog.Find("power-out")!;
        Assert.That(power.Name.In("fr"), Is.EqualTo("Panne de courant"));
        Assert.That(power.Questions.Single().Required, Is.True);
        Assert.That(power.ProviderCodes, Is.EqualTo(new[] { "hydro" }));
        Assert.That(catalog.Search("panne electricite").First().Code, Is.EqualTo("power-out"));
        Assert.That(catalog.Clusters.Single(k => k.Code == "storm").CategoryCodes, Is.EquivalentTo(new[] { "power-out", "fallen-tree" }));
    }

    [Test]
    public async Task Importing_the_same_file_twice_changes_nothing_the_second_time()
    {
        var importer = new CatalogImporter(_db);
        await importer.ImportAsync(Parse(Valid));
        await importer.ImportAsync(Parse(Valid));
        await using var connection = await _db.OpenConnectionAsync();
        Assert.That(await connection.ExecuteScalarAsync<long>("select count(*) from categories where code = 'power-out'"), Is.EqualTo(1));
        Assert.That(await connection.ExecuteScalarAsync<long>("select count(*) from category_questions q join categories c on c.id = q.category_id where c.code = 'power-out'"), Is.EqualTo(1));
    }

    [Test]
    public async Task A_bad_file_lists_every_problem_with_where_it_is_and_changes_nothing()
    {
        const string bad = """
            {
              "providers": [ { "code": "hydro", "level": "regional", "name": { "en": "Hydro", "fr": "" } } ],
              "groups": [ { "code": "Energy!", "line": "311", "name": { "en": "Energy", "fr": "Énergie" } } ],
              "categories": [
                { "code": "shelter-x", "line": "211", "group": "food", "public": true, "name": { "en": "X", "fr": "X" },
                  "providers": ["nobody"],
                  "questions": [
                    { "code": "q", "datatype": "colour", "prompt": { "en": "Q", "fr": "Q" } },
                    { "code": "r", "datatype": "singlevaluelist", "prompt": { "en": "R", "fr": "R" } } ] }
              ],
              "clusters": [ { "code": "c", "kind": "event", "name": { "en": "C", "fr": "C" }, "categories": ["missing"] } ]
            }
            """;
        await using var connection = await _db.OpenConnectionAsync();
        var before = await connection.ExecuteScalarAsync<long>("select (select count(*) from providers) + (select count(*) from categories) + (select count(*) from clusters)");

        var error = Assert.ThrowsAsync<CatalogImportException>(() => new CatalogImporter(_db).ImportAsync(Parse(bad)));

        Assert.That(error!.Errors, Has.Some.StartsWith("providers[0].level"));
        Assert.That(error.Errors, Has.Some.StartsWith("providers[0].name"));
        Assert.That(error.Errors, Has.Some.StartsWith("groups[0].code"));
        Assert.That(error.Errors, Has.Some.StartsWith("categories[0].public"));
        Assert.That(error.Errors, Has.Some.StartsWith("categories[0].providers"));
        Assert.That(error.Errors, Has.Some.StartsWith("categories[0].questions[0].datatype"));
        Assert.That(error.Errors, Has.Some.StartsWith("categories[0].questions[1].choices"));
        Assert.That(error.Errors, Has.Some.StartsWith("clusters[0].kind"));
        Assert.That(error.Errors, Has.Some.StartsWith("clusters[0].categories"));
        Assert.That(await connection.ExecuteScalarAsync<long>("select (select count(*) from providers) + (select count(*) from categories) + (select count(*) from clusters)"), Is.EqualTo(before));
    }

    [Test]
    public async Task A_bad_life_event_lists_every_problem_with_where_it_is_and_changes_nothing()
    {
        const string bad = """
            {
              "providers": [ { "code": "le-office", "level": "provincial", "name": { "en": "Office", "fr": "Bureau" }, "government": { "en": "Province", "fr": "" } } ],
              "groups": [ { "code": "le-group", "line": "311", "name": { "en": "G", "fr": "G" } } ],
              "categories": [
                { "code": "le-card", "line": "311", "group": "le-group", "public": false, "name": { "en": "Card", "fr": "Carte" }, "providers": ["le-office"],
                  "questions": [ { "code": "need", "datatype": "singlevaluelist", "required": true, "prompt": { "en": "Need", "fr": "Besoin" },
                                   "choices": [ { "key": "address", "name": { "en": "Address", "fr": "Adresse" } } ] } ] },
                { "code": "life-event.sneaky", "line": "311", "group": "le-group", "public": false, "name": { "en": "S", "fr": "S" } }
              ],
              "clusters": [
                { "code": "le-move", "kind": "life_event", "name": { "en": "Move", "fr": "Déménagement" }, "description": { "en": "Moving", "fr": "" },
                  "categories": ["le-card"], "line": "411",
                  "questions": [
                    { "code": "new_address", "datatype": "string", "required": true, "prompt": { "en": "New address", "fr": "Nouvelle adresse" } },
                    { "code": "phone", "datatype": "string", "prompt": { "en": "Phone", "fr": "Téléphone" } },
                    { "code": "unused", "datatype": "string", "prompt": { "en": "U", "fr": "U" } } ],
                  "services": [
                    { "category": "le-card", "receives": ["new_address", "sin"], "answers": { "need": ["renew"], "colour": ["red"] } },
                    { "category": "nowhere", "receives": [] } ] },
                { "code": "le-cluster", "kind": "cluster", "name": { "en": "C", "fr": "C" }, "services": [ { "category": "le-card" } ] }
              ]
            }
            """;
        await using var connection = await _db.OpenConnectionAsync();
        var before = await connection.ExecuteScalarAsync<long>("select (select count(*) from categories) + (select count(*) from clusters) + (select count(*) from life_event_questions)");

        var error = Assert.ThrowsAsync<CatalogImportException>(() => new CatalogImporter(_db).ImportAsync(Parse(bad)));

        Assert.That(error!.Errors, Does.Contain("providers[0].government: needs both \"en\" and \"fr\""));
        Assert.That(error.Errors, Has.Some.StartsWith("categories[1].code: codes starting \"life-event.\""));
        Assert.That(error.Errors, Has.Some.StartsWith("clusters[0].categories: a life event lists its services under \"services\""));
        Assert.That(error.Errors, Has.Some.StartsWith("clusters[0].line"));
        Assert.That(error.Errors, Does.Contain("clusters[0].description: needs both \"en\" and \"fr\""));
        Assert.That(error.Errors, Has.Some.StartsWith("clusters[0].questions[1].code: \"phone\" is the resident's contact detail"));
        Assert.That(error.Errors, Does.Contain("clusters[0].questions: \"unused\" is asked but no service receives it"));
        Assert.That(error.Errors, Has.Some.StartsWith("clusters[0].services[0].receives: \"sin\" is not one of the life event's questions"));
        Assert.That(error.Errors, Has.Some.StartsWith("clusters[0].services[0].answers.need: give one of address"));
        Assert.That(error.Errors, Has.Some.StartsWith("clusters[0].services[0].answers.colour: the category \"le-card\" has no question"));
        Assert.That(error.Errors, Has.Some.StartsWith("clusters[0].services[1].category: no category \"nowhere\""));
        Assert.That(error.Errors, Does.Contain("clusters[1].services: only a life event has services"));
        Assert.That(error.Errors, Has.Some.StartsWith("clusters[1].categories: a cluster lists at least one category"));
        Assert.That(await connection.ExecuteScalarAsync<long>("select (select count(*) from categories) + (select count(*) from clusters) + (select count(*) from life_event_questions)"), Is.EqualTo(before));
    }

    [Test]
    public async Task A_life_event_whose_service_has_no_provider_is_refused_and_changes_nothing()
    {
        const string orphan = """
            {
              "groups": [ { "code": "le-orphans", "line": "311", "name": { "en": "G", "fr": "G" } } ],
              "categories": [ { "code": "le-nobody", "line": "311", "group": "le-orphans", "public": false, "name": { "en": "Nobody's", "fr": "À personne" } } ],
              "clusters": [ { "code": "le-orphan", "kind": "life_event", "name": { "en": "O", "fr": "O" }, "description": { "en": "O", "fr": "O" },
                              "services": [ { "category": "le-nobody", "receives": ["name"] } ] } ]
            }
            """;
        var error = Assert.ThrowsAsync<CatalogImportException>(() => new CatalogImporter(_db).ImportAsync(Parse(orphan)));
        Assert.That(error!.Errors, Does.Contain("clusters[\"le-orphan\"].services: the category \"le-nobody\" has no active provider to refer it to"));
        await using var connection = await _db.OpenConnectionAsync();
        Assert.That(await connection.ExecuteScalarAsync<long>("select count(*) from categories where code in ('le-nobody', 'life-event.le-orphan')"), Is.EqualTo(0));
    }

    [TestCase("{ \"categories\": [ ", "not a valid catalog")]
    [TestCase("{ \"categorys\": [] }", "categorys")]
    [TestCase("{ \"groups\": [ { \"code\": \"x\", \"line\": \"311\" } ] }", "name")]
    public void A_file_that_is_not_a_catalog_is_refused_with_a_reason(string json, string mentioned)
    {
        var error = Assert.Throws<CatalogImportException>(() => Parse(json));
        Assert.That(error!.Message, Does.Contain(mentioned));
    }

    [Test]
    public void The_demo_catalog_is_a_realistic_city_catalog()
    {
        var demo = CatalogImporter.DemoCatalog();
        var categories = demo.Categories!;
        Assert.That(categories.Count(c => c.Line == "311"), Is.InRange(15, 45));
        Assert.That(categories.Count(c => c.Line == "211"), Is.InRange(8, 15));
        Assert.That(categories.Where(c => c.Line == "211").Select(c => c.TaxonomyCode), Has.All.Not.Null);
        Assert.That(categories.Single(c => c.Code == "food-bank").TaxonomyCode, Is.EqualTo("BD-1800.2000"));
        Assert.That(demo.Providers!.Select(p => p.Level).Distinct(), Is.EquivalentTo(new[] { "municipal", "provincial", "federal", "community" }));
        Assert.That(demo.Clusters!.Select(k => k.Code), Is.SupersetOf(new[] { "moving", "new-baby", "death", "losing-a-job" }));
        Assert.That(demo.Clusters!.Where(k => k.Kind == "life_event").Select(k => k.Code), Is.EquivalentTo(new[] { "moving", "new-baby", "death", "losing-a-job" }));
    }
}
