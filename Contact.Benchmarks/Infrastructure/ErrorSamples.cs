using System.Collections.Concurrent;
using System.Globalization;

namespace Contact.Benchmarks.Infrastructure;

/// <summary>
/// Keeps the first few failures of a run (status and body, or the exception) so they can be shown:
/// a benchmark that silently counts errors as work measures the wrong thing.
/// </summary>
public sealed class ErrorSamples(int keep = 5)
{
    private readonly ConcurrentQueue<string> _samples = new();
    private long _seen;

    /// <summary>Failures reported, kept or not.</summary>
    public long Seen => Interlocked.Read(ref _seen);

    /// <summary>Records a failure; only the first few are kept.</summary>
    public void Add(string description)
    {
        if (Interlocked.Increment(ref _seen) <= keep)
        {
            _samples.Enqueue(description.Length > 2000 ? description[..2000] + "…" : description);
        }
    }

    /// <summary>Writes the kept failures to stderr, under <paramref name="heading"/>.</summary>
    public void Print(string heading)
    {
        if (Seen == 0)
        {
            return;
        }
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{heading}: {Seen} failure(s); the first {_samples.Count}:"));
        foreach (var sample in _samples)
        {
            Console.Error.WriteLine("  " + sample.ReplaceLineEndings(Environment.NewLine + "    "));
        }
    }
}
