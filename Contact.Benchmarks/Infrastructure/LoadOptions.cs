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
    public static bool TryParse(IReadOnlyList<string> args, out LoadOptions options, out string? error)
    {
        options = Default;
        error = null;
        if (!OptionPairs.TryRead(args, out var pairs, out error))
        {
            return false;
        }
        foreach (var (name, value) in pairs)
        {
            switch (name)
            {
                case "--concurrency" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 4096:
                    options = options with { Concurrency = n };
                    break;
                case "--seconds" when TrySeconds(value, out var s) && s > TimeSpan.Zero:
                    options = options with { Duration = s };
                    break;
                case "--warmup" when TrySeconds(value, out var w):
                    options = options with { Warmup = w };
                    break;
                case "--concurrency" or "--seconds" or "--warmup":
                    error = $"{name} {value} is not a valid value.";
                    return false;
                default:
                    error = $"Unknown option {name}.";
                    return false;
            }
        }
        return true;
    }

    private static bool TrySeconds(string value, out TimeSpan seconds)
    {
        var ok = double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var s) && s is >= 0 and <= 86_400;
        seconds = ok ? TimeSpan.FromSeconds(s) : TimeSpan.Zero;
        return ok;
    }
}
