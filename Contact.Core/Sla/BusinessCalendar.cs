using System.Diagnostics;

namespace Contact.Core.Sla;

/// <summary>
/// One stretch of opening hours within a day, in the calendar's local time: open from <see cref="Opens"/>
/// (inclusive) until <see cref="Closes"/> (exclusive). A <see cref="Closes"/> of 00:00 means the midnight
/// that ends the day (24:00), so <see cref="AllDay"/> is 00:00 to 00:00.
/// </summary>
/// <param name="Opens">The local time of day the stretch begins.</param>
/// <param name="Closes">The local time of day the stretch ends; 00:00 means 24:00.</param>
public readonly record struct OpeningInterval(TimeOnly Opens, TimeOnly Closes)
{
    /// <summary>The whole day, 00:00 to 24:00.</summary>
    public static OpeningInterval AllDay => new(TimeOnly.MinValue, TimeOnly.MinValue);

    internal TimeSpan Start => Opens.ToTimeSpan();

    internal TimeSpan End => Closes == TimeOnly.MinValue ? TimeSpan.FromDays(1) : Closes.ToTimeSpan();
}

/// <summary>
/// When a service is open: a time zone, opening hours per weekday and whole-day holidays. SLA clocks run
/// only while it is open.
/// </summary>
/// <remarks>
/// Opening hours are local wall-clock times; each day's stretches are turned into instants with the zone and
/// elapsed time is measured in real (UTC) time within them, so daylight-saving changes are exact: a 24/7
/// calendar counts 25 hours on a fall-back day and 23 on a spring-forward day. A local time that the clocks
/// skip (spring forward) becomes the first instant after the skip, i.e. the moment of the change. A local time
/// that occurs twice (fall back) takes its first occurrence, the daylight one.
/// </remarks>
public sealed class BusinessCalendar
{
    private static readonly DayOfWeek[] MondayToFriday =
        [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday];

    // Indexed by (int)DayOfWeek; each day's stretches sorted and not overlapping.
    private readonly OpeningInterval[][] hours;
    private readonly HashSet<DateOnly> holidays;

    /// <summary>Makes a calendar.</summary>
    /// <param name="zone">The IANA zone the hours are kept in, e.g. <c>America/Toronto</c>.</param>
    /// <param name="hours">Opening stretches per weekday; a day that is missing or has none is closed.</param>
    /// <param name="holidays">Dates, in the zone, closed all day.</param>
    /// <exception cref="ArgumentException">
    /// A stretch ends before it begins, two stretches of a day overlap, or the calendar is never open.
    /// </exception>
    public BusinessCalendar(
        TimeZoneInfo zone, IReadOnlyDictionary<DayOfWeek, IReadOnlyList<OpeningInterval>> hours, IEnumerable<DateOnly> holidays)
    {
        ArgumentNullException.ThrowIfNull(zone);
        ArgumentNullException.ThrowIfNull(hours);
        ArgumentNullException.ThrowIfNull(holidays);
        if (hours.Keys.Any(day => day is < DayOfWeek.Sunday or > DayOfWeek.Saturday))
        {
            throw new ArgumentException("Opening hours are given for a day that is not a day of the week.", nameof(hours));
        }
        Zone = zone;
        this.hours = new OpeningInterval[7][];
        for (var day = DayOfWeek.Sunday; day <= DayOfWeek.Saturday; day++)
        {
            var stretches = hours.TryGetValue(day, out var given) ? given.OrderBy(s => s.Start).ToArray() : [];
            for (var i = 0; i < stretches.Length; i++)
            {
                if (stretches[i].End <= stretches[i].Start)
                {
                    throw new ArgumentException($"On {day} a stretch of opening hours ends before it begins.", nameof(hours));
                }
                if (i > 0 && stretches[i - 1].End > stretches[i].Start)
                {
                    throw new ArgumentException($"On {day} two stretches of opening hours overlap.", nameof(hours));
                }
            }
            this.hours[(int)day] = stretches;
        }
        if (this.hours.All(day => day.Length == 0))
        {
            // Otherwise AddBusinessTime would search for an opening forever.
            throw new ArgumentException("A business calendar must be open at some time of the week.", nameof(hours));
        }
        this.holidays = [.. holidays];
    }

    /// <summary>The zone the opening hours and holidays are kept in.</summary>
    public TimeZoneInfo Zone { get; }

    /// <summary>The dates closed all day.</summary>
    public IReadOnlySet<DateOnly> Holidays => holidays;

    /// <summary>A calendar open every hour of every day, with no holidays.</summary>
    public static BusinessCalendar TwentyFourSeven(TimeZoneInfo zone)
    {
        IReadOnlyList<OpeningInterval> allDay = [OpeningInterval.AllDay];
        return new BusinessCalendar(zone, Enum.GetValues<DayOfWeek>().ToDictionary(d => d, _ => allDay), []);
    }

    /// <summary>
    /// A calendar open Monday to Friday from <paramref name="open"/> to <paramref name="close"/> local time
    /// (a close of 00:00 means midnight at the end of the day), closed on <paramref name="holidays"/>.
    /// </summary>
    public static BusinessCalendar Weekdays(TimeZoneInfo zone, TimeOnly open, TimeOnly close, IEnumerable<DateOnly> holidays)
    {
        IReadOnlyList<OpeningInterval> day = [new OpeningInterval(open, close)];
        return new BusinessCalendar(zone, MondayToFriday.ToDictionary(d => d, _ => day), holidays);
    }

    /// <summary>The opening stretches of a weekday, in order; empty when the day is closed.</summary>
    public IReadOnlyList<OpeningInterval> HoursOn(DayOfWeek day) => hours[(int)day];

    /// <summary>Whether the calendar is open at an instant (an opening is inclusive, a closing exclusive).</summary>
    public bool IsOpen(DateTimeOffset instant)
    {
        var today = LocalDate(instant);
        for (var day = today.AddDays(-1); day <= today.AddDays(1); day = day.AddDays(1))
        {
            foreach (var (opens, closes) in OpenPeriodsOn(day))
            {
                if (opens <= instant && instant < closes)
                {
                    return true;
                }
            }
        }
        return false;
    }

    /// <summary>
    /// The instant at which <paramref name="duration"/> of open time has elapsed after <paramref name="start"/>.
    /// When <paramref name="start"/> is outside opening hours, counting begins at the next opening (so a zero
    /// duration gives that opening). A duration that runs out exactly at a closing gives the closing, not the
    /// next opening. The result is expressed in the calendar's zone.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="duration"/> is negative.</exception>
    public DateTimeOffset AddBusinessTime(DateTimeOffset start, TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        var remaining = duration;
        // A day's stretches are found in local time, so begin a day early in case the previous local day's
        // stretch reaches past start; whole stretches are skipped at a time, never minutes.
        for (var day = LocalDate(start).AddDays(-1); ; day = day.AddDays(1))
        {
            foreach (var (opens, closes) in OpenPeriodsOn(day))
            {
                if (closes <= start)
                {
                    continue;
                }
                var from = opens > start ? opens : start;
                var available = closes - from;
                if (remaining <= available)
                {
                    return TimeZoneInfo.ConvertTime(from + remaining, Zone);
                }
                remaining -= available;
            }
        }
    }

    /// <summary>The open time elapsed between two instants; zero when <paramref name="to"/> is not after <paramref name="from"/>.</summary>
    public TimeSpan BusinessTimeBetween(DateTimeOffset from, DateTimeOffset to)
    {
        if (to <= from)
        {
            return TimeSpan.Zero;
        }
        var total = TimeSpan.Zero;
        var lastDay = LocalDate(to).AddDays(1);
        for (var day = LocalDate(from).AddDays(-1); day <= lastDay; day = day.AddDays(1))
        {
            foreach (var (opens, closes) in OpenPeriodsOn(day))
            {
                var begin = opens > from ? opens : from;
                var end = closes < to ? closes : to;
                if (end > begin)
                {
                    total += end - begin;
                }
            }
        }
        return total;
    }

    private DateOnly LocalDate(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Zone).DateTime);

    /// <summary>A day's opening stretches as instants, in order; none on a holiday.</summary>
    private List<(DateTimeOffset Opens, DateTimeOffset Closes)> OpenPeriodsOn(DateOnly day)
    {
        var periods = new List<(DateTimeOffset, DateTimeOffset)>();
        if (holidays.Contains(day))
        {
            return periods;
        }
        var midnight = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        foreach (var stretch in hours[(int)day.DayOfWeek])
        {
            var opens = ToInstant(midnight + stretch.Start);
            var closes = ToInstant(midnight + stretch.End);
            // A stretch lying wholly inside a skipped hour has no real time.
            if (closes > opens)
            {
                periods.Add((opens, closes));
            }
        }
        return periods;
    }

    private DateTimeOffset ToInstant(DateTime local)
    {
        if (Zone.IsInvalidTime(local))
        {
            return FirstInstantAfterSkip(local);
        }
        if (Zone.IsAmbiguousTime(local))
        {
            // The larger offset gives the earlier instant: the first occurrence.
            return new DateTimeOffset(local, Zone.GetAmbiguousTimeOffsets(local).Max());
        }
        return new DateTimeOffset(local, Zone.GetUtcOffset(local));
    }

    /// <summary>The instant the clocks jumped over <paramref name="local"/>, found by bisection over UTC ticks.</summary>
    private DateTimeOffset FirstInstantAfterSkip(DateTime local)
    {
        // A day either side is clear of the skip (skips last at most a day) and of any other change.
        var before = Zone.GetUtcOffset(local.AddDays(-1));
        var after = Zone.GetUtcOffset(local.AddDays(1));
        Debug.Assert(after > before, "Clocks skip only when they go forward.");
        // At lo the old offset still applies (read with the new one it would show the skipped local time);
        // at hi the new one already does. The change is the first tick at which the new offset applies.
        var lo = (local - after).Ticks;
        var hi = (local - before).Ticks;
        while (hi - lo > 1)
        {
            var mid = lo + ((hi - lo) / 2);
            if (Zone.GetUtcOffset(new DateTime(mid, DateTimeKind.Utc)) == after)
            {
                hi = mid;
            }
            else
            {
                lo = mid;
            }
        }
        return new DateTimeOffset(hi, TimeSpan.Zero).ToOffset(after);
    }
}
