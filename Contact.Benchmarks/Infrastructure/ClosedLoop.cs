using System.Diagnostics;

namespace Contact.Benchmarks.Infrastructure;

/// <summary>One operation of a closed loop; true when it succeeded.</summary>
/// <param name="worker">The worker running it, 0 to concurrency - 1 (for per-worker state such as a connection).</param>
/// <param name="cancellationToken">Set when the user cancels the run, never at the end of the measurement.</param>
public delegate ValueTask<bool> LoadOperation(int worker, CancellationToken cancellationToken);

/// <summary>What a closed-loop run did.</summary>
/// <param name="Successes">Operations that succeeded.</param>
/// <param name="Failures">Operations that failed or threw.</param>
/// <param name="Elapsed">From the start until the last worker finished its last operation.</param>
/// <param name="Latency">Latencies of the successful operations.</param>
public sealed record LoadResult(long Successes, long Failures, TimeSpan Elapsed, LatencySummary Latency)
{
    /// <summary>Operations attempted.</summary>
    public long Attempts => Successes + Failures;

    /// <summary>Successful operations per second.</summary>
    public double Rate => Elapsed > TimeSpan.Zero ? Successes / Elapsed.TotalSeconds : 0;

    /// <summary>Failed operations as a fraction of all attempts (0 when none were attempted).</summary>
    public double FailureRatio => Attempts == 0 ? 0 : (double)Failures / Attempts;
}

/// <summary>Percentiles of a set of latencies.</summary>
public sealed class LatencySummary
{
    private readonly long[] _sortedTicks;

    /// <summary>Summarises latencies measured in <see cref="Stopwatch"/> ticks.</summary>
    public LatencySummary(IEnumerable<long> stopwatchTicks)
    {
        _sortedTicks = [.. stopwatchTicks];
        Array.Sort(_sortedTicks);
    }

    /// <summary>How many latencies there are.</summary>
    public int Count => _sortedTicks.Length;

    /// <summary>The nearest-rank percentile <paramref name="p"/> (0-100) in milliseconds; NaN when empty.</summary>
    public double PercentileMs(double p)
    {
        if (_sortedTicks.Length == 0)
        {
            return double.NaN;
        }
        var rank = (int)Math.Ceiling(p / 100.0 * _sortedTicks.Length);
        var index = Math.Clamp(rank - 1, 0, _sortedTicks.Length - 1);
        return _sortedTicks[index] * 1000.0 / Stopwatch.Frequency;
    }

    /// <summary>The median in milliseconds.</summary>
    public double P50Ms => PercentileMs(50);

    /// <summary>The 99th percentile in milliseconds.</summary>
    public double P99Ms => PercentileMs(99);
}

/// <summary>
/// A closed loop: exactly <c>concurrency</c> workers, each starting its next operation as soon as the
/// previous one finished, until the duration is up. Operations in flight at the end are completed and counted.
/// </summary>
public static class ClosedLoop
{
    /// <summary>The warm-up before a measurement: the same loop for the options' warm-up time (none when it is zero), said on the progress line.</summary>
    public static async Task<LoadResult> WarmUpAsync(LoadOptions options, LoadOperation operation, ErrorSamples errors, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Warmup <= TimeSpan.Zero)
        {
            return new LoadResult(0, 0, TimeSpan.Zero, new LatencySummary([]));
        }
        Progress.Say($"Warming up for {options.Warmup.TotalSeconds} s");
        var result = await RunAsync(options.Concurrency, options.Warmup, operation, errors, cancellationToken);
        Progress.Say($"Warm-up: {result.Successes} ok, {result.Failures} failed ({result.Rate:F1}/s)");
        return result;
    }

    /// <summary>Runs <paramref name="operation"/> for <paramref name="duration"/>.</summary>
    /// <param name="concurrency">Workers.</param>
    /// <param name="duration">How long workers keep starting operations.</param>
    /// <param name="operation">The operation; it reports its own failures to <paramref name="errors"/> when it returns false.</param>
    /// <param name="errors">Where exceptions thrown by <paramref name="operation"/> are recorded.</param>
    /// <param name="cancellationToken">Stops the run early (Ctrl+C).</param>
    public static async Task<LoadResult> RunAsync(
        int concurrency, TimeSpan duration, LoadOperation operation, ErrorSamples errors, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        var latencies = new List<long>[concurrency];
        var successes = new long[concurrency];
        var failures = new long[concurrency];
        var clock = Stopwatch.StartNew();

        async Task WorkAsync(int worker)
        {
            var mine = latencies[worker] = new List<long>(capacity: 4096);
            while (!cancellationToken.IsCancellationRequested && clock.Elapsed < duration)
            {
                var start = Stopwatch.GetTimestamp();
                bool ok;
                try
                {
                    ok = await operation(worker, cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    break;
                }
#pragma warning disable CA1031 // A failed operation is counted and shown, never allowed to end the run.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    errors.Add($"{e.GetType().Name}: {e.Message}");
                    ok = false;
                }
                var ticks = Stopwatch.GetTimestamp() - start;
                if (ok)
                {
                    successes[worker]++;
                    mine.Add(ticks);
                }
                else
                {
                    failures[worker]++;
                }
            }
        }

        var workers = new Task[concurrency];
        for (var i = 0; i < concurrency; i++)
        {
            var worker = i;
            workers[i] = Task.Run(() => WorkAsync(worker), CancellationToken.None);
        }
        await Task.WhenAll(workers);
        clock.Stop();
        cancellationToken.ThrowIfCancellationRequested();
        return new LoadResult(successes.Sum(), failures.Sum(), clock.Elapsed, new LatencySummary(latencies.SelectMany(l => l)));
    }
}
