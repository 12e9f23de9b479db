using Contact.Core.Notifications;
using Hangfire;

namespace Contact.Api.Jobs;

// Hangfire stores a job's type name with every scheduled job (a retry minutes ahead, a follow-up days ahead): the job
// classes keep the namespace they were first stored under, so jobs scheduled before an upgrade still run after it.

/// <summary>The outbox's Hangfire jobs. They take ids, and are safe to run twice.</summary>
public sealed class OutboxJobs(OutboxDelivery delivery, IBackgroundJobClient jobs)
{
    /// <summary>Delivers one text; a retry is scheduled with backoff.</summary>
    [AutomaticRetry(Attempts = 3)]
    public async Task DeliverAsync(long outboxId, CancellationToken cancellationToken)
    {
        if (await delivery.DeliverAsync(outboxId, cancellationToken) is { } wait)
        {
            jobs.Schedule<OutboxJobs>(j => j.DeliverAsync(outboxId, CancellationToken.None), wait);
        }
    }

    /// <summary>Delivers every due row, a few at a time, until none is due; then waits for the next retry.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        TimeSpan? soonest = null;
        // Bounded, so a row that can never be claimed cannot hold a worker for ever.
        for (var round = 0; round < 1000; round++)
        {
            var due = await delivery.DueAsync(TimeSpan.Zero, cancellationToken);
            if (due.Count == 0)
            {
                break;
            }
            var waits = new List<TimeSpan?>();
            await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (id, ct) =>
            {
                var wait = await delivery.DeliverAsync(id, ct);
                lock (waits)
                {
                    waits.Add(wait);
                }
            });
            soonest = waits.Where(w => w is not null).Select(w => w!.Value).Append(soonest ?? TimeSpan.MaxValue).Min();
        }
        if (soonest is { } wait && wait != TimeSpan.MaxValue)
        {
            jobs.Schedule<OutboxJobs>(j => j.DrainAsync(CancellationToken.None), wait);
        }
    }

    /// <summary>The safety net: a drain every minute, for deliveries a host never arranged or left half done.</summary>
    [DisableConcurrentExecution(60)]
    public Task SweepAsync(CancellationToken cancellationToken) => DrainAsync(cancellationToken);
}
