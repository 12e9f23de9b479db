using Contact.Core.ResourceDirectory;
using Dapper;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Contact.Tests.ResourceDirectory;

public sealed class DirectorySearchTests
{
    private static readonly TimeZoneInfo Ottawa = TimeZoneInfo.FindSystemTimeZoneById("America/Toronto");
    private NpgsqlDataSource _db = null!;
    private FakeTimeProvider _clock = null!;
    private DirectorySearch _search = null!;

    private static DateTimeOffset Local(int year, int month, int day, int hour, int minute) =>
        new(new DateTime(year, month, day, hour, minute, 0), Ottawa.GetUtcOffset(new DateTime(year, month, day, hour, minute, 0)));

    /// <summary>A small directory of its own, replacing whatever the template holds.</summary>
    internal static async Task InsertSmallDirectoryAsync(NpgsqlDataSource db)
    {
        await using var connection = await db.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            truncate directory.organizations, directory.programs, directory.services, directory.locations,
                directory.service_at_location, directory.contacts, directory.addresses, directory.phones, directory.schedules,
                directory.funding, directory.service_areas, directory.required_documents, directory.languages,
                directory.accessibility, directory.taxonomies, directory.taxonomy_terms, directory.attributes,
                directory.metadata, directory.meta_table_descriptions, directory.cost_options, directory.organization_identifiers;

            insert into directory.organizations (id, name, description, name_fr) values
                ('org-1', 'Capital Community Help', 'Community services', 'Aide communautaire de la capitale');

            insert into directory.taxonomy_terms (id, code, name, description, parent_id, name_fr) values
                ('t-bd1800', 'BD-1800', 'Emergency Food', 'Food', null, 'Aide alimentaire d''urgence'),
                ('t-bd1800-2000', 'BD-1800.2000', 'Food Pantries', 'Pantries', 't-bd1800', 'Banques alimentaires'),
                ('t-foodbox', 'FOOD-BOX', 'Food Boxes', 'Boxes of food', 't-bd1800', 'Paniers de nourriture'),
                ('t-bd5000', 'BD-5000', 'Meals', 'Meals', null, 'Repas'),
                ('t-bh1800', 'BH-1800', 'Emergency Shelter', 'Shelter', null, 'Hébergement d''urgence'),
                ('t-rp1500', 'RP-1500', 'Crisis Intervention', 'Crisis', null, 'Intervention de crise'),
                ('t-yb8000', 'YB-8000', 'Older Adults', 'Seniors', null, 'Aînés');

            insert into directory.services (id, organization_id, name, description, status, minimum_age, maximum_age, name_fr, description_fr) values
                ('s-pantry', 'org-1', 'Downtown Food Pantry', 'Free groceries every weekday.', 'active', null, null,
                 'Banque alimentaire du centre-ville', 'Épicerie gratuite en semaine.'),
                ('s-meals', 'org-1', 'Orleans Community Meals', 'Hot lunch on weekends.', 'active', null, null,
                 'Repas communautaires d''Orléans', 'Dîner chaud la fin de semaine.'),
                ('s-cupboard', 'org-1', 'Kanata Food Cupboard', 'Evening food cupboard.', 'active', 18, null,
                 'Armoire alimentaire de Kanata', 'Armoire alimentaire en soirée.'),
                ('s-seniors', 'org-1', 'Glebe Seniors Lunch', 'Lunch for older adults.', 'active', 65, null,
                 'Dîner des aînés du Glebe', 'Dîner pour les personnes aînées.'),
                ('s-closed', 'org-1', 'Old Food Pantry', 'Closed for good.', 'defunct', null, null, null, null),
                ('s-crisis', 'org-1', 'Distress Line', 'Talk to someone any time, day or night.', 'active', null, null,
                 'Ligne de détresse', 'Parlez à quelqu''un à toute heure.'),
                ('s-boxes', 'org-1', 'Vanier Food Boxes', 'Food boxes for families.', 'active', null, 17,
                 'Paniers de Vanier', 'Paniers de nourriture pour les familles.'),
                ('s-shelter', 'org-1', 'Emergency Night Shelter', 'Emergency beds for the night.', 'active', 16, null,
                 'Refuge de nuit', 'Hébergement d''urgence : lits pour la nuit.');

            insert into directory.attributes (id, link_id, taxonomy_term_id, link_entity) values
                ('a1', 's-pantry', 't-bd1800-2000', 'service'),
                ('a2', 's-meals', 't-bd5000', 'service'),
                ('a3', 's-cupboard', 't-bd1800', 'service'),
                ('a4', 's-seniors', 't-bd5000', 'service'),
                ('a5', 's-seniors', 't-yb8000', 'service'),
                ('a6', 's-closed', 't-bd1800-2000', 'service'),
                ('a7', 's-crisis', 't-rp1500', 'service'),
                ('a8', 's-boxes', 't-foodbox', 'service'),
                ('a9', 's-shelter', 't-bh1800', 'service');

            insert into directory.locations (id, location_type, name, latitude, longitude) values
                ('l-downtown', 'physical', 'Downtown Centre', 45.4200, -75.6970),
                ('l-orleans', 'physical', 'Orléans Hall', 45.4800, -75.4720),
                ('l-kanata', 'physical', 'Kanata Hub', 45.3100, -75.8900),
                ('l-glebe', 'physical', 'Glebe Church', 45.4020, -75.6870),
                ('l-vanier', 'physical', 'Vanier Centre', 45.4380, -75.6600);

            insert into directory.service_at_location (id, service_id, location_id) values
                ('sal-pantry', 's-pantry', 'l-downtown'),
                ('sal-meals', 's-meals', 'l-orleans'),
                ('sal-cupboard', 's-cupboard', 'l-kanata'),
                ('sal-seniors', 's-seniors', 'l-glebe'),
                ('sal-closed', 's-closed', 'l-downtown'),
                ('sal-boxes', 's-boxes', 'l-vanier'),
                ('sal-shelter', 's-shelter', 'l-downtown');

            insert into directory.addresses (id, location_id, address_1, city, state_province, postal_code, country, address_type) values
                ('ad-downtown', 'l-downtown', '100 Elgin Street', 'Ottawa', 'ON', 'K1P 1J1', 'CA', 'physical');

            insert into directory.phones (id, service_id, number) values ('p-crisis', 's-crisis', '613-555-0100');

            insert into directory.languages (id, service_id, name, code) values
                ('lg1', 's-pantry', 'English', 'en'), ('lg2', 's-pantry', 'French', 'fr'),
                ('lg3', 's-meals', 'English', 'en'), ('lg4', 's-cupboard', 'English', 'en');

            insert into directory.schedules (id, service_id, service_at_location_id, freq, byday, opens_at, closes_at, valid_from, valid_to) values
                ('sc-pantry', 's-pantry', 'sal-pantry', 'WEEKLY', 'MO,TU,WE,TH,FR', '09:00', '17:00', null, null),
                ('sc-meals', 's-meals', null, 'WEEKLY', 'SA,SU', '11:00', '14:00', null, null),
                ('sc-cupboard', 's-cupboard', null, 'WEEKLY', 'MO,TU,WE,TH', '17:00', '21:00', null, null),
                ('sc-seniors', 's-seniors', null, 'WEEKLY', 'FR', '11:00', '16:00', '2026-01-01', '2026-06-30'),
                ('sc-crisis', 's-crisis', null, 'WEEKLY', 'MO,TU,WE,TH,FR,SA,SU', '00:00', '00:00', null, null),
                ('sc-shelter', 's-shelter', null, 'WEEKLY', 'MO,TU,WE,TH,FR,SA,SU', '19:00', '07:00', null, null);
            """);
    }

    [SetUp]
    public async Task SetUpAsync()
    {
        _db = NpgsqlDataSource.Create(await TestDatabase.CloneAsync());
        await InsertSmallDirectoryAsync(_db);
        // Friday 27 November 2026, 15:30 in Ottawa.
        _clock = new FakeTimeProvider(Local(2026, 11, 27, 15, 30).ToUniversalTime());
        _search = new DirectorySearch(_db, _clock);
    }

    [TearDown]
    public async Task TearDownAsync() => await _db.DisposeAsync();

    private async Task<string[]> IdsAsync(DirectoryQuery query)
    {
        var result = await _search.SearchAsync(query);
        Assert.That(result.Problem, Is.Null);
        return [.. result.Hits.Select(h => h.ServiceId)];
    }

    [Test]
    public async Task A_term_finds_itself_and_its_children_by_code_and_by_parent_but_never_an_inactive_service()
    {
        Assert.That(await IdsAsync(new DirectoryQuery(Terms: ["BD-1800"], Limit: 50)),
            Is.EquivalentTo(new[] { "s-pantry", "s-cupboard", "s-boxes" }));
    }

    [Test]
    public async Task A_child_term_finds_only_its_own_services()
    {
        Assert.That(await IdsAsync(new DirectoryQuery(Terms: ["BD-1800.2000"])), Is.EqualTo(new[] { "s-pantry" }));
    }

    [Test]
    public async Task Service_terms_are_alternatives_and_a_target_population_narrows_them()
    {
        Assert.That(await IdsAsync(new DirectoryQuery(Terms: ["BD-1800.2000", "BD-5000"], Limit: 50)),
            Is.EquivalentTo(new[] { "s-pantry", "s-meals", "s-seniors" }));
        Assert.That(await IdsAsync(new DirectoryQuery(Terms: ["BD-5000", "YB-8000"])), Is.EqualTo(new[] { "s-seniors" }));
    }

    [Test]
    public async Task Free_text_matches_in_english_and_shows_the_requested_language()
    {
        var result = await _search.SearchAsync(new DirectoryQuery(Text: "grocery", Language: "fr"));
        Assert.That(result.Hits.Select(h => h.ServiceId), Is.EqualTo(new[] { "s-pantry" }));
        Assert.That(result.Hits[0].ServiceName, Is.EqualTo("Banque alimentaire du centre-ville"));
        Assert.That(result.Hits[0].OrganizationName, Is.EqualTo("Aide communautaire de la capitale"));
        Assert.That(result.Hits[0].Rank, Is.GreaterThan(0));
    }

    [Test]
    public async Task Free_text_matches_in_french_with_or_without_accents()
    {
        Assert.That(await IdsAsync(new DirectoryQuery(Text: "hébergement", Language: "fr")), Is.EqualTo(new[] { "s-shelter" }));
        Assert.That(await IdsAsync(new DirectoryQuery(Text: "hebergements")), Is.EqualTo(new[] { "s-shelter" }));
        Assert.That(await IdsAsync(new DirectoryQuery(Text: "épiceries")), Is.EqualTo(new[] { "s-pantry" }));
        Assert.That(await IdsAsync(new DirectoryQuery(Text: "zzyzx")), Is.Empty);
    }

    [Test]
    public async Task Distance_keeps_services_within_the_radius_nearest_first()
    {
        // From Parliament Hill: downtown (~0.1 km), Glebe (~2 km), Vanier (~3 km); Orléans and Kanata are far.
        // The distress line has no place and no service area: it serves everywhere, so it comes too, without a distance.
        var result = await _search.SearchAsync(new DirectoryQuery(Latitude: 45.4236, Longitude: -75.7009, WithinKm: 5, Limit: 50));
        var ids = result.Hits.Select(h => h.ServiceId).ToArray();
        Assert.That(ids, Is.EquivalentTo(new[] { "s-pantry", "s-shelter", "s-seniors", "s-boxes", "s-crisis" }));
        var located = result.Hits.Where(h => h.LocationId is not null).ToList();
        Assert.That(located.Select(h => h.DistanceKm!.Value), Is.Ordered);
        Assert.That(located[0].DistanceKm, Is.LessThan(1));
        Assert.That(located.Last().ServiceId, Is.EqualTo("s-boxes"));
        Assert.That(located.Last().DistanceKm, Is.EqualTo(3.6).Within(0.6));
        Assert.That(result.Hits.Last().ServiceId, Is.EqualTo("s-crisis"));
        Assert.That(result.Hits.Last().DistanceKm, Is.Null);
    }

    /// <summary>Three more crisis lines without a place: one whose area is a square around Kanata, two whose area
    /// (a MultiPolygon with a hole over Orléans, and a second polygon around Toronto) covers downtown.</summary>
    private async Task AddPhoneLinesWithAreasAsync()
    {
        await using var connection = await _db.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            insert into directory.services (id, organization_id, name, description, status) values
                ('s-kanata-line', 'org-1', 'Kanata Crisis Line', 'Crisis support by phone for Kanata.', 'active'),
                ('s-city-line', 'org-1', 'City Crisis Line', 'Crisis support by phone for the city.', 'active'),
                ('s-night-line', 'org-1', 'Night Crisis Line', 'Crisis support by phone at night.', 'active');
            insert into directory.attributes (id, link_id, taxonomy_term_id, link_entity) values
                ('a-kanata-line', 's-kanata-line', 't-rp1500', 'service'),
                ('a-city-line', 's-city-line', 't-rp1500', 'service'),
                ('a-night-line', 's-night-line', 't-rp1500', 'service');
            insert into directory.service_areas (id, service_id, name) values
                ('sa-kanata', 's-kanata-line', 'Kanata'), ('sa-city', 's-city-line', 'Ottawa'), ('sa-night', 's-night-line', 'Ottawa');
            insert into directory.schedules (id, service_id, freq, byday, opens_at, closes_at) values
                ('sc-night-line', 's-night-line', 'WEEKLY', 'MO,TU,WE,TH,FR,SA,SU', '20:00', '06:00');
            """);
        var kanata = GeoJsonArea.Read("""{"type":"Polygon","coordinates":[[[-76.0,45.25],[-75.8,45.25],[-75.8,45.37],[-76.0,45.37],[-76.0,45.25]]]}""");
        var city = GeoJsonArea.Read("""
            {"type":"Feature","properties":{},"geometry":{"type":"MultiPolygon","coordinates":[
              [[[-76.0,45.2],[-75.3,45.2],[-75.3,45.6],[-76.0,45.6],[-76.0,45.2]],
               [[-75.55,45.45],[-75.4,45.45],[-75.4,45.52],[-75.55,45.52],[-75.55,45.45]]],
              [[[-80.0,43.0],[-79.0,43.0],[-79.0,44.0],[-80.0,44.0],[-80.0,43.0]]]]}}
            """);
        Assert.That(kanata.Problem, Is.Null);
        Assert.That(city.Problem, Is.Null);
        Assert.That(city.Rings, Has.Length.EqualTo(3));
        foreach (var (id, rings) in new[] { ("sa-kanata", kanata.Rings!), ("sa-city", city.Rings!), ("sa-night", city.Rings!) })
        {
            await connection.ExecuteAsync("update directory.service_areas set extent_rings = @rings where id = @id", new { id, rings });
        }
    }

    [Test]
    public async Task A_service_without_a_place_comes_after_the_located_ones_when_its_area_covers_the_point()
    {
        await AddPhoneLinesWithAreasAsync();
        // Downtown: the distress line (no area: everywhere) and the city lines (their area holds downtown); not the Kanata line.
        var downtown = await _search.SearchAsync(new DirectoryQuery(Terms: ["RP-1500", "BD-1800.2000"], Latitude: 45.4236, Longitude: -75.7009,
            WithinKm: 5, Limit: 50));
        Assert.That(downtown.Hits.Select(h => h.ServiceId), Is.EqualTo(new[] { "s-pantry", "s-city-line", "s-crisis", "s-night-line" }));
        Assert.That(downtown.Hits[0].DistanceKm, Is.Not.Null);
        Assert.That(downtown.Hits.Skip(1).Select(h => h.DistanceKm), Is.All.Null);
        Assert.That(downtown.Hits.Skip(1).Select(h => h.LocationId), Is.All.Null);

        // In Kanata, the Kanata line too; in Orléans (the hole in the city lines' area), neither the city nor the Kanata lines.
        var kanata = await IdsAsync(new DirectoryQuery(Terms: ["RP-1500"], PostalCode: "K2L", WithinKm: 5, Limit: 50));
        Assert.That(kanata, Is.EquivalentTo(new[] { "s-kanata-line", "s-city-line", "s-crisis", "s-night-line" }));
        var orleans = await IdsAsync(new DirectoryQuery(Terms: ["RP-1500"], PostalCode: "K1E", WithinKm: 5, Limit: 50));
        Assert.That(orleans, Is.EqualTo(new[] { "s-crisis" }));
        // In Toronto, the city lines' second polygon; without a radius the same rule holds.
        var toronto = await IdsAsync(new DirectoryQuery(Terms: ["RP-1500"], PostalCode: "M5V", Limit: 50));
        Assert.That(toronto, Is.EquivalentTo(new[] { "s-city-line", "s-crisis", "s-night-line" }));
    }

    [Test]
    public async Task Open_now_applies_to_services_without_a_place()
    {
        await AddPhoneLinesWithAreasAsync();
        // Friday 15:30: the 24/7 distress line is open, the night line is not, the city line has no hours.
        var afternoon = await _search.SearchAsync(new DirectoryQuery(Terms: ["RP-1500"], PostalCode: "K1P", WithinKm: 10, OpenNow: true));
        Assert.That(afternoon.Hits.Select(h => h.ServiceId), Is.EqualTo(new[] { "s-crisis" }));
        Assert.That(afternoon.Hits[0].Hours, Is.EqualTo("Open 24/7"));
        Assert.That(afternoon.Hits[0].OpenNow, Is.True);

        _clock.SetUtcNow(Local(2026, 11, 27, 23, 0).ToUniversalTime());
        var night = await _search.SearchAsync(new DirectoryQuery(Terms: ["RP-1500"], PostalCode: "K1P", WithinKm: 10, OpenNow: true));
        Assert.That(night.Hits.Select(h => h.ServiceId), Is.EquivalentTo(new[] { "s-crisis", "s-night-line" }));
        var line = night.Hits.Single(h => h.ServiceId == "s-night-line");
        Assert.That(line.OpenNow, Is.True);
        Assert.That(line.Hours, Does.Contain("20:00"));
    }

    [Test]
    public async Task A_service_with_a_place_is_never_listed_as_one_without()
    {
        // Moving the pantry's only location away from downtown takes it out of a downtown radius search altogether
        // (it has a place, just not there); taking its coordinates away makes it a service without a place.
        await using var connection = await _db.OpenConnectionAsync();
        await connection.ExecuteAsync("update directory.locations set latitude = 45.31, longitude = -75.89 where id = 'l-downtown'");
        Assert.That(await IdsAsync(new DirectoryQuery(Terms: ["BD-1800.2000"], PostalCode: "K1P", WithinKm: 5)), Is.Empty);
        await connection.ExecuteAsync("update directory.locations set latitude = null, longitude = null where id = 'l-downtown'");
        var hits = (await _search.SearchAsync(new DirectoryQuery(Terms: ["BD-1800.2000"], PostalCode: "K1P", WithinKm: 5))).Hits;
        Assert.That(hits.Select(h => (h.ServiceId, h.LocationId, h.DistanceKm)), Is.EqualTo(new[] { ("s-pantry", (string?)"l-downtown", (double?)null) }));
        await connection.ExecuteAsync("delete from directory.service_at_location where service_id = 's-pantry'");
        hits = (await _search.SearchAsync(new DirectoryQuery(Terms: ["BD-1800.2000"], PostalCode: "K1P", WithinKm: 5))).Hits;
        Assert.That(hits.Select(h => (h.ServiceId, h.LocationId)), Is.EqualTo(new[] { ("s-pantry", (string?)null) }));
    }

    [Test]
    public async Task A_nearby_search_lists_the_nearest_ring_first_and_widens_only_to_fill_the_page()
    {
        // From K1P: the pantry (downtown) and the boxes (Vanier, ~3.5 km) are within 5 km; the Kanata cupboard (~19 km) is past 15 km.
        var query = new DirectoryQuery(Terms: ["BD-1800"], PostalCode: "K1P", Limit: 2);
        var first = await _search.SearchNearbyAsync(query, NearbyCursor.Start);
        Assert.That(first.Hits.Select(h => h.ServiceId), Is.EqualTo(new[] { "s-pantry", "s-boxes" }));
        Assert.That(first.More, Is.True, "a wider ring has more");
        Assert.That(first.After, Is.EqualTo(new[] { new NearbyCursor(0, 1), new NearbyCursor(0, 2) }));

        var second = await _search.SearchNearbyAsync(query, first.Next(2, NearbyCursor.Start));
        Assert.That(second.Hits.Select(h => (h.ServiceId, h.DistanceKm > 15)), Is.EqualTo(new[] { ("s-cupboard", (bool?)true) }));
        Assert.That(second.More, Is.False);

        // Only one listed of the first page: the next page starts at the second, none skipped or repeated.
        var resumed = await _search.SearchNearbyAsync(query, first.Next(1, NearbyCursor.Start));
        Assert.That(resumed.Hits.Select(h => h.ServiceId), Is.EqualTo(new[] { "s-boxes", "s-cupboard" }));

        // A page the first ring fills never reads the wider ones' services into it.
        var small = await _search.SearchNearbyAsync(query with { Limit = 1 }, NearbyCursor.Start);
        Assert.That(small.Hits.Select(h => h.ServiceId), Is.EqualTo(new[] { "s-pantry" }));
        Assert.That(small.More, Is.True);
        Assert.That((await _search.SearchNearbyAsync(query with { PostalCode = "X0A" }, NearbyCursor.Start)).Problem, Is.EqualTo("postal_code.unknown"));

        // From Toronto (350 km) nothing is near: no hits and no more, though a search without a radius finds them.
        var far = await _search.SearchNearbyAsync(query with { PostalCode = "M5V" }, NearbyCursor.Start);
        Assert.That(far.Problem, Is.Null);
        Assert.That(far.Hits, Is.Empty);
        Assert.That(far.More, Is.False);
        Assert.That((await _search.SearchAsync(query with { PostalCode = "M5V" })).Hits, Is.Not.Empty);
    }

    [Test]
    public async Task A_postal_code_stands_for_its_area_and_an_unknown_or_malformed_one_is_a_problem()
    {
        var byPostal = await _search.SearchAsync(new DirectoryQuery(Terms: ["BD"], PostalCode: "k2l 1a1", WithinKm: 5));
        Assert.That(byPostal.Hits.Select(h => h.ServiceId), Is.EqualTo(new[] { "s-cupboard" }));
        Assert.That(await _search.LocatePostalCodeAsync("K1P"), Is.Not.Null);
        Assert.That((await _search.SearchAsync(new DirectoryQuery(PostalCode: "X0A 0A0"))).Problem, Is.EqualTo("postal_code.unknown"));
        Assert.That((await _search.SearchAsync(new DirectoryQuery(PostalCode: "hello"))).Problem, Is.EqualTo("postal_code.invalid"));
        Assert.That(await _search.LocatePostalCodeAsync("12345"), Is.Null);
    }

    [Test]
    public async Task Open_now_reads_schedules_at_the_clocks_now_in_the_directory_time_zone()
    {
        // Friday 15:30: the weekday pantry and the 24/7 line; not the weekend meals, the evening cupboard,
        // the seniors' lunch (its schedule ended in June), the overnight shelter, or the boxes (no schedule).
        Assert.That(await IdsAsync(new DirectoryQuery(OpenNow: true, Limit: 50)), Is.EquivalentTo(new[] { "s-pantry", "s-crisis" }));

        // Saturday 02:00: the shelter that opened Friday 19:00 is still open.
        _clock.SetUtcNow(Local(2026, 11, 28, 2, 0).ToUniversalTime());
        Assert.That(await IdsAsync(new DirectoryQuery(OpenNow: true, Limit: 50)), Is.EquivalentTo(new[] { "s-shelter", "s-crisis" }));

        _clock.SetUtcNow(Local(2026, 11, 28, 12, 0).ToUniversalTime());
        Assert.That(await IdsAsync(new DirectoryQuery(OpenNow: true, Limit: 50)), Is.EquivalentTo(new[] { "s-meals", "s-crisis" }));
    }

    [Test]
    public async Task Open_now_follows_the_directory_time_zone_setting()
    {
        // Friday 18:30 in Ottawa is 15:30 in Vancouver: the weekday pantry is closed in one zone and open in the other.
        _clock.SetUtcNow(Local(2026, 11, 27, 18, 30).ToUniversalTime());
        Assert.That(await IdsAsync(new DirectoryQuery(Terms: ["BD-1800.2000"], OpenNow: true)), Is.Empty);
        var vancouver = new DirectorySearch(_db, _clock, "America/Vancouver");
        Assert.That(() => new DirectorySearch(_db, _clock, "Mars/Olympus_Mons"), Throws.ArgumentException.With.Message.Contains("Directory:TimeZone"));
        Assert.That((await vancouver.SearchAsync(new DirectoryQuery(Terms: ["BD-1800.2000"], OpenNow: true))).Hits.Select(h => h.ServiceId),
            Is.EqualTo(new[] { "s-pantry" }));
    }

    [Test]
    public async Task Monthly_and_every_other_week_schedules_open_on_their_days_only()
    {
        await using (var connection = await _db.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("""
                insert into directory.schedules (id, service_id, freq, bymonthday, opens_at, closes_at)
                    values ('sc-boxes', 's-boxes', 'MONTHLY', '1,27', '10:00', '16:00');
                update directory.schedules set byday = 'TH,FR', interval = 2, dtstart = '2026-11-16' where id = 'sc-cupboard';
                update directory.schedules set opens_at = '15:00' where id = 'sc-cupboard';
                """);
        }
        // Friday 27 November, 15:30: the 27th of the month; the cupboard's fortnight began on the week of the 16th,
        // so this week is off.
        Assert.That(await IdsAsync(new DirectoryQuery(Terms: ["BD-1800"], OpenNow: true, Limit: 50)), Is.EquivalentTo(new[] { "s-pantry", "s-boxes" }));
        var hours = (await _search.SearchAsync(new DirectoryQuery(Terms: ["FOOD-BOX"]))).Hits[0].Hours;
        Assert.That(hours, Is.EqualTo("Days 1, 27 of the month 10:00–16:00"));

        // A week later it is the cupboard's week, and not the 27th.
        _clock.SetUtcNow(Local(2026, 12, 4, 15, 30).ToUniversalTime());
        Assert.That(await IdsAsync(new DirectoryQuery(Terms: ["BD-1800"], OpenNow: true, Limit: 50)), Is.EquivalentTo(new[] { "s-pantry", "s-cupboard" }));
    }

    [Test]
    public async Task Hits_say_their_hours_in_either_language_and_whether_they_are_open()
    {
        var en = (await _search.SearchAsync(new DirectoryQuery(Terms: ["BD-1800"], Limit: 50))).Hits.ToDictionary(h => h.ServiceId);
        Assert.That(en["s-pantry"].Hours, Is.EqualTo("Mon–Fri 9:00–17:00"));
        Assert.That(en["s-pantry"].OpenNow, Is.True);
        Assert.That(en["s-pantry"].Address, Does.Contain("100 Elgin Street"));
        Assert.That(en["s-pantry"].Languages, Is.EqualTo(new[] { "en", "fr" }));
        Assert.That(en["s-pantry"].TaxonomyCodes, Is.EqualTo(new[] { "BD-1800.2000" }));
        Assert.That(en["s-cupboard"].Hours, Is.EqualTo("Mon–Thu 17:00–21:00"));
        Assert.That(en["s-cupboard"].OpenNow, Is.False);
        Assert.That(en["s-boxes"].OpenNow, Is.Null);
        Assert.That(en["s-boxes"].Hours, Is.Null);

        var fr = (await _search.SearchAsync(new DirectoryQuery(Terms: ["BD-1800.2000", "RP-1500"], Language: "fr"))).Hits.ToDictionary(h => h.ServiceId);
        Assert.That(fr["s-pantry"].Hours, Is.EqualTo("lun–ven 9 h–17 h"));
        Assert.That(fr["s-crisis"].Hours, Is.EqualTo("Ouvert 24 h sur 24, 7 jours sur 7"));
        Assert.That(fr["s-crisis"].LocationId, Is.Null);
        Assert.That(fr["s-crisis"].Phone, Is.EqualTo("613-555-0100"));
    }

    [Test]
    public async Task Age_and_service_language_narrow_the_results()
    {
        Assert.That(await IdsAsync(new DirectoryQuery(Terms: ["BD-5000"], Age: 30)), Is.EqualTo(new[] { "s-meals" }));
        Assert.That(await IdsAsync(new DirectoryQuery(Terms: ["BD-5000"], Age: 70, Limit: 50)), Is.EquivalentTo(new[] { "s-meals", "s-seniors" }));
        Assert.That(await IdsAsync(new DirectoryQuery(Terms: ["BD-1800"], Age: 12, Limit: 50)), Is.EquivalentTo(new[] { "s-pantry", "s-boxes" }));
        Assert.That(await IdsAsync(new DirectoryQuery(Terms: ["BD"], ServiceLanguage: "fr", Limit: 50)), Is.EqualTo(new[] { "s-pantry" }));
        Assert.That(await IdsAsync(new DirectoryQuery(Terms: ["BD"], ServiceLanguage: "English", Limit: 50)),
            Is.EquivalentTo(new[] { "s-pantry", "s-meals", "s-cupboard" }));
    }

    [Test]
    public async Task Fit_ranks_before_distance_and_pages_say_whether_more_exist()
    {
        // The seniors' lunch matches both groups (meals and older adults) only when both are asked for;
        // the meals and the lunch both match BD-5000 once, so the nearer comes first.
        var near = await _search.SearchAsync(new DirectoryQuery(Terms: ["BD-5000"], Latitude: 45.4236, Longitude: -75.7009));
        Assert.That(near.Hits.Select(h => h.ServiceId), Is.EqualTo(new[] { "s-seniors", "s-meals" }));
        var text = await _search.SearchAsync(new DirectoryQuery(Terms: ["BD"], Text: "food", Latitude: 45.4800, Longitude: -75.4720, Limit: 50));
        Assert.That(text.Hits.Select(h => h.ServiceId), Does.Not.Contain("s-meals"), "text and term are combined with AND");
        Assert.That(text.Hits.Select(h => h.Rank), Is.Ordered.Descending);

        var first = await _search.SearchAsync(new DirectoryQuery(Terms: ["BD"], Limit: 2));
        var rest = await _search.SearchAsync(new DirectoryQuery(Terms: ["BD"], Offset: 2, Limit: 10));
        Assert.That(first.More, Is.True);
        Assert.That(rest.More, Is.False);
        Assert.That(first.Hits.Concat(rest.Hits).Select(h => h.ServiceId), Is.Unique);
        Assert.That(first.Hits.Count + rest.Hits.Count, Is.EqualTo(5));
    }

    [Test]
    public async Task Terms_are_found_by_code_or_name_in_either_language()
    {
        var byCode = await _search.FindTermsAsync("bd-1800", "en", 10);
        Assert.That(byCode.Select(t => t.Code), Is.EqualTo(new[] { "BD-1800", "BD-1800.2000" }));
        Assert.That(byCode[1].ParentCode, Is.EqualTo("BD-1800"));
        Assert.That(await _search.FindTermsAsync("%", "en", 10), Is.Empty, "a percent sign is a character, not a wildcard");
        var byFrench = await _search.FindTermsAsync("hebergement", "fr", 10);
        Assert.That(byFrench.Select(t => (t.Code, t.Name)), Is.EqualTo(new[] { ("BH-1800", "Hébergement d'urgence") }));
    }

    [Test]
    public async Task Find_returns_one_service_at_one_location_or_null()
    {
        var hit = await _search.FindAsync("s-pantry", "l-downtown", "fr");
        Assert.That(hit, Is.Not.Null);
        Assert.That(hit!.ServiceAtLocationId, Is.EqualTo("sal-pantry"));
        Assert.That(hit.ServiceName, Is.EqualTo("Banque alimentaire du centre-ville"));
        var alone = await _search.FindAsync("s-pantry", null, "en");
        Assert.That(alone!.LocationId, Is.Null);
        Assert.That(alone.ServiceName, Is.EqualTo("Downtown Food Pantry"));
        Assert.That(await _search.FindAsync("s-pantry", "l-kanata", "en"), Is.Null);
        Assert.That(await _search.FindAsync("nope", null, "en"), Is.Null);
    }

    [Test]
    public async Task Find_reads_a_service_search_leaves_out_for_its_status_and_only_that_service()
    {
        Assert.That(await IdsAsync(new DirectoryQuery(Text: "Old Food Pantry", Limit: 50)), Does.Not.Contain("s-closed"));

        var closed = await _search.FindAsync("s-closed", null, "en");

        Assert.That(closed, Is.Not.Null, "a referral made to it still shows what it was");
        Assert.That(closed!.ServiceName, Is.EqualTo("Old Food Pantry"));
        Assert.That(closed.LocationId, Is.Null);
    }

    [Test]
    public void A_plan_over_one_service_carries_it_as_parameters_and_a_search_plan_reads_active_services_only()
    {
        var now = new DateTime(2026, 12, 7, 12, 0, 0, DateTimeKind.Unspecified);
        var (searchSql, searchParameters) = _search.Plan(new DirectoryQuery(), now);
        var (oneSql, oneParameters) = _search.Plan(new DirectoryQuery(), now, ServiceScope.One("s-pantry'; drop table cases; --", "l-downtown"));

        Assert.That(searchSql, Does.Contain("s.status = 'active'"));
        Assert.That(searchParameters.ParameterNames, Does.Not.Contain("scope_service_id"));
        Assert.That(oneSql, Does.Not.Contain("s.status = 'active'"));
        Assert.That(oneSql, Does.Not.Contain("drop table"), "the service id is a parameter, never text in the SQL");
        Assert.That(oneParameters.Get<string>("scope_service_id"), Is.EqualTo("s-pantry'; drop table cases; --"));
        Assert.That(oneParameters.Get<string>("scope_location_id"), Is.EqualTo("l-downtown"));
        Assert.Throws<ArgumentException>(() => ServiceScope.One(" ", null));
    }

    [Test]
    public void Every_directory_text_exists_in_english_and_french()
    {
        var texts = new Contact.Core.Infrastructure.ResourceTexts("Contact.Core.ResourceDirectory.DirectoryText", typeof(DirectoryText).Assembly);
        var english = texts.In(Contact.Core.Infrastructure.Language.English);
        var french = texts.In(Contact.Core.Infrastructure.Language.French);
        Assert.That(english.Keys, Is.EquivalentTo(french.Keys));
        Assert.That(english.Keys.Where(k => english[k] == french[k]), Is.Empty, "each text is translated");
    }
}
