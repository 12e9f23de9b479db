using Contact.Core.Cases;
using Contact.Core.Catalog;
using Microsoft.Extensions.Logging;

namespace Contact.Core.LifeEvents;

/// <summary>What happened to a life event request: the case (new or found again), or the problems that stopped it.</summary>
/// <param name="Filed">The case, when accepted.</param>
/// <param name="Errors">The problems, when refused.</param>
public sealed record LifeEventResult(FiledLifeEvent? Filed, IReadOnlyList<FieldError> Errors);

/// <summary>The one way a life event enters the case store, from every channel: check against the catalog, then file.</summary>
public sealed class LifeEventIntake(CatalogStore catalog, LifeEventCommands commands, ILogger<LifeEventIntake> logger)
{
    /// <summary>Checks and files <paramref name="request"/> for the life event <paramref name="code"/>; a refused request changes nothing.</summary>
    public async Task<LifeEventResult> SubmitAsync(string code, LifeEventRequest request, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var lifeEvent = (await catalog.GetAsync(cancellationToken)).FindLifeEvent(code);
        if (lifeEvent is null)
        {
            return new LifeEventResult(null, [new FieldError("lifeEvent", "life_event.unknown", code)]);
        }
        var (valid, errors) = LifeEventValidator.Validate(lifeEvent, request);
        if (valid is null)
        {
            logger.LogInformation("Life event {LifeEvent} on {Channel} refused: {Errors}", code, request.Channel, string.Join(", ", errors.Select(e => e.Field + " " + e.Code)));
            return new LifeEventResult(null, errors);
        }
        try
        {
            var filed = await commands.FileAsync(valid, actor, cancellationToken);
            logger.LogInformation(filed.AlreadyExisted ? "Life event {LifeEvent} submitted again on {Channel} as case {CaseNumber}; the first submission stands"
                : "Life event {LifeEvent} filed on {Channel} as case {CaseNumber}", code, request.Channel, filed.Number);
            return new LifeEventResult(filed, []);
        }
        catch (ProviderGoneException e)
        {
            // The catalog changed under the request: that service can be unticked, or tried again once it is served.
            catalog.Invalidate();
            return new LifeEventResult(null, [new FieldError("services." + e.Service, "life_event.provider_gone", e.Service)]);
        }
    }
}
