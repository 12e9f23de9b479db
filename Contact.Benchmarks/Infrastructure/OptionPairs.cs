using System.Globalization;

namespace Contact.Benchmarks.Infrastructure;

/// <summary>Reads a benchmark's <c>--name value</c> or <c>--name=value</c> options.</summary>
public static class OptionPairs
{
    /// <summary>The pairs in order; false with a message when a name has no value.</summary>
    public static bool TryRead(IReadOnlyList<string> args, out List<(string Name, string Value)> pairs, out string? error)
    {
        pairs = [];
        error = null;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var (name, value) = equals > 0 ? (arg[..equals], arg[(equals + 1)..]) : (arg, i + 1 < args.Count ? args[++i] : null);
            if (value is null)
            {
                error = $"{name} needs a value.";
                return false;
            }
            pairs.Add((name, value));
        }
        return true;
    }

    /// <summary>
    /// Starts from <paramref name="defaults"/> and applies each option through its setter, which returns the
    /// updated options or null for a value it does not accept; an unknown name or a refused value is an error.
    /// </summary>
    public static bool TryApply<T>(IReadOnlyList<string> args, T defaults, IReadOnlyDictionary<string, Func<T, string, T?>> setters,
        out T options, out string? error) where T : class
    {
        options = defaults;
        if (!TryRead(args, out var pairs, out error))
        {
            return false;
        }
        foreach (var (name, value) in pairs)
        {
            if (!setters.TryGetValue(name, out var set))
            {
                error = $"Unknown option {name}.";
                return false;
            }
            if (set(options, value) is not { } next)
            {
                error = $"{name} {value} is not a valid value.";
                return false;
            }
            options = next;
        }
        return true;
    }

    /// <summary>A whole number within bounds, or null.</summary>
    public static int? Int(string value, int min, int max) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max ? n : null;

    /// <summary>A number within bounds, or null.</summary>
    public static double? Number(string value, double min, double max) =>
        double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max ? n : null;
}
