using Contact.Core.ResourceDirectory;
using Dapper;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Contact.Tests.ResourceDirectory;

public sealed class HsdsPackageTests
{
    private NpgsqlDataSource _db = null!;
    private string _temp = null!;

    /// <summary>The Open Referral specification's example package, unchanged, in Contact.Tests/Data (see its README).</summary>
    internal static string ExamplePackage()
    {
        var example = Path.Combine(Infrastructure.Checkout.Root(), "Contact.Tests", "Data", "hsds-3.0-example");
        Assert.That(File.Exists(Path.Combine(example, "services.csv")), Is.True, $"The HSDS 3.0 example package is expected at {example}.");
        return example;
    }

    /// <summary>Every directory table's rows as JSON, in id order.</summary>
    internal static async Task<Dictionary<string, string>> SnapshotAsync(NpgsqlDataSource db)
    {
        await using var connection = await db.OpenConnectionAsync();
        var snapshot = new Dictionary<string, string>();
        foreach (var table in HsdsSchema.Tables)
        {
            snapshot[table.Name] = await connection.ExecuteScalarAsync<string>(
                $"select coalesce(json_agg(to_jsonb(t) - 'search_en' - 'search_fr' order by t.id)::text, '[]') from directory.{table.Table} t") ?? "";
        }
        return snapshot;
    }

    [SetUp]
    public async Task SetUpAsync()
    {
        _db = NpgsqlDataSource.Create(await TestDatabase.CloneAsync());
        _temp = Directory.CreateTempSubdirectory("contact-hsds-").FullName;
    }

    [TearDown]
    public async Task TearDownAsync()
    {
        await _db.DisposeAsync();
        Directory.Delete(_temp, recursive: true);
    }

    private string CopyOfExample()
    {
        var copy = Path.Combine(_temp, "broken");
        Directory.CreateDirectory(copy);
        foreach (var file in Directory.GetFiles(ExamplePackage()))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }
        return copy;
    }

    [Test]
    public async Task The_specifications_example_package_imports_unchanged_and_replaces_the_directory()
    {
        var result = await new HsdsImporter(_db).ImportAsync(ExamplePackage());

        Assert.That(result.Errors, Is.Empty);
        Assert.That(result.Counts["service"], Is.EqualTo(1));
        Assert.That(result.Counts.Where(c => c.Value == 1).Select(c => c.Key), Has.Exactly(21).Items, "every table of the example has one row");
        // The example's optional references to rows it does not contain are kept, and said.
        Assert.That(result.Warnings, Has.Some.EqualTo(
            "locations.csv:2: organization_id 985e4a42-bd9f-4edc-911d-0243a4640aca is not the id of any organization in the package; kept as given"));
        await using var connection = await _db.OpenConnectionAsync();
        var service = await connection.QuerySingleAsync<(string Name, decimal MinimumAge, DateTime LastModified)>(
            "select name, minimum_age, last_modified from directory.services");
        Assert.That(service.Name, Is.EqualTo("Community Counselling"));
        Assert.That(service.MinimumAge, Is.EqualTo(12m));
        Assert.That(service.LastModified, Is.EqualTo(new DateTime(2023, 3, 15, 10, 30, 45, 123, DateTimeKind.Utc)));
        Assert.That(await connection.ExecuteScalarAsync<string>("select opens_at::text || '-' || closes_at::text from directory.schedules"), Is.EqualTo("10:00:00-18:00:00"));
        Assert.That(await connection.ExecuteScalarAsync<string>("select number from directory.phones"), Is.EqualTo("\"+44 1234 234567\""), "a doubled quote inside a quoted field is one quote");

        // Searchable like any other directory: its one service is active and described as counselling.
        var search = new DirectorySearch(_db, new FakeTimeProvider(DateTimeOffset.UtcNow));
        var hits = (await search.SearchAsync(new DirectoryQuery(Text: "counselling depression"))).Hits;
        Assert.That(hits.Select(h => h.ServiceName), Is.EqualTo(new[] { "Community Counselling" }));
    }

    [Test]
    public async Task An_export_re_imports_to_the_same_directory()
    {
        var importer = new HsdsImporter(_db);
        var exporter = new HsdsExporter(_db);

        // The demo directory, with its French columns.
        var demo = await SnapshotAsync(_db);
        Assert.That(demo["service"], Does.Contain("name_fr"));
        await exporter.ExportAsync(Path.Combine(_temp, "demo"));
        Assert.That(await File.ReadAllTextAsync(Path.Combine(_temp, "demo", "services.csv")), Does.StartWith(
            "id,organization_id,program_id,name,alternate_name,description,url,email,status,interpretation_services,"));
        var again = await importer.ImportAsync(Path.Combine(_temp, "demo"));
        Assert.That(again.Errors, Is.Empty);
        Assert.That(await SnapshotAsync(_db), Is.EqualTo(demo));

        // The specification's example.
        Assert.That((await importer.ImportAsync(ExamplePackage())).Errors, Is.Empty);
        var example = await SnapshotAsync(_db);
        var counts = await exporter.ExportAsync(Path.Combine(_temp, "example"));
        Assert.That(counts.Values.Sum(), Is.EqualTo(21));
        Assert.That((await importer.ImportAsync(Path.Combine(_temp, "example"))).Errors, Is.Empty);
        Assert.That(await SnapshotAsync(_db), Is.EqualTo(example));
    }

    [Test]
    public async Task Exported_text_that_a_spreadsheet_would_run_is_escaped_and_reads_back_as_given()
    {
        var importer = new HsdsImporter(_db);
        Assert.That((await importer.ImportAsync(ExamplePackage())).Errors, Is.Empty);
        await using (var connection = await _db.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("""
                update directory.services set name = '=HYPERLINK("http://evil.example","Click")', description = '@SUM(A1:A9)', alternate_name = '-2+3'
                """);
        }
        var before = await SnapshotAsync(_db);
        await new HsdsExporter(_db).ExportAsync(Path.Combine(_temp, "escaped"));
        var csv = await File.ReadAllTextAsync(Path.Combine(_temp, "escaped", "services.csv"));
        Assert.That(csv, Does.Contain("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"Click\"\")\"").And.Contain(",'@SUM(A1:A9),").And.Contain(",'-2+3,"));
        Assert.That(csv, Does.Not.Contain(",=").And.Not.Contain(",@").And.Not.Contain(",-2"));
        Assert.That((await importer.ImportAsync(Path.Combine(_temp, "escaped"))).Errors, Is.Empty);
        Assert.That(await SnapshotAsync(_db), Is.EqualTo(before));
    }

    [Test]
    public async Task A_geojson_service_area_is_read_at_import_searched_by_its_polygon_and_exported_as_given()
    {
        var copy = CopyOfExample();
        var path = Path.Combine(copy, "service_areas.csv");
        // A square around Ottawa with a hole over Orléans, as GeoJSON in the extent column (quotes doubled for CSV).
        const string Extent = """{"type":"Polygon","coordinates":[[[-76.0,45.2],[-75.3,45.2],[-75.3,45.6],[-76.0,45.6],[-76.0,45.2]],[[-75.55,45.45],[-75.4,45.45],[-75.4,45.52],[-75.55,45.52],[-75.55,45.45]]]}""";
        var text = await File.ReadAllTextAsync(path);
        await File.WriteAllTextAsync(path, text.Replace(",extent,geojson,", ",\"" + Extent.Replace("\"", "\"\"", StringComparison.Ordinal) + "\",geojson,", StringComparison.Ordinal));

        var importer = new HsdsImporter(_db);
        var result = await importer.ImportAsync(copy);
        Assert.That(result.Errors, Is.Empty);
        Assert.That(result.Warnings, Has.None.Contains("service_areas.csv"));
        await using (var connection = await _db.OpenConnectionAsync())
        {
            Assert.That(await connection.ExecuteScalarAsync<int>("select cardinality(extent_rings) from directory.service_areas"), Is.EqualTo(2));
            var serves = await connection.QuerySingleAsync<(bool Downtown, bool Orleans, bool Toronto)>("""
                select directory.serves_point(service_id, -75.697, 45.42) as downtown, directory.serves_point(service_id, -75.472, 45.48) as orleans,
                       directory.serves_point(service_id, -79.395, 43.642) as toronto
                from directory.service_areas
                """);
            Assert.That(serves, Is.EqualTo((true, false, false)));
        }
        await new HsdsExporter(_db).ExportAsync(Path.Combine(_temp, "out"));
        var exported = await File.ReadAllTextAsync(Path.Combine(_temp, "out", "service_areas.csv"));
        Assert.That(exported, Does.StartWith("id,service_id,name,description,extent,extent_type,uri"));
        Assert.That(exported, Does.Contain(Extent.Replace("\"", "\"\"", StringComparison.Ordinal)));

        // The specification's own example ("extent" is not GeoJSON) imports with a warning; its area covers everywhere.
        var example = await importer.ImportAsync(ExamplePackage());
        Assert.That(example.Errors, Is.Empty);
        Assert.That(example.Warnings, Has.Some.EqualTo("service_areas.csv:2: extent is not JSON; kept as given, and the area covers everywhere in searches"));
        await using (var connection = await _db.OpenConnectionAsync())
        {
            Assert.That(await connection.ExecuteScalarAsync<bool>("select directory.serves_point(service_id, -79.395, 43.642) from directory.service_areas"), Is.True);
        }
    }

    [TestCase("""{"type":"Point","coordinates":[-75.7,45.4]}""", "is a GeoJSON Point, not a Polygon or MultiPolygon")]
    [TestCase("""{"type":"Polygon","coordinates":[[[-75.7,45.4],[-75.6,45.4],[-75.6,45.5]]]}""", "has a ring of fewer than four positions")]
    [TestCase("""{"type":"Polygon","coordinates":[[[-75.7,45.4],[-75.6,45.4],[-75.6,45.5],[-75.7,45.5]]]}""", "has a ring whose last position is not its first")]
    [TestCase("""{"type":"Polygon","coordinates":[[[-275.7,45.4],[-75.6,45.4],[-75.6,45.5],[-275.7,45.4]]]}""", "has a position [-275.7, 45.4] outside longitude -180..180, latitude -90..90")]
    [TestCase("""{"type":"FeatureCollection","features":[]}""", "holds no polygon")]
    [TestCase("""[1, 2]""", "is not a GeoJSON object (no \"type\")")]
    public void An_extent_that_is_not_an_area_says_why(string extent, string problem)
    {
        var (rings, reason) = GeoJsonArea.Read(extent);
        Assert.That(rings, Is.Null);
        Assert.That(reason, Is.EqualTo(problem));
    }

    [TestCase("services.csv", "ac148810-d857-441c-9679-408f346de14b,d9d5e0f5", "not-a-uuid,d9d5e0f5",
        "services.csv:2: id \"not-a-uuid\" is not a UUID")]
    [TestCase("services.csv", ",active,", ",,", "services.csv:2: status is required")]
    [TestCase("services.csv", ",active,", ",open,", "services.csv:2: status \"open\" is not one of active, inactive, defunct, temporarily closed")]
    [TestCase("services.csv", ",12,100,", ",twelve,100,", "services.csv:2: minimum_age \"twelve\" is not a number")]
    [TestCase("service_at_location.csv", "e94c9f38-1e8f-4564-91d4-d53501ab1765,ac148810-d857-441c-9679-408f346de14b",
        "e94c9f38-1e8f-4564-91d4-d53501ab1765,00000000-0000-4000-8000-000000000000",
        "service_at_location.csv:2: service_id 00000000-0000-4000-8000-000000000000 is not the id of any service")]
    [TestCase("schedules.csv", ",10:00:00,18:00:00,", ",10:00:00,25:00,", "schedules.csv:2: closes_at \"25:00\" is not a time (HH:MM or HH:MM:SS)")]
    [TestCase("schedules.csv", ",2005-01-01,2005-01-01,2005-01-01,", ",2005-13-01,2005-01-01,2005-01-01,", "schedules.csv:2: valid_from \"2005-13-01\" is not a date (YYYY-MM-DD)")]
    public async Task A_bad_row_is_reported_with_its_file_line_and_reason_and_nothing_is_imported(string file, string find, string replace, string expected)
    {
        var before = await SnapshotAsync(_db);
        var copy = CopyOfExample();
        var path = Path.Combine(copy, file);
        var text = await File.ReadAllTextAsync(path);
        Assert.That(text, Does.Contain(find));
        await File.WriteAllTextAsync(path, text.Replace(find, replace, StringComparison.Ordinal));

        var result = await new HsdsImporter(_db).ImportAsync(copy);

        Assert.That(result.Imported, Is.False);
        Assert.That(result.Errors, Has.Some.EqualTo(expected));
        Assert.That(await SnapshotAsync(_db), Is.EqualTo(before), "the directory is unchanged");
    }

    [Test]
    public async Task Lines_are_counted_in_the_file_even_when_a_quoted_field_spans_lines()
    {
        var before = await SnapshotAsync(_db);
        var copy = CopyOfExample();
        var path = Path.Combine(copy, "organizations.csv");
        // A good row whose description holds a comma, quotes and two line breaks (lines 3 to 5), a blank line,
        // then a bad row on line 7.
        await File.AppendAllTextAsync(path,
            "0f8f5d0e-8c0b-4d8e-9f3a-2b1c3d4e5f60,Second Org,,\"Line one, with a comma\nline \"\"two\"\"\nline three\",,,,,,,,,\n\n" +
            "1f8f5d0e-8c0b-4d8e-9f3a-2b1c3d4e5f60,,,No name,,,,,,,,,\n");

        var result = await new HsdsImporter(_db).ImportAsync(copy);

        Assert.That(result.Errors, Is.EqualTo(new[] { "organizations.csv:7: name is required" }));
        Assert.That(await SnapshotAsync(_db), Is.EqualTo(before));

        await File.WriteAllTextAsync(path, (await File.ReadAllTextAsync(path)).Replace(",,,No name,", ",Third Org,,No name,", StringComparison.Ordinal));
        Assert.That((await new HsdsImporter(_db).ImportAsync(copy)).Errors, Is.Empty);
        await using var connection = await _db.OpenConnectionAsync();
        Assert.That(await connection.ExecuteScalarAsync<string>("select description from directory.organizations where name = 'Second Org'"),
            Is.EqualTo("Line one, with a comma\nline \"two\"\nline three"));
    }

    [Test]
    public async Task Duplicate_ids_missing_columns_and_a_missing_descriptor_are_refused()
    {
        var copy = CopyOfExample();
        var services = Path.Combine(copy, "services.csv");
        var lines = (await File.ReadAllTextAsync(services)).TrimEnd('\n').Split('\n');
        await File.WriteAllTextAsync(services, string.Join('\n', lines.Append(lines[1])) + "\n");
        var taxonomies = Path.Combine(copy, "taxonomies.csv");
        await File.WriteAllTextAsync(taxonomies, "id,description\n5c4d79d7-cc55-470e-9f1f-8cad074e4892,x\n");

        var result = await new HsdsImporter(_db).ImportAsync(copy);
        Assert.That(result.Errors, Is.SupersetOf(new[]
        {
            "services.csv:3: id ac148810-d857-441c-9679-408f346de14b appears twice in service",
            "taxonomies.csv:1: required column name is missing",
        }));

        File.Delete(Path.Combine(copy, "datapackage.json"));
        Assert.That((await new HsdsImporter(_db).ImportAsync(copy)).Errors, Has.Some.EqualTo("datapackage.json: missing"));
    }

    [Test]
    public async Task A_byte_order_mark_and_columns_outside_hsds_are_accepted_and_the_columns_reported()
    {
        var copy = CopyOfExample();
        var path = Path.Combine(copy, "taxonomies.csv");
        await File.WriteAllTextAsync(path, "\uFEFFid,name,description,uri,version,colour\n5c4d79d7-cc55-470e-9f1f-8cad074e4892,name,description,http://example.com,version,blue\n",
            new System.Text.UTF8Encoding(false));

        var result = await new HsdsImporter(_db).ImportAsync(copy);

        Assert.That(result.Errors, Is.Empty);
        Assert.That(result.Warnings, Has.Some.EqualTo("taxonomies.csv:1: column colour is not part of HSDS taxonomy; ignored"));
        await using var connection = await _db.OpenConnectionAsync();
        Assert.That(await connection.ExecuteScalarAsync<string>("select id from directory.taxonomies"), Is.EqualTo("5c4d79d7-cc55-470e-9f1f-8cad074e4892"));
    }

    [Test]
    public async Task In_the_demo_directory_the_mental_health_phone_lines_come_with_a_radius_search()
    {
        var search = new DirectorySearch(_db, new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 16, 0, 0, TimeSpan.Zero)));
        var hits = (await search.SearchAsync(new DirectoryQuery(Terms: ["RP-1400", "RP-1500"], PostalCode: "K1P", WithinKm: 10, Limit: 50))).Hits;
        var lines = hits.Where(h => h.LocationId is null).Select(h => h.ServiceName).ToList();
        Assert.That(lines, Does.Contain("24/7 Mental Health Crisis Line").And.Contain("Youth Mental Health Line"));
        Assert.That(hits.Where(h => h.LocationId is null).Select(h => h.DistanceKm), Is.All.Null);
        Assert.That(hits.Where(h => h.LocationId is not null), Is.Not.Empty);
        // Within each fit, the located services come first.
        foreach (var fit in hits.GroupBy(h => h.Rank))
        {
            var located = fit.Select(h => h.LocationId is not null).ToList();
            Assert.That(located, Is.EqualTo(located.OrderByDescending(x => x).ToList()));
        }
    }

    [Test]
    public async Task The_demo_directory_has_fifty_services_in_both_languages_with_the_shared_taxonomy()
    {
        await using var connection = await _db.OpenConnectionAsync();
        Assert.That(await connection.ExecuteScalarAsync<int>(
            "select count(*) from directory.services where status = 'active' and name_fr is not null and description_fr is not null"), Is.GreaterThanOrEqualTo(50));
        var codes = (await connection.QueryAsync<string>("select code from directory.taxonomy_terms")).ToList();
        Assert.That(codes, Is.SupersetOf(new[]
        {
            "BD-1800", "BD-1800.2000", "BD-5000", "BD-5000.8300", "BH-1800", "BH-1800.8500", "BH-3800", "BH-3800.7000",
            "RP-1400", "RP-1400.8000", "RP-1500", "RP-1500.1400-500", "NL-1000", "ND-6500", "FT-3000", "TJ-3000", "LH-0350",
            "YB-8000", "YB-9500", "YN-5000", "YF-3000",
        }));
        // Every service code has a service.
        var unused = await connection.QueryAsync<string>("""
            select t.code from directory.taxonomy_terms t
            where not exists (select 1 from directory.attributes a where a.taxonomy_term_id = t.id)
            """);
        Assert.That(unused, Is.Empty);

        // Friday 27 November 2026, 22:00 in Ottawa: the 24/7 crisis line answers.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 3, 0, 0, TimeSpan.Zero));
        var search = new DirectorySearch(_db, clock);
        var crisis = await search.SearchAsync(new DirectoryQuery(Terms: ["RP-1500"], OpenNow: true, Language: "fr"));
        Assert.That(crisis.Hits.Select(h => h.ServiceName), Does.Contain("Ligne de crise en santé mentale 24/7"));
        var food = await search.SearchAsync(new DirectoryQuery(Terms: ["BD-1800"], PostalCode: "K1N 5M8", WithinKm: 3));
        Assert.That(food.Hits, Is.Not.Empty);
        Assert.That(food.Hits.All(h => h.DistanceKm <= 3 && h.TaxonomyCodes.Any(c => c.StartsWith("BD-1800", StringComparison.Ordinal))), Is.True);
        var housing = await search.SearchAsync(new DirectoryQuery(Text: "loyer", Language: "fr"));
        Assert.That(housing.Hits.Select(h => h.ServiceName), Does.Contain("Banque de loyer d'Ottawa"));
    }
}
