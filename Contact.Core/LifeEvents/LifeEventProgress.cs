using Contact.Core.Catalog;
using Dapper;
using Npgsql;

namespace Contact.Core.LifeEvents;

/// <summary>Where one service of a life event stands, for the resident: who delivers it and what became of its referral.</summary>
/// <param name="Service">The service's name.</param>
/// <param name="Provider">Who delivers it.</param>
/// <param name="Status">review, sent, accepted, declined or completed.</param>
/// <param name="Note">The provider's words when it declined or completed (for the resident).</param>
/// <param name="UpdatedAt">When it last changed.</param>
/// <param name="DueAt">When its service standard expects it done, while it is open.</param>
public sealed record ServiceProgress(LocalText Service, Provider Provider, string Status, string Note, DateTimeOffset UpdatedAt, DateTimeOffset? DueAt);

/// <summary>A life event's progress: one line per service and provider.</summary>
public sealed class LifeEventProgress(NpgsqlDataSource dataSource)
{
    private sealed record Row(
        string ServiceEn, string ServiceFr, string Code, string Level, string NameEn, string NameFr, string GovernmentEn, string GovernmentFr,
        string Status, string ResponseNote, DateTimeOffset UpdatedAt, DateTimeOffset? DueAt);

    /// <summary>The lines of case <paramref name="caseId"/>, in the life event's order; empty when it is not a life event.</summary>
    public async Task<IReadOnlyList<ServiceProgress>> ForCaseAsync(long caseId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition("""
            select k.name_en as service_en, k.name_fr as service_fr, p.code, p.level, p.name_en, p.name_fr, p.government_en, p.government_fr,
                   r.status, case when r.status in ('declined', 'completed') then r.response_note else '' end as response_note, r.updated_at,
                   case when r.status in ('review', 'sent', 'accepted') then r.due_at end as due_at
            from referrals r
            join cases c on c.id = r.case_id
            join categories k on k.id = r.category_id
            join providers p on p.id = r.provider_id
            left join clusters e on e.category_id = c.category_id
            left join cluster_categories cc on cc.cluster_id = e.id and cc.category_id = r.category_id
            where r.case_id = @caseId and r.packet is not null
            order by cc.sort nulls last, r.id
            """, new { caseId }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => new ServiceProgress(new(r.ServiceEn, r.ServiceFr),
            new Provider(r.Code, r.Level, new(r.NameEn, r.NameFr), null, null, null, new(r.GovernmentEn, r.GovernmentFr)), r.Status, r.ResponseNote, r.UpdatedAt, r.DueAt))];
    }
}
