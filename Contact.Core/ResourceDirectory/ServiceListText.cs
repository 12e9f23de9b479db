using System.Globalization;
using System.Text;
using Contact.Core.Notifications;

namespace Contact.Core.ResourceDirectory;

/// <summary>A community service as it is told to a person by text or by voice: what, where, how to call, when.</summary>
/// <param name="Name">The service's name (with its organization's when they differ).</param>
/// <param name="Address">Where to go, when it has a place.</param>
/// <param name="Phone">The number to call.</param>
/// <param name="Hours">When it is open, as short text in the person's language.</param>
/// <param name="ServiceName">The service's name alone, when <paramref name="Name"/> adds its organization's.</param>
public sealed record ServiceListing(string Name, string? Address, string? Phone, string? Hours, string? ServiceName = null)
{
    /// <summary>
    /// A listing named by the service (with its organization's name when it differs), its text made plain
    /// (see <see cref="ServiceListText.Plain"/>).
    /// </summary>
    public static ServiceListing Create(string name, string? organization, string? address, string? phone, string? hours)
    {
        ArgumentNullException.ThrowIfNull(name);
        var alone = string.IsNullOrWhiteSpace(organization) || string.Equals(name, organization, StringComparison.OrdinalIgnoreCase);
        var named = alone ? name : name + " (" + organization + ")";
        return new ServiceListing(ServiceListText.Plain(named)!, ServiceListText.Plain(address), ServiceListText.Plain(phone), ServiceListText.Plain(hours),
            alone ? null : ServiceListText.Plain(name));
    }

    /// <summary>A directory hit as a listing.</summary>
    public static ServiceListing Of(DirectoryHit hit)
    {
        ArgumentNullException.ThrowIfNull(hit);
        return Create(hit.ServiceName, hit.OrganizationName, hit.Address, hit.Phone, hit.Hours);
    }
}

/// <summary>A list of services fitted into a text message of a few segments.</summary>
/// <param name="Text">The message.</param>
/// <param name="Listed">How many of the services it names, from the first.</param>
public sealed record FittedServiceList(string Text, int Listed);

/// <summary>
/// Writes services as a numbered list that fits a segment budget: as many whole entries as fit, each entry shortened
/// (hours, then address dropped) only when even one would not fit whole.
/// </summary>
public static class ServiceListText
{
    /// <summary>
    /// Text with en and em dashes as hyphens, curly quotes straight and no-break spaces plain: one en dash ("Mon–Fri")
    /// would turn a whole English text into UCS-2 and leave a third of the room.
    /// </summary>
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

    /// <summary>
    /// The text in GSM-7 when what keeps it out are only letters GSM-7 lacks with an accent (â, ê, î, ô, û, ç, ï, œ …),
    /// written without it; else the text unchanged. One "aînés" turns a whole French list into UCS-2, 67 characters a
    /// segment instead of 153, which leaves room for one service where three fit.
    /// </summary>
    public static string Gsm7WherePossible(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (SmsSegments.IsGsm7(text))
        {
            return text;
        }
        var folded = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            var one = c.ToString();
            if (SmsSegments.IsGsm7(one))
            {
                folded.Append(c);
                continue;
            }
            var plain = c switch
            {
                'œ' => "oe",
                'Œ' => "OE",
                '«' or '»' => "\"",
                _ => new string([.. one.Normalize(NormalizationForm.FormD)
                    .Where(d => CharUnicodeInfo.GetUnicodeCategory(d) != UnicodeCategory.NonSpacingMark)]),
            };
            if (plain.Length == 0 || !SmsSegments.IsGsm7(plain))
            {
                return text;
            }
            folded.Append(plain);
        }
        return folded.ToString();
    }

    /// <summary>One entry: "1. Name, address, phone, hours"; without the organization's name when
    /// <paramref name="withOrganization"/> is false.</summary>
    public static string Entry(int number, ServiceListing service, bool withAddress = true, bool withHours = true, bool withOrganization = true)
    {
        ArgumentNullException.ThrowIfNull(service);
        var parts = new List<string> { (withOrganization ? service.Name : service.ServiceName ?? service.Name).Trim() };
        if (withAddress && !string.IsNullOrWhiteSpace(service.Address))
        {
            parts.Add(service.Address.Trim());
        }
        if (!string.IsNullOrWhiteSpace(service.Phone))
        {
            parts.Add(service.Phone.Trim());
        }
        if (withHours && !string.IsNullOrWhiteSpace(service.Hours))
        {
            parts.Add(service.Hours.Trim());
        }
        return number.ToString(CultureInfo.InvariantCulture) + ". " + string.Join(", ", parts);
    }

    /// <summary>
    /// Fits <paramref name="header"/>, then entries numbered from <paramref name="firstNumber"/>, then
    /// <paramref name="footer"/> into <paramref name="maxSegments"/> segments, in GSM-7 where possible (see
    /// <see cref="Gsm7WherePossible"/>). The footer is kept only when there is room for it after at least one entry.
    /// When not every service fits whole, every entry is named without its organization if that lists more: what a
    /// person needs is the service, its place, phone and hours (French names run long enough to cost a third service).
    /// Listed is 0 when not even a shortened first entry fits.
    /// </summary>
    public static FittedServiceList Fit(string header, IReadOnlyList<ServiceListing> services, string? footer,
        int maxSegments = SmsSegments.Budget, int firstNumber = 1)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(services);
        var whole = Fit(header, services, footer, maxSegments, firstNumber, withOrganization: true);
        if (whole.Listed >= services.Count || services.All(s => s.ServiceName is null))
        {
            return whole;
        }
        var compact = Fit(header, services, footer, maxSegments, firstNumber, withOrganization: false);
        return compact.Listed > whole.Listed ? compact : whole;
    }

    private static FittedServiceList Fit(string header, IReadOnlyList<ServiceListing> services, string? footer,
        int maxSegments, int firstNumber, bool withOrganization)
    {
        var entries = new List<string>();
        foreach (var service in services)
        {
            string? fitted = null;
            foreach (var (address, hours) in new[] { (true, true), (true, false), (false, false) })
            {
                var entry = Entry(firstNumber + entries.Count, service, address, hours, withOrganization);
                if (SmsSegments.Count(Gsm7WherePossible(Join(header, entries, entry))) <= maxSegments)
                {
                    fitted = entry;
                    break;
                }
                // Later entries are never shortened: the list stops where a whole entry no longer fits.
                if (entries.Count > 0)
                {
                    break;
                }
            }
            if (fitted is null)
            {
                break;
            }
            entries.Add(fitted);
        }
        if (!string.IsNullOrWhiteSpace(footer) && entries.Count > 0)
        {
            // Drop entries from the end until the footer fits too, keeping at least one.
            for (var count = entries.Count; count >= 1; count--)
            {
                var withFooter = Gsm7WherePossible(Join(header, entries.Take(count), footer.Trim()));
                if (SmsSegments.Count(withFooter) <= maxSegments)
                {
                    return new FittedServiceList(withFooter, count);
                }
            }
        }
        return new FittedServiceList(Gsm7WherePossible(Join(header, entries, null)), entries.Count);
    }

    private static string Join(string header, IEnumerable<string> entries, string? last)
    {
        var text = new StringBuilder(header.Trim());
        foreach (var entry in entries)
        {
            text.Append('\n').Append(entry);
        }
        if (last is not null)
        {
            text.Append('\n').Append(last);
        }
        return text.ToString();
    }
}
