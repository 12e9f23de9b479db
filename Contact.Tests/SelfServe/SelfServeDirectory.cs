using System.Globalization;
using System.Text;
using Contact.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Contact.Tests.SelfServe;

/// <summary>
/// A small directory of its own for the self-serve tests, replacing whatever the template database holds, and a host
/// whose clock the tests set (schedules are read in Ottawa time).
/// </summary>
public static class SelfServeDirectory
{
    private static readonly TimeZoneInfo Ottawa = TimeZoneInfo.FindSystemTimeZoneById("America/Toronto");

    /// <summary>An instant given in Ottawa's local time.</summary>
    public static DateTimeOffset Local(int year, int month, int day, int hour, int minute = 0)
    {
        var local = new DateTime(year, month, day, hour, minute, 0, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, Ottawa.GetUtcOffset(local)).ToUniversalTime();
    }

    /// <summary>Wednesday 25 November 2026, 14:00 in Ottawa: every weekday service is open.</summary>
    public static DateTimeOffset WednesdayAfternoon => Local(2026, 11, 25, 14);

    /// <summary>Saturday 28 November 2026, 23:00 in Ottawa: only the night meal van is open.</summary>
    public static DateTimeOffset SaturdayNight => Local(2026, 11, 28, 23);

    public sealed record Service(string Id, string Name, string NameFr, string Term, string Address, double Latitude, double Longitude, string Phone,
        string Days, string Opens, string Closes);

    /// <summary>Food services near K1P (downtown Ottawa), one legal clinic and seniors' centres near and far, with their weekly hours.</summary>
    public static readonly IReadOnlyList<Service> Services =
    [
        new("svc-food-1", "Centretown Food Bank", "Banque alimentaire Centre-ville", "BD-1800.2000", "10 Bank St", 45.4190, -75.6990, "613-555-0101", "MO,TU,WE,TH,FR", "09:00", "17:00"),
        new("svc-food-2", "Lowertown Soup Kitchen", "Soupe populaire Basse-Ville", "BD-5000.8300", "20 Dalhousie St", 45.4290, -75.6920, "613-555-0102", "MO,TU,WE,TH,FR,SA,SU", "11:00", "19:00"),
        new("svc-food-3", "Sandy Hill Pantry", "Garde-manger Côte-de-Sable", "BD-1800.2000", "30 Nelson St", 45.4260, -75.6780, "613-555-0103", "MO,TU,WE,TH,FR", "10:00", "16:00"),
        new("svc-food-4", "Glebe Community Meals", "Repas communautaires Glebe", "BD-5000.8300", "40 Lyon St", 45.4050, -75.6880, "613-555-0104", "MO,TU,WE,TH,FR,SA", "12:00", "20:00"),
        new("svc-food-5", "Night Meal Van", "Camion-repas de nuit", "BD-5000.8300", "50 Rideau St", 45.4270, -75.6900, "613-555-0105", "MO,TU,WE,TH,FR,SA,SU", "22:00", "02:00"),
        new("svc-food-6", "Westboro Saturday Pantry", "Garde-manger du samedi", "BD-1800.2000", "60 Richmond Rd", 45.3920, -75.7520, "613-555-0106", "SA", "09:00", "12:00"),
        new("svc-legal-1", "Downtown Legal Clinic", "Clinique juridique du centre", "FT-3000", "70 Elgin St", 45.4210, -75.6930, "613-555-0107", "MO,TU,WE,TH,FR", "09:00", "17:00"),
        // Three seniors' centres near K1P and two about 22 km east and west of it (past the first rings, and balanced so
        // that the directory's services still centre on K1P).
        new("svc-senior-1", "Byward Seniors Centre", "Centre des aînés Byward", "LH-0350", "80 York St", 45.4280, -75.6910, "613-555-0108", "MO,TU,WE,TH,FR", "09:00", "17:00"),
        new("svc-senior-2", "Centretown Seniors Club", "Club des aînés Centre-ville", "LH-0350", "90 Bank St", 45.4160, -75.7000, "613-555-0109", "MO,TU,WE,TH,FR", "09:00", "17:00"),
        new("svc-senior-3", "Glebe Seniors Drop-in", "Halte des aînés Glebe", "LH-0350", "100 Bank St", 45.4040, -75.6870, "613-555-0110", "MO,TU,WE,TH,FR", "09:00", "17:00"),
        new("svc-senior-4", "Navan Seniors Centre", "Centre des aînés de Navan", "LH-0350", "110 Colonial Rd", 45.4300, -75.4200, "613-555-0111", "MO,TU,WE,TH,FR", "09:00", "17:00"),
        new("svc-senior-5", "West Carleton Seniors Centre", "Centre des aînés de West Carleton", "LH-0350", "120 Carp Rd", 45.4100, -75.9800, "613-555-0112", "MO,TU,WE,TH,FR", "09:00", "17:00"),
    ];

    /// <summary>The services open on Wednesday afternoon for FOOD.</summary>
    public static IEnumerable<string> FoodOpenWednesday => Services.Take(4).Select(s => s.Name);

    /// <summary>A host over a fresh database holding only this directory, on <paramref name="clock"/>.</summary>
    public static async Task<ContactFactory> CreateAsync(FakeTimeProvider clock)
    {
        var database = await TestDatabase.CloneAsync();
        await SeedAsync(database);
        return new ContactFactory(database, services: s => s.AddSingleton<TimeProvider>(clock));
    }

    private static async Task SeedAsync(string connectionString)
    {
        var sql = new StringBuilder("""
            do $$
            declare t text;
            begin
                for t in select tablename from pg_tables where schemaname = 'directory' and tablename <> 'postal_areas' loop
                    execute format('truncate directory.%I cascade', t);
                end loop;
            end $$;
            insert into directory.organizations (id, name, description) values ('org-1', 'Ottawa Community Network', 'Community services.');
            insert into directory.taxonomy_terms (id, code, name, description, parent_id, name_fr) values
                ('t-bd1800', 'BD-1800', 'Emergency Food', 'Emergency food.', null, 'Aide alimentaire d''urgence'),
                ('t-bd18002000', 'BD-1800.2000', 'Food Pantries', 'Food pantries.', 't-bd1800', 'Banques alimentaires'),
                ('t-bd5000', 'BD-5000', 'Meals', 'Meals.', null, 'Repas'),
                ('t-bd50008300', 'BD-5000.8300', 'Soup Kitchens', 'Soup kitchens.', 't-bd5000', 'Soupes populaires'),
                ('t-ft3000', 'FT-3000', 'Legal Counselling', 'Legal aid.', null, 'Aide juridique'),
                ('t-lh0350', 'LH-0350', 'Senior Centres', 'Senior centres.', null, 'Centres pour aînés');

            """);
        foreach (var s in Services)
        {
            var term = "t-" + s.Term.Replace("-", "", StringComparison.Ordinal).Replace(".", "", StringComparison.Ordinal).ToLowerInvariant();
            sql.Append(CultureInfo.InvariantCulture, $"""
                insert into directory.services (id, organization_id, name, name_fr, description, status) values ('{s.Id}', 'org-1', '{s.Name}', '{s.NameFr.Replace("'", "''", StringComparison.Ordinal)}', 'Help for people in need.', 'active');
                insert into directory.locations (id, location_type, organization_id, name, latitude, longitude) values ('loc-{s.Id}', 'physical', 'org-1', '{s.Name}', {s.Latitude}, {s.Longitude});
                insert into directory.service_at_location (id, service_id, location_id) values ('sal-{s.Id}', '{s.Id}', 'loc-{s.Id}');
                insert into directory.addresses (id, location_id, address_1, city, state_province, postal_code, country, address_type) values ('adr-{s.Id}', 'loc-{s.Id}', '{s.Address}', 'Ottawa', 'ON', 'K1P 1J1', 'CA', 'physical');
                insert into directory.phones (id, service_id, location_id, number) values ('ph-{s.Id}', '{s.Id}', 'loc-{s.Id}', '{s.Phone}');
                insert into directory.schedules (id, service_id, freq, wkst, byday, opens_at, closes_at) values ('sch-{s.Id}', '{s.Id}', 'WEEKLY', 'MO', '{s.Days}', '{s.Opens}', '{s.Closes}');
                insert into directory.attributes (id, link_id, taxonomy_term_id, link_type, link_entity) values ('att-{s.Id}', '{s.Id}', '{term}', 'service', 'service');

                """);
        }
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql.ToString(), connection);
        await command.ExecuteNonQueryAsync();
    }
}
