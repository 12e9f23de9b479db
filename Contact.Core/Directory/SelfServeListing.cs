using System.Text;

namespace Contact.Core.Directory;

/// <summary>A directory hit told to a person who asked for services themselves, by text or by phone.</summary>
public static class SelfServeListing
{
    /// <summary>
    /// The hit as a listing: name (with the organization's when it differs), address, phone, hours; typographic dashes,
    /// quotes and spaces made plain so a list in English stays in GSM-7 and three services fit a reply's budget.
    /// </summary>
    public static ServiceListing From(DirectoryHit hit)
    {
        ArgumentNullException.ThrowIfNull(hit);
        var name = string.IsNullOrWhiteSpace(hit.OrganizationName) || string.Equals(hit.ServiceName, hit.OrganizationName, StringComparison.OrdinalIgnoreCase)
            ? hit.ServiceName
            : hit.ServiceName + " (" + hit.OrganizationName + ")";
        return new ServiceListing(Plain(name)!, Plain(hit.Address), Plain(hit.Phone), Plain(hit.Hours));
    }

    /// <summary>Text with en and em dashes as hyphens, curly quotes straight and no-break spaces plain.</summary>
    public static string? Plain(string? text)
    {
        if (text is null)
        {
            return null;
        }
        var plain = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            plain.Append(c switch
            {
                '\u2013' or '\u2014' or '\u2212' => '-',
                '\u2018' or '\u2019' => '\'',
                '\u201C' or '\u201D' => '"',
                '\u00A0' or '\u202F' => ' ',
                _ => c,
            });
        }
        return plain.ToString();
    }
}
