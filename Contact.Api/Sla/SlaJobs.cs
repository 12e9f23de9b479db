using Contact.Core.Sla;
using Hangfire;

namespace Contact.Api.Jobs;

// Hangfire stores a job's type name with every scheduled job (a retry minutes ahead, a follow-up days ahead): the job
// classes keep the namespace they were first stored under, so jobs scheduled before an upgrade still run after it.

/// <summary>The SLA safety net as a Hangfire job: safe to run twice and on several hosts.</summary>
public sealed class SlaJobs(SlaEscalator escalator)
{
    /// <summary>Checks every case whose next step is due and that no host's clock has checked (all hosts down, say).</summary>
    [DisableConcurrentExecution(60)]
    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        foreach (var id in await escalator.DueAsync(cancellationToken: cancellationToken))
        {
            await escalator.CheckAsync(id, cancellationToken);
        }
    }
}
