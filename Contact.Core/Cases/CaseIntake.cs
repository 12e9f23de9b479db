using Contact.Core.Catalog;
using Microsoft.Extensions.Logging;

namespace Contact.Core.Cases;

/// <summary>What happened to a request: a case (new or found again), or the problems that stopped it.</summary>
/// <param name="Case">The case, when accepted.</param>
/// <param name="Errors">The problems, when refused.</param>
public sealed record IntakeResult(CreatedCase? Case, IReadOnlyList<FieldError> Errors)
{
    /// <summary>True when a case exists for the request.</summary>
    public bool Accepted => Case is not null;
}

/// <summary>The one way into the case store for every channel: check against the catalog, then store.</summary>
public sealed class CaseIntake(CatalogStore catalog, CaseCommands commands, ILogger<CaseIntake> logger)
{
    /// <summary>Checks and stores <paramref name="request"/>; a refused request changes nothing.</summary>
    public async Task<IntakeResult> SubmitAsync(NewCase request, string actor, CancellationToken cancellationToken = default)
    {
        var snapshot = await catalog.GetAsync(cancellationToken);
        var (valid, errors) = CaseValidator.Validate(request, snapshot);
        if (valid is null)
        {
            logger.LogInformation("Request on {Channel} refused: {Errors}", request.Channel, string.Join(", ", errors.Select(e => e.Field + " " + e.Code)));
            return new IntakeResult(null, errors);
        }
        var created = await commands.CreateAsync(valid, actor, cancellationToken);
        using (logger.BeginScope(new Dictionary<string, object> { ["CaseNumber"] = created.Number }))
        {
            if (created.AlreadyExisted)
            {
                logger.LogInformation("Case {CaseNumber} submitted again on {Channel}; the first submission stands", created.Number, request.Channel);
            }
            else
            {
                logger.LogInformation("Case {CaseNumber} created on {Channel} in {Category} ({Line})", created.Number, request.Channel, valid.Category.Code, valid.Category.Line);
            }
        }
        return new IntakeResult(created, []);
    }
}
