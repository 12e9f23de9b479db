using Contact.Core.Infrastructure;
using Dapper;
using Npgsql;

namespace Contact.Tests.Infrastructure;

public sealed class MigratorTests
{
    private static readonly Migration[] Sample =
    [
        Migrator.Parse("0002_add_colour.sql", "alter table widgets add column colour text"),
        Migrator.Parse("0001_widgets.sql", "create table widgets (id int primary key)"),
        Migrator.Parse("0003_fill.sql", "insert into widgets (id, colour) values (1, 'red')"),
    ];

    [Test]
    public async Task Migrations_are_applied_in_number_order_each_recorded_with_its_checksum()
    {
        await using var db = NpgsqlDataSource.Create(await TestDatabase.CreateEmptyAsync());
        var applied = await new Migrator(db).MigrateAsync([.. Sample.OrderBy(m => m.Version)]);
        Assert.That(applied.Select(m => m.Version), Is.EqualTo(new[] { 1, 2, 3 }));

        await using var connection = await db.OpenConnectionAsync();
        var rows = (await connection.QueryAsync<(int Version, string Checksum)>("select version, checksum from schema_migrations order by version")).ToList();
        Assert.That(rows.Select(r => r.Version), Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(rows.Select(r => r.Checksum), Is.EqualTo(Sample.OrderBy(m => m.Version).Select(m => m.Checksum)));
        Assert.That(await connection.ExecuteScalarAsync<string>("select colour from widgets where id = 1"), Is.EqualTo("red"));

        var again = await new Migrator(db).MigrateAsync([.. Sample.OrderBy(m => m.Version)]);
        Assert.That(again, Is.Empty);
    }

    [Test]
    public async Task An_applied_migration_that_was_edited_is_refused_and_nothing_more_is_applied()
    {
        await using var db = NpgsqlDataSource.Create(await TestDatabase.CreateEmptyAsync());
        await new Migrator(db).MigrateAsync([Sample[1]]);
        var edited = Migrator.Parse("0001_widgets.sql", "create table widgets (id bigint primary key)");

        var error = Assert.ThrowsAsync<MigrationChecksumException>(() => new Migrator(db).MigrateAsync([edited, Sample[0]]));
        Assert.That(error!.Message, Does.Contain("0001_widgets.sql").And.Contain("new, higher-numbered migration"));

        await using var connection = await db.OpenConnectionAsync();
        Assert.That(await connection.ExecuteScalarAsync<long>("select count(*) from schema_migrations"), Is.EqualTo(1));
    }

    [Test]
    public async Task A_failing_migration_leaves_nothing_half_applied()
    {
        await using var db = NpgsqlDataSource.Create(await TestDatabase.CreateEmptyAsync());
        var broken = Migrator.Parse("0002_broken.sql", "create table half (id int); select no_such_function()");
        Assert.ThrowsAsync<PostgresException>(() => new Migrator(db).MigrateAsync([Sample[1], broken]));

        await using var connection = await db.OpenConnectionAsync();
        Assert.That(await connection.ExecuteScalarAsync<long>("select count(*) from schema_migrations"), Is.EqualTo(1));
        Assert.That(await connection.ExecuteScalarAsync<string?>("select to_regclass('half')::text"), Is.Null);
    }

    [Test]
    public async Task Hosts_starting_together_apply_each_migration_exactly_once()
    {
        var connectionString = await TestDatabase.CreateEmptyAsync();
        var sources = Enumerable.Range(0, 6).Select(_ => NpgsqlDataSource.Create(connectionString)).ToList();
        try
        {
            var results = await Task.WhenAll(sources.Select(s => Task.Run(() => new Migrator(s).MigrateAsync())));
            var embedded = Migrator.Embedded();
            Assert.That(results.Sum(r => r.Count), Is.EqualTo(embedded.Count), "each migration applied by exactly one host");
            await using var connection = await sources[0].OpenConnectionAsync();
            Assert.That(await connection.ExecuteScalarAsync<long>("select count(*) from schema_migrations"), Is.EqualTo(embedded.Count));
        }
        finally
        {
            foreach (var s in sources)
            {
                await s.DisposeAsync();
            }
        }
    }

    [Test]
    public void The_shipped_migrations_are_numbered_without_gaps()
    {
        var versions = Migrator.Embedded().Select(m => m.Version).ToList();
        Assert.That(versions, Is.EqualTo(Enumerable.Range(1, versions.Count)));
    }
}
