using Dapper;
using Npgsql;

namespace Contact.Core.ResourceDirectory;

/// <summary>A forward sortation area the directory knows, with its name ("K1P", "Ottawa (Centre)").</summary>
public sealed record PostalArea(string Fsa, string Name);

/// <summary>Which of several possible postal code areas the directory knows: for a postal code keyed on a phone.</summary>
public sealed class PostalAreaLookup(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// The areas among <paramref name="fsas"/> that <c>directory.postal_areas</c> holds, nearest first to where the
    /// directory's services are (so the home city's area comes before a namesake across the country).
    /// </summary>
    public async Task<IReadOnlyList<PostalArea>> KnownAsync(IReadOnlyList<string> fsas, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fsas);
        if (fsas.Count == 0)
        {
            return [];
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return [.. await connection.QueryAsync<PostalArea>(new CommandDefinition("""
            with home as (
                select avg(latitude::float8) as latitude, avg(longitude::float8) as longitude
                from directory.locations where latitude is not null and longitude is not null)
            select p.fsa as Fsa, coalesce(p.name, p.fsa) as Name
            from directory.postal_areas p cross join home h
            where p.fsa = any(@fsas)
            order by power(p.latitude::float8 - coalesce(h.latitude, p.latitude::float8), 2)
                   + power(p.longitude::float8 - coalesce(h.longitude, p.longitude::float8), 2), p.fsa
            """, new { fsas = fsas.ToArray() }, cancellationToken: cancellationToken))];
    }
}
