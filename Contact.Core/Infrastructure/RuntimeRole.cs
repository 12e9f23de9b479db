using Npgsql;

namespace Contact.Core.Infrastructure;

/// <summary>
/// The two database roles: the owner, which owns the schema and runs the migrations (<c>ConnectionStrings:Migrations</c>),
/// and the runtime role the host connects as (<c>ConnectionStrings:Cases</c>). The runtime role reads and writes the
/// tables it needs; it may only add to <c>case_events</c> (no UPDATE, DELETE or TRUNCATE) and to the migration record,
/// and, owning nothing, it can neither drop nor disable a trigger nor change the schema.
/// </summary>
public static class RuntimeRole
{
    /// <summary>The role the embedded cluster creates for the host to connect as.</summary>
    public const string EmbeddedName = "contact_app";

    /// <summary>
    /// Grants <paramref name="runtimeRole"/> what the host needs on every schema the owner (the connection's user)
    /// owns, and takes back what it must not have. Run after each migration pass, so new tables are covered.
    /// </summary>
    public static async Task GrantAsync(NpgsqlConnection owner, string runtimeRole, CancellationToken cancellationToken = default)
    {
        if (!System.Text.RegularExpressions.Regex.IsMatch(runtimeRole, "^[A-Za-z_][A-Za-z0-9_.-]{0,62}$"))
        {
            throw new ArgumentException($"The runtime role {runtimeRole} is not a plain role name (letters, digits, _ . -).", nameof(runtimeRole));
        }
        // The role's name reaches the block as a setting, never spliced into its text.
        await using (var name = new NpgsqlCommand("select set_config('contact.runtime_role', @role, false)", owner))
        {
            name.Parameters.AddWithValue("role", runtimeRole);
            await name.ExecuteNonQueryAsync(cancellationToken);
        }
        await using var command = new NpgsqlCommand("""
            do $grants$
            declare
                runtime text := current_setting('contact.runtime_role');
                s record;
            begin
                execute format('grant connect, temporary on database %I to %I', current_database(), runtime);
                for s in select n.nspname from pg_namespace n
                         where (n.nspname = 'public' or pg_get_userbyid(n.nspowner) = current_user) and n.nspname not like 'pg\_%' and n.nspname <> 'information_schema'
                loop
                    execute format('grant usage on schema %I to %I', s.nspname, runtime);
                    execute format('revoke create on schema %I from %I', s.nspname, runtime);
                    execute format('grant select, insert, update, delete on all tables in schema %I to %I', s.nspname, runtime);
                    execute format('revoke truncate, references, trigger on all tables in schema %I from %I', s.nspname, runtime);
                    execute format('grant usage, select, update on all sequences in schema %I to %I', s.nspname, runtime);
                    execute format('grant execute on all functions in schema %I to %I', s.nspname, runtime);
                end loop;
                -- History is append-only, whoever asks; the record of migrations is the owner's.
                execute format('revoke update, delete, truncate on table public.case_events from %I', runtime);
                execute format('revoke insert, update, delete, truncate on table public.schema_migrations from %I', runtime);
                -- The case-number key is read to number a case; changing it could give a number twice.
                execute format('revoke insert, update, delete, truncate on table public.case_number_key from %I', runtime);
            end
            $grants$
            """, owner);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
