using Contact.Core.Sla;

namespace Contact.Api.Sla;

/// <summary>
/// This host's SLA clock: sleeps until the earliest due step of any case (<c>cases.sla_next_check_at</c>, indexed),
/// woken early when this host sets an earlier timer, then leases the due cases in batches with
/// <c>FOR UPDATE SKIP LOCKED</c> (so hosts share the work and none waits on another) and checks them. A timer costs
/// nothing until it is due, fires within milliseconds, and an idle host asks the database once every half minute.
/// Hangfire's minute sweep remains the safety net.
/// </summary>
internal sealed class SlaClock(SlaEscalator escalator, TimeProvider clock, ILogger<SlaClock> logger)
    : BackgroundService, ISlaScheduler
{
    private static readonly TimeSpan MaxSleep = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private const int Batch = 200;

    private readonly SemaphoreSlim _wake = new(0, 1);
    private long _sleepingUntil = long.MaxValue;

    /// <summary>Wakes the clock if <paramref name="at"/> is earlier than the moment it sleeps until.</summary>
    public void Schedule(long caseId, DateTimeOffset at)
    {
        if (at.UtcTicks < Interlocked.Read(ref _sleepingUntil))
        {
            Interlocked.Exchange(ref _sleepingUntil, at.UtcTicks);
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already woken.
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var due = await escalator.LeaseDueAsync(Lease, Batch, stoppingToken);
                if (due.Count > 0)
                {
                    await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = stoppingToken },
                        async (id, ct) => await escalator.CheckAsync(id, ct));
                    continue;
                }
                var now = clock.GetUtcNow();
                var next = await escalator.EarliestAsync(stoppingToken);
                var sleep = next is { } at ? at - now : MaxSleep;
                sleep = sleep < TimeSpan.Zero ? TimeSpan.Zero : sleep > MaxSleep ? MaxSleep : sleep;
                Interlocked.Exchange(ref _sleepingUntil, (now + sleep).UtcTicks);
                await _wake.WaitAsync(sleep, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "The SLA clock failed a round; trying again in a second");
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }
}
