using Contact.Core.Cases;
using Contact.Core.Staff;
using Dapper;

namespace Contact.Core.LifeEvents;

/// <summary>
/// An agent tells a life event for the caller or walk-in of a case they hold: the case's contact details fill what
/// the agent left blank, the life event is filed as its own request (channel agent), and the case the agent holds
/// records which request it became.
/// </summary>
public sealed class LifeEventDesk(CaseWork work, LifeEventIntake intake)
{
    private sealed record Contact(string? ResidentName, string? ResidentPhone, string? ResidentEmail, string Language, bool NotifyConsent, string Status);

    /// <summary>Files <paramref name="request"/> for the life event <paramref name="code"/> on behalf of case <paramref name="number"/>'s resident.</summary>
    public async Task<LifeEventResult> TellAsync(StaffMember member, string number, string code, LifeEventRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(member);
        ArgumentNullException.ThrowIfNull(request);
        var contact = await work.OnCaseAsync(member, number, mustHold: true, async (connection, tx, c, now) =>
        {
            var found = await connection.QuerySingleAsync<Contact>(new CommandDefinition(
                "select resident_name, resident_phone, resident_email, language, notify_consent, status from cases where id = @Id",
                new { c.Id }, tx, cancellationToken: cancellationToken));
            if (found.Status is CaseStatus.Resolved or CaseStatus.Closed)
            {
                throw new WorkRefusedException("refused.closed", $"Case {number} is already {found.Status}.", number, found.Status);
            }
            return found;
        }, cancellationToken);
        static string? Given(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
        var filled = request with
        {
            Channel = "agent",
            Language = Given(request.Language) ?? contact.Language,
            Name = Given(request.Name) ?? contact.ResidentName,
            Phone = Given(request.Phone) ?? contact.ResidentPhone,
            Email = Given(request.Email) ?? contact.ResidentEmail,
            NotifyConsent = request.NotifyConsent || contact.NotifyConsent,
            IdempotencyKey = $"agent:{number}:{code}",
        };
        var result = await intake.SubmitAsync(code, filled, member.UserName, cancellationToken);
        if (result.Filed is { AlreadyExisted: false } filed)
        {
            await work.OnCaseAsync(member, number, mustHold: true, async (connection, tx, c, now) =>
            {
                await CaseWork.EventAsync(connection, tx, c.Id, now, "life_event_filed", member.UserName, false,
                    new { life_event = code, number = filed.Number }, cancellationToken);
                return 0;
            }, cancellationToken);
        }
        return result;
    }
}
