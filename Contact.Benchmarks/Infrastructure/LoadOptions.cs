using System.Globalization;

namespace Contact.Benchmarks.Infrastructure;

/// <summary>How hard and how long a closed-loop benchmark runs: <c>--concurrency N --seconds S --warmup S</c>.</summary>
/// <param name="Concurrency">Workers, each with one request in flight at a time.</param>
/// <param name="Duration">How long each measurement lasts.</param>
/// <param name="Warmup">How long each measurement is preceded by uncounted load.</param>
public sealed record LoadOptions(int Concurrency, TimeSpan Duration, TimeSpan Warmup)
{
    /// <summary>16 workers, 10 s measured after 3 s of warm-up.</summary>
    public static LoadOptions Default { get; } = new(16, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(3));

    /// <summary>The options as usage text shows them.</summary>
    public const string Usage = "[--concurrency 16] [--seconds 10] [--warmup 3]";

    /// <summary>Reads <c>--name value</c> or <c>--name=value</c> pairs; anything else is an error.</summary>
    public static bool TryParse(IReadOnlyList<string> args, out LoadOptions options, out string? error) =>
        OptionPairs.TryApply(args, Default, new Dictionary<string, Func<LoadOptions, string, LoadOptions?>>(StringComparer.Ordinal)
        {
            ["--concurrency"] = (o, v) => OptionPairs.Int(v, 1, 4096) is int n ? o with { Concurrency = n } : null,
            ["--seconds"] = (o, v) => OptionPairs.Number(v, double.Epsilon, 86_400) is double s ? o with { Duration = TimeSpan.FromSeconds(s) } : null,
            ["--warmup"] = (o, v) => OptionPairs.Number(v, 0, 86_400) is double w ? o with { Warmup = TimeSpan.FromSeconds(w) } : null,
        }, out options, out error);
}
