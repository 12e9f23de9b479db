using System.Net;
using System.Net.Http.Json;
using Contact.Core.Infrastructure;
using Contact.Tests.Desktop;
using Microsoft.AspNetCore.SignalR.Client;
using Npgsql;

namespace Contact.Tests.Infrastructure;

/// <summary>The host connects as a runtime role that may add history but never rewrite it; the owner migrates.</summary>
public sealed class DatabaseRolesTests
{
    private const string Runtime = "contact_runtime_test";
    private ContactFactory _app = null!;
    private string _runtime = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        var owner = await TestDatabase.CloneAsync();
        await using (var connection = new NpgsqlConnection(owner))
        {
            await connection.OpenAsync();
            var password = new NpgsqlConnectionStringBuilder(owner).Password!.Replace("'", "''", StringComparison.Ordinal);
            await using var create = new NpgsqlCommand(
                $"do $$ begin if not exists (select 1 from pg_roles where rolname = '{Runtime}') then create role {Runtime} login password '{password}'; end if; end $$",
                connection);
            await create.ExecuteNonQueryAsync();
        }
        _runtime = new NpgsqlConnectionStringBuilder(owner) { Username = Runtime }.ConnectionString;
        _app = new ContactFactory(_runtime, new Dictionary<string, string?> { ["ConnectionStrings:Migrations"] = owner });
        _ = _app.Server;
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _app.DisposeAsync();

    private async Task<PostgresException> RefusedAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_runtime);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync())!;
    }

    [Test]
    public async Task The_host_works_as_the_runtime_role()
    {
        Assert.That(await _app.TextAsync("select current_user"), Is.EqualTo(Runtime));
        var number = await _app.FileAsync();
        await using var agent = await DesktopClient.ConnectAsync(_app, "agent");
        await agent.Hub.InvokeAsync<Contact.Core.Desktop.CaseDetail>("Claim", number);
        await agent.Hub.InvokeAsync<Contact.Core.Desktop.CaseDetail>("AddNote", number, "Called back");
        Assert.That(await _app.ScalarAsync($"select count(*) from case_events e join cases c on c.id = e.case_id where c.number = '{number}'"), Is.EqualTo(3));
        var status = await _app.CreateClient().GetAsync($"/api/cases/{number}");
        Assert.That(status.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [TestCase("update case_events set kind = 'note'")]
    [TestCase("delete from case_events")]
    [TestCase("truncate case_events")]
    [TestCase("alter table case_events disable trigger case_events_no_update_or_delete")]
    [TestCase("drop trigger case_events_no_update_or_delete on case_events")]
    [TestCase("drop table case_events")]
    [TestCase("delete from schema_migrations")]
    [TestCase("create table public.sneaky (x int)")]
    public async Task The_runtime_role_cannot_rewrite_history_or_the_schema(string sql)
    {
        var number = await _app.FileAsync();
        var before = await _app.ScalarAsync("select count(*) from case_events");

        var refused = await RefusedAsync(sql);

        Assert.That(refused.SqlState, Is.EqualTo(PostgresErrorCodes.InsufficientPrivilege), refused.MessageText);
        // Refused by the role's privileges, not only by the append-only trigger (which the owner could drop).
        Assert.That(refused.MessageText, Does.StartWith("permission denied").Or.StartWith("must be owner"));
        Assert.That(await _app.ScalarAsync("select count(*) from case_events"), Is.EqualTo(before));
        Assert.That(await _app.TextAsync($"select kind from case_events e join cases c on c.id = e.case_id where c.number = '{number}'"), Is.EqualTo("created"));
    }

    [Test]
    public void A_runtime_role_name_that_is_not_plain_is_refused()
    {
        Assert.ThrowsAsync<ArgumentException>(() => RuntimeRole.GrantAsync(null!, "x'; drop table cases; --"));
    }
}
