using System.Globalization;
using System.Resources;

namespace Contact.Core.Infrastructure;

/// <summary>
/// One .resx family's strings, looked up in the language given at each call and never in the thread's current
/// culture, which an <c>await</c> can leave behind. A key with no string is answered with the key itself.
/// </summary>
/// <param name="baseName">The resources' name, e.g. Contact.Ivr.Sms.SmsText.</param>
/// <param name="assembly">The assembly that holds them.</param>
public sealed class LocalizedTexts(string baseName, System.Reflection.Assembly assembly)
{
    private readonly ResourceManager _manager = new(baseName, assembly);

    /// <summary>The texts named after <typeparamref name="T"/> (its full name is the resources' name), in its assembly.</summary>
    public static LocalizedTexts Of<T>() => new(typeof(T).FullName!, typeof(T).Assembly);

    /// <summary>The string <paramref name="key"/> in <paramref name="language"/>.</summary>
    public string Get(Language language, string key) => Find(language, key) ?? key;

    /// <summary>The string <paramref name="key"/> in <paramref name="language"/>, or null when there is none.</summary>
    public string? Find(Language language, string key) => _manager.GetString(key, language.Culture);

    /// <summary>The string <paramref name="key"/> in <paramref name="language"/>, with <paramref name="args"/> filled in in that language's culture.</summary>
    public string Get(Language language, string key, params object[] args)
    {
        var format = Get(language, key);
        return args.Length == 0 ? format : string.Format(language.Culture, format, args);
    }
}
