using Dapper;
using Npgsql;

namespace Contact.Core.InformationAndReferral;

/// <summary>One need over a period: how often it was recorded, met and left unmet, and why it went unmet.</summary>
/// <param name="Code">The taxonomy code.</param>
/// <param name="Name">The term's name as it was last recorded.</param>
/// <param name="Recorded">Needs recorded in the period.</param>
/// <param name="Met">Of those, met by a referral.</param>
/// <param name="Unmet">Of those, recorded as not met.</param>
/// <param name="Reasons">Unmet needs by reason (see <see cref="InformationReferral.UnmetReasons"/>).</param>
public sealed record NeedCount(string Code, string Name, int Recorded, int Met, int Unmet, IReadOnlyDictionary<string, int> Reasons);

/// <summary>The needs recorded on 211 cases over a period, most recorded first: what a 211 centre reports to its funders.</summary>
/// <param name="From">Start of the period (inclusive).</param>
/// <param name="To">End of the period (exclusive).</param>
/// <param name="Needs">Each need with its counts.</param>
public sealed record NeedsReportView(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<NeedCount> Needs);

/// <summary>Counts needs met and unmet by term and by reason, read from <c>case_needs</c>; nothing about who had them.</summary>
public sealed class NeedsReport(NpgsqlDataSource dataSource)
{
    /// <summary>The longest period one report covers.</summary>
    public static readonly TimeSpan MaxPeriod = TimeSpan.FromDays(366);

    private sealed record Row(string Code, string Name, string Status, string? UnmetReason, int Count);

    /// <summary>The needs recorded from <paramref name="from"/> (inclusive) to <paramref name="to"/> (exclusive).</summary>
    public async Task<NeedsReportView> ReadAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        if (to <= from || to - from > MaxPeriod)
        {
            throw new ArgumentOutOfRangeException(nameof(to), "A report covers a period that ends after it starts, of at most 366 days.");
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition("""
            select taxonomy_code as code, (array_agg(term_name order by recorded_at desc))[1] as name, status, unmet_reason,
                   count(*)::int as count
            from case_needs
            where recorded_at >= @from and recorded_at < @to
            group by taxonomy_code, status, unmet_reason
            """, new { from = from.ToUniversalTime(), to = to.ToUniversalTime() }, cancellationToken: cancellationToken));
        var needs = rows.GroupBy(r => r.Code, StringComparer.Ordinal)
            .Select(g => new NeedCount(
                g.Key,
                g.First().Name,
                g.Sum(r => r.Count),
                g.Where(r => r.Status == "met").Sum(r => r.Count),
                g.Where(r => r.Status == "unmet").Sum(r => r.Count),
                g.Where(r => r.Status == "unmet" && r.UnmetReason is not null)
                    .ToDictionary(r => r.UnmetReason!, r => r.Count, StringComparer.Ordinal)))
            .OrderByDescending(n => n.Recorded).ThenBy(n => n.Code, StringComparer.Ordinal)
            .ToList();
        return new NeedsReportView(from, to, needs);
    }
}
