using Contact.Core.InformationAndReferral;
using Hangfire;

namespace Contact.Api.Jobs;

// Hangfire stores a job's type name with every scheduled job (a retry minutes ahead, a follow-up days ahead): the job
// classes keep the namespace they were first stored under, so jobs scheduled before an upgrade still run after it.

/// <summary>211 follow-ups as Hangfire jobs: they take ids and fire each follow-up once, however often they run.</summary>
public sealed class FollowUpJobs(InformationReferral ir)
{
    /// <summary>Fires one follow-up if it is still scheduled and due.</summary>
    public Task FireAsync(long followUpId, CancellationToken cancellationToken) => ir.FireAsync(followUpId, cancellationToken);

    /// <summary>
    /// The safety net: fires every follow-up due and not fired; and sends to the queue the cases whose follow-up
    /// question went unanswered for <see cref="InformationReferral.AnswerWindow"/>.
    /// </summary>
    [DisableConcurrentExecution(60)]
    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        foreach (var id in await ir.DueAsync(cancellationToken: cancellationToken))
        {
            await ir.FireAsync(id, cancellationToken);
        }
        foreach (var id in await ir.UnansweredAsync(cancellationToken: cancellationToken))
        {
            await ir.StopWaitingAsync(id, cancellationToken);
        }
    }
}
