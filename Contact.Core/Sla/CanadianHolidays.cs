namespace Contact.Core.Sla;

/// <summary>
/// Statutory holidays in Canada, computed by rule for a year, with their English and French names.
/// </summary>
/// <remarks>
/// A fixed-date holiday that falls on a weekend keeps its own date: no Friday or Monday is observed in its
/// place, because which day is given instead depends on the employer and the collective agreement. The one
/// exception is Canada Day, which the law itself moves to July 2 when July 1 is a Sunday. Easter is computed
/// with the anonymous Gregorian algorithm, so years from 1583 to 9999 are accepted. Holidays created later than
/// their rule appear only from their first year: Ontario's Family Day from 2008, the National Day for Truth and
/// Reconciliation from 2021.
/// </remarks>
public static class CanadianHolidays
{
    private const int FirstGregorianEasterYear = 1583;

    /// <summary>
    /// The holidays the federal and Ontario lists share: New Year's Day, Good Friday, Victoria Day, Canada Day, Labour
    /// Day, Thanksgiving, Christmas Day and Boxing Day.
    /// </summary>
    private static IEnumerable<(DateOnly Date, string NameEn, string NameFr)> Common(int year)
    {
        CheckYear(year);
        return
        [
            (new DateOnly(year, 1, 1), "New Year's Day", "Jour de l'An"),
            (GoodFriday(year), "Good Friday", "Vendredi saint"),
            (VictoriaDay(year), "Victoria Day", "Fête de Victoria"),
            (CanadaDay(year), "Canada Day", "Fête du Canada"),
            (NthWeekday(year, 9, DayOfWeek.Monday, 1), "Labour Day", "Fête du Travail"),
            (NthWeekday(year, 10, DayOfWeek.Monday, 2), "Thanksgiving", "Action de grâce"),
            (new DateOnly(year, 12, 25), "Christmas Day", "Noël"),
            (new DateOnly(year, 12, 26), "Boxing Day", "Lendemain de Noël"),
        ];
    }

    /// <summary>
    /// Federal statutory holidays (Canada Labour Code): New Year's Day, Good Friday, Victoria Day, Canada Day,
    /// Labour Day, the National Day for Truth and Reconciliation, Thanksgiving, Remembrance Day, Christmas Day
    /// and Boxing Day, sorted by date. Easter Monday, which only federal public servants get, is left out.
    /// </summary>
    public static IReadOnlyList<(DateOnly Date, string NameEn, string NameFr)> Federal(int year)
    {
        List<(DateOnly Date, string NameEn, string NameFr)> days =
        [
            .. Common(year),
            (new DateOnly(year, 11, 11), "Remembrance Day", "Jour du Souvenir"),
        ];
        if (year >= 2021)
        {
            days.Add((new DateOnly(year, 9, 30), "National Day for Truth and Reconciliation",
                "Journée nationale de la vérité et de la réconciliation"));
        }
        return Sorted(days);
    }

    /// <summary>
    /// Ontario's public holidays (Employment Standards Act): New Year's Day, Family Day, Good Friday, Victoria Day,
    /// Canada Day, Labour Day, Thanksgiving, Christmas Day and Boxing Day, sorted by date. The Civic Holiday in
    /// August is not a public holiday and is left out.
    /// </summary>
    public static IReadOnlyList<(DateOnly Date, string NameEn, string NameFr)> Ontario(int year)
    {
        List<(DateOnly Date, string NameEn, string NameFr)> days = [.. Common(year)];
        if (year >= 2008)
        {
            days.Add((NthWeekday(year, 2, DayOfWeek.Monday, 3), "Family Day", "Jour de la Famille"));
        }
        return Sorted(days);
    }

    /// <summary>
    /// Quebec's statutory holidays (Act respecting labour standards, National Holiday Act): New Year's Day, Good
    /// Friday (the employer may give Easter Monday instead; Good Friday is used), National Patriots' Day, the Fête
    /// nationale on June 24, Canada Day, Labour Day, Thanksgiving and Christmas Day, sorted by date.
    /// </summary>
    public static IReadOnlyList<(DateOnly Date, string NameEn, string NameFr)> Quebec(int year)
    {
        CheckYear(year);
        return Sorted(
        [
            (new DateOnly(year, 1, 1), "New Year's Day", "Jour de l'An"),
            (GoodFriday(year), "Good Friday", "Vendredi saint"),
            (VictoriaDay(year), "National Patriots' Day", "Journée nationale des patriotes"),
            (new DateOnly(year, 6, 24), "Saint-Jean-Baptiste Day", "Fête nationale du Québec"),
            (CanadaDay(year), "Canada Day", "Fête du Canada"),
            (NthWeekday(year, 9, DayOfWeek.Monday, 1), "Labour Day", "Fête du Travail"),
            (NthWeekday(year, 10, DayOfWeek.Monday, 2), "Thanksgiving", "Action de grâce"),
            (new DateOnly(year, 12, 25), "Christmas Day", "Noël"),
        ]);
    }

    /// <summary>Easter Sunday in the Gregorian calendar (the anonymous, or Meeus/Jones/Butcher, algorithm).</summary>
    public static DateOnly EasterSunday(int year)
    {
        CheckYear(year);
        var a = year % 19;
        var b = year / 100;
        var c = year % 100;
        var d = b / 4;
        var e = b % 4;
        var f = (b + 8) / 25;
        var g = (b - f + 1) / 3;
        var h = ((19 * a) + b - d - g + 15) % 30;
        var i = c / 4;
        var k = c % 4;
        var l = (32 + (2 * e) + (2 * i) - h - k) % 7;
        var m = (a + (11 * h) + (22 * l)) / 451;
        var month = (h + l - (7 * m) + 114) / 31;
        var day = ((h + l - (7 * m) + 114) % 31) + 1;
        return new DateOnly(year, month, day);
    }

    private static DateOnly GoodFriday(int year) => EasterSunday(year).AddDays(-2);

    /// <summary>The Monday before May 25 (Victoria Day, and National Patriots' Day in Quebec).</summary>
    private static DateOnly VictoriaDay(int year)
    {
        var day = new DateOnly(year, 5, 24);
        return day.AddDays(-(((int)day.DayOfWeek - (int)DayOfWeek.Monday + 7) % 7));
    }

    private static DateOnly CanadaDay(int year)
    {
        var day = new DateOnly(year, 7, 1);
        return day.DayOfWeek == DayOfWeek.Sunday ? day.AddDays(1) : day;
    }

    private static DateOnly NthWeekday(int year, int month, DayOfWeek weekday, int n)
    {
        var first = new DateOnly(year, month, 1);
        return first.AddDays((((int)weekday - (int)first.DayOfWeek + 7) % 7) + (7 * (n - 1)));
    }

    private static List<(DateOnly Date, string NameEn, string NameFr)> Sorted(List<(DateOnly Date, string NameEn, string NameFr)> days) =>
        [.. days.OrderBy(day => day.Date)];

    private static void CheckYear(int year)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(year, FirstGregorianEasterYear);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(year, DateOnly.MaxValue.Year);
    }
}
