using Contact.Core.Cases;
using Contact.Core.Catalog;
using Contact.Core.Infrastructure;
using Contact.Core.Sla;
using Contact.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Contact.Tests.Cases;

public sealed class CaseHistoryTests
{
    private NpgsqlDataSource _db = null!;
    private CaseIntake _intake = null!;
    private FakeTimeProvider _clock = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _db = NpgsqlDataSource.Create(await TestDatabase.CloneAsync());
        _clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 14, 30, 0, TimeSpan.Zero));
        _intake = new CaseIntake(new CatalogStore(_db, _clock), new CaseCommands(_db, _clock, new ChangeFeed(_db), Nothing.Outbox,
            new SlaStore(_db, _clock), Nothing.SlaTimers), NullLogger<CaseIntake>.Instance);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _db.DisposeAsync();

    private async Task<CreatedCase> NewCaseAsync()
    {
        var result = await _intake.SubmitAsync(new NewCase("fallen-tree", "agent", "en", "Large branch down",
            new Dictionary<string, IReadOnlyList<string>> { ["blocking"] = ["road"], ["wires"] = ["no"] }, "45 Main St"), "agent.smith");
        Assert.That(result.Errors, Is.Empty);
        return result.Case!;
    }

    [Test]
    public async Task A_new_case_carries_its_created_event_with_actor_and_time()
    {
        var created = await NewCaseAsync();
        await using var connection = await _db.OpenConnectionAsync();
        var events = (await connection.QueryAsync<(string Kind, string Actor, DateTime At)>(
            "select kind, actor, at from case_events where case_id = @Id", new { created.Id })).ToList();
        Assert.That(events, Has.Count.EqualTo(1));
        Assert.That(events[0].Kind, Is.EqualTo("created"));
        Assert.That(events[0].Actor, Is.EqualTo("agent.smith"));
        Assert.That(new DateTimeOffset(events[0].At, TimeSpan.Zero), Is.EqualTo(_clock.GetUtcNow()));
        Assert.That(created.CreatedAt, Is.EqualTo(_clock.GetUtcNow()));
    }

    [TestCase("update case_events set actor = 'someone else'")]
    [TestCase("delete from case_events")]
    [TestCase("truncate case_events")]
    public async Task History_can_be_neither_rewritten_nor_erased(string sql)
    {
        var created = await NewCaseAsync();
        await using var connection = await _db.OpenConnectionAsync();
        var error = Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(sql + (sql.StartsWith("truncate", StringComparison.Ordinal) ? "" : " where case_id = @Id"), new { created.Id }));
        Assert.That(error!.MessageText, Does.Contain("append-only"));
        Assert.That(await connection.ExecuteScalarAsync<long>("select count(*) from case_events where case_id = @Id and actor = 'agent.smith'", new { created.Id }), Is.EqualTo(1));
    }

    [Test]
    public async Task A_case_that_fails_a_database_check_leaves_no_history_behind()
    {
        await using var connection = await _db.OpenConnectionAsync();
        var before = await connection.ExecuteScalarAsync<long>("select count(*) from case_events");
        // Bypass the validator to prove the database itself keeps case and history together.
        Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync("""
            with c as (
                insert into cases (line, channel, category_id, description, language, created_at, updated_at)
                values ('311', 'web', (select id from categories where code = 'pothole'), repeat('x', 4001), 'en', now(), now())
                returning id, created_at)
            insert into case_events (case_id, at, kind, actor) select id, created_at, 'created', 'resident' from c
            """));
        Assert.That(await connection.ExecuteScalarAsync<long>("select count(*) from case_events"), Is.EqualTo(before));
    }
}
