using Contact.Core.Infrastructure;
using Contact.Core.Sla;
using Dapper;

namespace Contact.Api.Jobs;

/// <summary>
/// This host's SLA clock: sleeps until the earliest due step of any case (<c>cases.sla_next_check_at</c>, indexed),
/// woken early when this host sets an earlier timer, then leases the due cases in batches with
/// <c>FOR UPDATE SKIP LOCKED</c> (so hosts share the work and none waits on another) and checks them. A timer costs
/// nothing until it is due, fires within milliseconds, and an idle host asks the database once every half minute.
/// Hangfire's minute sweep remains the safety net.
/// </summary>
internal sealed class SlaClock(CasesDatabase database, SlaEscalator escalator, TimeProvider clock, ILogger<SlaClock> logger)
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
                var due = await LeaseDueAsync(stoppingToken);
                if (due.Count > 0)
                {
                    await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = stoppingToken },
                        async (id, ct) => await escalator.CheckAsync(id, ct));
                    continue;
                }
                var now = clock.GetUtcNow();
                var next = await EarliestAsync(stoppingToken);
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

    private async Task<IReadOnlyList<long>> LeaseDueAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var connection = await database.DataSource.OpenConnectionAsync(ct);
        // The lease keeps other hosts off these cases while they are checked; a check sets the real next time.
        return [.. await connection.QueryAsync<long>(new CommandDefinition("""
            update cases set sla_next_check_at = @lease
            where id in (select id from cases where sla_next_check_at <= @now order by sla_next_check_at limit @Batch for update skip locked)
            returning id
            """, new { now, lease = now + Lease, Batch }, cancellationToken: ct))];
    }

    private async Task<DateTimeOffset?> EarliestAsync(CancellationToken ct)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(ct);
        var at = await connection.ExecuteScalarAsync<DateTime?>(new CommandDefinition(
            "select min(sla_next_check_at) from cases where sla_next_check_at is not null", cancellationToken: ct));
        return at is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)) : null;
    }
}
