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
}
