using System.Globalization;
using System.Resources;
using Contact.Core.Infrastructure;

namespace Contact.Core.ResourceDirectory;

/// <summary>Names the directory's texts: DirectoryText.resx (English) and DirectoryText.fr.resx (French).</summary>
public sealed class DirectoryText
{
    private static readonly ResourceManager Texts = new("Contact.Core.ResourceDirectory.DirectoryText", typeof(DirectoryText).Assembly);

    private DirectoryText()
    {
    }

    /// <summary>The text <paramref name="key"/> in the language coded <paramref name="language"/>.</summary>
    public static string Get(string key, string language) =>
        Texts.GetString(key, Language.Of(language).Culture)
        ?? throw new MissingManifestResourceException($"No directory text {key}.");
}

/// <summary>Writes HSDS schedule rows as short opening hours: "Mon–Fri 9:00–17:00; Sat 10:00–14:00" or "lun–ven 9 h–17 h".</summary>
internal static class OpeningHours
{
    private static readonly string[] Codes = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

    public static string? Describe(IReadOnlyList<ScheduleRow> rows, string language)
    {
        var parts = new List<string>();
        var weekly = rows.Where(r => (r.Freq ?? "WEEKLY") == "WEEKLY" && r.OpensAt is not null && r.ClosesAt is not null)
            .GroupBy(r => (Opens: r.OpensAt!.Value, Closes: r.ClosesAt!.Value))
            .Select(g => (g.Key.Opens, g.Key.Closes, Days: Days(g)))
            .OrderBy(g => g.Days.Count == 0 ? 0 : g.Days.Min()).ThenBy(g => g.Opens)
            .ToList();
        foreach (var (opens, closes, days) in weekly)
        {
            var allDay = opens == closes && opens == TimeSpan.Zero;
            if (allDay && days.Count == 7)
            {
                parts.Add(DirectoryText.Get("hours_always", language));
                continue;
            }
            var dayText = days.Count == 7 ? DirectoryText.Get("hours_every_day", language) : DayRanges(days, language);
            parts.Add($"{dayText} {(allDay ? DirectoryText.Get("hours_all_day", language) : $"{Time(opens, language)}–{Time(closes, language)}")}");
        }
        foreach (var row in rows.Where(r => r.Freq == "MONTHLY" && r.OpensAt is not null && r.ClosesAt is not null && !string.IsNullOrWhiteSpace(r.Bymonthday)))
        {
            parts.Add($"{string.Format(CultureInfo.InvariantCulture, DirectoryText.Get("hours_days_of_month", language), row.Bymonthday!.Replace(",", ", ", StringComparison.Ordinal))} {Time(row.OpensAt!.Value, language)}–{Time(row.ClosesAt!.Value, language)}");
        }
        if (parts.Count == 0)
        {
            // No times to read: the schedule's own words, if any.
            var described = rows.Select(r => Language.French.Is(language) ? r.DescriptionFr ?? r.Description : r.Description)
                .FirstOrDefault(d => !string.IsNullOrWhiteSpace(d));
            return described;
        }
        return string.Join("; ", parts);
    }

    private static SortedSet<int> Days(IEnumerable<ScheduleRow> rows)
    {
        var days = new SortedSet<int>();
        foreach (var row in rows)
        {
            var listed = (row.Byday ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (listed.Length == 0)
            {
                days.UnionWith(Enumerable.Range(0, 7));
            }
            foreach (var code in listed)
            {
                var index = Array.IndexOf(Codes, code.ToUpperInvariant());
                if (index >= 0)
                {
                    days.Add(index);
                }
            }
        }
        return days;
    }

    private static string DayRanges(SortedSet<int> days, string language)
    {
        var ranges = new List<string>();
        var list = days.ToList();
        for (var i = 0; i < list.Count;)
        {
            var j = i;
            while (j + 1 < list.Count && list[j + 1] == list[j] + 1)
            {
                j++;
            }
            ranges.Add(j - i >= 2 ? $"{DayName(list[i], language)}–{DayName(list[j], language)}"
                : j == i ? DayName(list[i], language) : $"{DayName(list[i], language)}, {DayName(list[j], language)}");
            i = j + 1;
        }
        return string.Join(", ", ranges);
    }

    // Monday is 0 here; the culture's names start on Sunday.
    private static string DayName(int mondayFirst, string language) =>
        Language.Of(language).Canadian.DateTimeFormat
            .AbbreviatedDayNames[(mondayFirst + 1) % 7].TrimEnd('.');

    private static string Time(TimeSpan time, string language) => Language.French.Is(language)
        ? (time.Minutes == 0 ? $"{time.Hours} h" : $"{time.Hours} h {time.Minutes:00}")
        : $"{time.Hours}:{time.Minutes:00}";
}
