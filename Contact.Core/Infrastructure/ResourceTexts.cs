using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Resources;

namespace Contact.Core.Infrastructure;

/// <summary>
/// One .resx family's strings: all of them in one language (for pages that load their words as JSON), or one at a time
/// in the language given at each call, never the thread's current culture (which an <c>await</c> can leave behind).
/// </summary>
/// <param name="baseName">The resources' name, e.g. Contact.Agent.Desktop.DesktopText.</param>
/// <param name="assembly">The assembly that holds them.</param>
public sealed class ResourceTexts(string baseName, Assembly assembly)
{
    private readonly ResourceManager _manager = new(baseName, assembly);
    private readonly ConcurrentDictionary<string, IReadOnlyDictionary<string, string>> _cache = new(StringComparer.Ordinal);

    /// <summary>The strings named after <typeparamref name="T"/> (its full name is the resources' name), in its assembly.</summary>
    public static ResourceTexts Of<T>() => new(typeof(T).FullName!, typeof(T).Assembly);

    /// <summary>The string <paramref name="key"/> in <paramref name="language"/> (English where French has none), or null when there is none.</summary>
    public string? Find(Language language, string key) => _manager.GetString(key, language.Culture);

    /// <summary>The string <paramref name="key"/> in <paramref name="language"/>; the key itself when there is none.</summary>
    public string Get(Language language, string key) => Find(language, key) ?? key;

    /// <summary>The string <paramref name="key"/> in <paramref name="language"/>, with <paramref name="args"/> filled in in that language's culture.</summary>
    public string Get(Language language, string key, params object[] args)
    {
        var format = Get(language, key);
        return args.Length == 0 ? format : string.Format(language.Culture, format, args);
    }

    /// <summary>Every string in <paramref name="language"/>.</summary>
    public IReadOnlyDictionary<string, string> In(Language language) => _cache.GetOrAdd(language == Language.French ? "fr" : "", culture =>
    {
        var set = _manager.GetResourceSet(CultureInfo.GetCultureInfo(culture), createIfNotExists: true, tryParents: true)
            ?? throw new MissingManifestResourceException($"No resources {baseName} for '{culture}'.");
        return set.Cast<DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (string)e.Value!, StringComparer.Ordinal);
    });
}
