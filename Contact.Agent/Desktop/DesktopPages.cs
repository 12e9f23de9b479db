using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.FileProviders;

namespace Contact.Agent.Desktop;

/// <summary>
/// The desktop's two pages, composed once from one shell (wwwroot/shell.html: head, header, sign-in form, language
/// link) and each page's own markup (wwwroot/&lt;page&gt;.body.html, its slots marked <c>&lt;!-- slot name --&gt;</c>)
/// plus its few words (page name key, entry script, language link's return URL, sign-in heading key).
/// </summary>
internal static partial class DesktopPages
{
    /// <summary>One composed page: its UTF-8 bytes and when the assembly it came from was built.</summary>
    internal sealed record Page(byte[] Html, DateTimeOffset LastModified);

    /// <summary>What makes one page differ from the other, besides its body file.</summary>
    private sealed record Definition(string Name, string Script, string PageNameKey, string ReturnUrl, string SignInHeadingKey);

    private static readonly Definition[] Definitions =
    [
        new("agent", "desktop.js", "agent.page_name", "/agent", "signin.heading"),
        new("supervisor", "supervisor.js", "supervisor.page_name", "/supervisor", "signin.heading_supervisor"),
    ];

    /// <summary>Composes every page from the files of this provider; throws when a slot of the shell is left unfilled.</summary>
    internal static IReadOnlyDictionary<string, Page> Compose(IFileProvider files)
    {
        var shellFile = files.GetFileInfo("shell.html");
        var shell = Read(shellFile);
        var pages = new Dictionary<string, Page>(StringComparer.Ordinal);
        foreach (var page in Definitions)
        {
            var bodyFile = files.GetFileInfo(page.Name + ".body.html");
            var slots = Slots(Read(bodyFile));
            slots["script"] = page.Script;
            slots["page-name"] = page.PageNameKey;
            slots["return-url"] = page.ReturnUrl;
            slots["signin-heading"] = page.SignInHeadingKey;
            var html = Placeholder().Replace(shell, match => slots.TryGetValue(match.Groups[1].Value, out var value)
                ? value
                : throw new InvalidOperationException($"{page.Name}.body.html fills no slot '{match.Groups[1].Value}' of shell.html."));
            var built = shellFile.LastModified > bodyFile.LastModified ? shellFile.LastModified : bodyFile.LastModified;
            pages[page.Name] = new Page(Encoding.UTF8.GetBytes(html), built);
        }
        return pages;
    }

    /// <summary>A body file's slots: the text after each <c>&lt;!-- slot name --&gt;</c> line, up to the next.</summary>
    private static Dictionary<string, string> Slots(string body)
    {
        var slots = new Dictionary<string, string>(StringComparer.Ordinal);
        var markers = SlotMarker().Matches(body);
        for (var i = 0; i < markers.Count; i++)
        {
            var start = markers[i].Index + markers[i].Length;
            var end = i + 1 < markers.Count ? markers[i + 1].Index : body.Length;
            slots[markers[i].Groups[1].Value] = body[start..end];
        }
        return slots;
    }

    private static string Read(IFileInfo file)
    {
        if (!file.Exists) throw new InvalidOperationException($"The desktop page file {file.Name} is not in the assembly.");
        using var reader = new StreamReader(file.CreateReadStream(), Encoding.UTF8);
        return reader.ReadToEnd().ReplaceLineEndings("\n");
    }

    [GeneratedRegex(@"\{\{([a-z-]+)\}\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"^<!-- slot ([a-z-]+) -->\n", RegexOptions.Multiline)]
    private static partial Regex SlotMarker();
}
