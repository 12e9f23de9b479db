using System.Diagnostics;
using System.Globalization;

namespace Contact.Benchmarks.Infrastructure;

/// <summary>Progress and diagnostics go to stderr, so stdout holds only the results.</summary>
public static class Progress
{
    private static readonly Stopwatch Clock = Stopwatch.StartNew();

    /// <summary>Writes one timestamped line to stderr.</summary>
    public static void Say(FormattableString message) =>
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{Clock.Elapsed.TotalSeconds,6:F1}s] ") + message.ToString(CultureInfo.InvariantCulture));
}
