using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Resources;

namespace Contact.Core.Infrastructure;

/// <summary>All the strings of one .resx family in one language, for pages that load their words as JSON.</summary>
/// <param name="baseName">The resources' name, e.g. Contact.Agent.Desktop.DesktopText.</param>
/// <param name="assembly">The assembly that holds them.</param>
public sealed class ResourceTexts(string baseName, Assembly assembly)
{
    private readonly ResourceManager _manager = new(baseName, assembly);
    private readonly ConcurrentDictionary<string, IReadOnlyDictionary<string, string>> _cache = new(StringComparer.Ordinal);

    /// <summary>Every string in French for "fr", else in English.</summary>
    public IReadOnlyDictionary<string, string> In(string? language) => _cache.GetOrAdd(language == "fr" ? "fr" : "", culture =>
    {
        var set = _manager.GetResourceSet(CultureInfo.GetCultureInfo(culture), createIfNotExists: true, tryParents: true)
            ?? throw new MissingManifestResourceException($"No resources {baseName} for '{culture}'.");
        return set.Cast<DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (string)e.Value!, StringComparer.Ordinal);
    });
}
