using System.Diagnostics;
using Contact.Core.Sla;

namespace Contact.Tests.Sla;

public sealed class BusinessCalendarTests
{
    private static readonly TimeZoneInfo Toronto = TimeZoneInfo.FindSystemTimeZoneById("America/Toronto");

    private static readonly BusinessCalendar OfficeHours = BusinessCalendar.Weekdays(
        Toronto, new TimeOnly(8, 30), new TimeOnly(16, 30),
        Enumerable.Range(2025, 4).SelectMany(CanadianHolidays.Ontario).Select(h => h.Date));

    private static readonly BusinessCalendar AllHours = BusinessCalendar.TwentyFourSeven(Toronto);

    /// <summary>A Toronto wall-clock time as an instant (only for times that occur exactly once).</summary>
    private static DateTimeOffset Local(int year, int month, int day, int hour, int minute = 0)
    {
        var local = new DateTime(year, month, day, hour, minute, 0, DateTimeKind.Unspecified);
        Assert.That(Toronto.IsInvalidTime(local) || Toronto.IsAmbiguousTime(local), Is.False, "test times must be unambiguous");
        return new DateTimeOffset(local, Toronto.GetUtcOffset(local));
    }

    private static BusinessCalendar Daily(TimeOnly open, TimeOnly close)
    {
        IReadOnlyList<OpeningInterval> day = [new OpeningInterval(open, close)];
        return new BusinessCalendar(Toronto, Enum.GetValues<DayOfWeek>().ToDictionary(d => d, _ => day), []);
    }

    [Test]
    public void A_two_hour_target_inside_one_day_is_two_hours_later()
    {
        Assert.That(OfficeHours.AddBusinessTime(Local(2026, 3, 10, 9, 0), TimeSpan.FromHours(2)),
            Is.EqualTo(Local(2026, 3, 10, 11, 0)));
    }

    [Test]
    public void A_two_hour_target_late_in_the_day_runs_on_the_next_morning()
    {
        Assert.That(OfficeHours.AddBusinessTime(Local(2026, 3, 10, 15, 30), TimeSpan.FromHours(2)),
            Is.EqualTo(Local(2026, 3, 11, 9, 30)));
    }

    [Test]
    public void A_two_hour_target_late_on_friday_runs_on_monday_morning()
    {
        Assert.That(OfficeHours.AddBusinessTime(Local(2026, 3, 13, 15, 30), TimeSpan.FromHours(2)),
            Is.EqualTo(Local(2026, 3, 16, 9, 30)));
    }

    [Test]
    public void A_two_hour_target_skips_a_holiday_monday()
    {
        // Thanksgiving 2026 is Monday October 12.
        Assert.That(OfficeHours.AddBusinessTime(Local(2026, 10, 9, 15, 30), TimeSpan.FromHours(2)),
            Is.EqualTo(Local(2026, 10, 13, 9, 30)));
    }

    [Test]
    public void A_target_that_runs_out_at_closing_is_due_at_closing_not_the_next_opening()
    {
        Assert.That(OfficeHours.AddBusinessTime(Local(2026, 3, 10, 8, 30), TimeSpan.FromHours(8)),
            Is.EqualTo(Local(2026, 3, 10, 16, 30)));
    }

    [Test]
    public void An_eight_week_target_is_forty_business_days_later_past_thanksgiving_and_a_fall_back()
    {
        // From Monday October 5, 2026 at opening: 40 eight-hour days, with Thanksgiving (Oct 12) closed and
        // the clocks going back on Sunday November 1, end at closing on Monday November 30.
        var start = Local(2026, 10, 5, 8, 30);
        var eightWeeks = TimeSpan.FromHours(40 * 8);

        var due = OfficeHours.AddBusinessTime(start, eightWeeks);

        Assert.That(due, Is.EqualTo(Local(2026, 11, 30, 16, 30)));
        Assert.That(due.Offset, Is.EqualTo(TimeSpan.FromHours(-5)));
        Assert.That(OfficeHours.BusinessTimeBetween(start, due), Is.EqualTo(eightWeeks));
    }

    [Test]
    public void An_eight_week_target_across_christmas_and_new_year_lands_on_the_right_day()
    {
        // From Monday December 7, 2026 at 12:00: Christmas (Fri) and New Year's Day (Fri) are closed; Boxing Day
        // is a Saturday and gives no day in lieu. 40 days from midday ends at midday on the 41st open day.
        var due = OfficeHours.AddBusinessTime(Local(2026, 12, 7, 12, 0), TimeSpan.FromHours(40 * 8));

        Assert.That(due, Is.EqualTo(Local(2027, 2, 3, 12, 0)));
    }

    [Test]
    public void Eight_week_targets_are_computed_quickly()
    {
        var start = Local(2026, 10, 5, 8, 30);
        var eightWeeks = TimeSpan.FromHours(40 * 8);
        OfficeHours.AddBusinessTime(start, eightWeeks);

        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 1000; i++)
        {
            OfficeHours.AddBusinessTime(start.AddMinutes(i * 37), eightWeeks);
        }
        watch.Stop();

        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2)), "1000 eight-week targets");
    }

    [Test]
    public void Twenty_four_hours_on_a_24_7_calendar_across_spring_forward_ends_an_hour_later_on_the_clock()
    {
        // Sunday March 8, 2026: 02:00 becomes 03:00, so 24 real hours after Saturday noon the clock reads 13:00.
        var due = AllHours.AddBusinessTime(Local(2026, 3, 7, 12, 0), TimeSpan.FromHours(24));

        Assert.That(due, Is.EqualTo(Local(2026, 3, 8, 13, 0)));
        Assert.That(due - Local(2026, 3, 7, 12, 0), Is.EqualTo(TimeSpan.FromHours(24)));
    }

    [Test]
    public void Twenty_four_hours_on_a_24_7_calendar_across_fall_back_ends_an_hour_earlier_on_the_clock()
    {
        // Sunday November 1, 2026: 02:00 becomes 01:00, so 24 real hours after Saturday noon the clock reads 11:00.
        var due = AllHours.AddBusinessTime(Local(2026, 10, 31, 12, 0), TimeSpan.FromHours(24));

        Assert.That(due, Is.EqualTo(Local(2026, 11, 1, 11, 0)));
        Assert.That(due - Local(2026, 10, 31, 12, 0), Is.EqualTo(TimeSpan.FromHours(24)));
    }

    [Test]
    public void A_24_7_calendar_counts_the_real_length_of_days_when_the_clocks_change()
    {
        Assert.That(AllHours.BusinessTimeBetween(Local(2026, 3, 8, 0), Local(2026, 3, 9, 0)), Is.EqualTo(TimeSpan.FromHours(23)));
        Assert.That(AllHours.BusinessTimeBetween(Local(2026, 11, 1, 0), Local(2026, 11, 2, 0)), Is.EqualTo(TimeSpan.FromHours(25)));
    }

    [Test]
    public void A_clock_change_at_night_does_not_move_a_weekday_target()
    {
        Assert.That(OfficeHours.AddBusinessTime(Local(2026, 3, 6, 15, 30), TimeSpan.FromHours(2)),
            Is.EqualTo(Local(2026, 3, 9, 9, 30)));
        Assert.That(OfficeHours.AddBusinessTime(Local(2026, 10, 30, 15, 30), TimeSpan.FromHours(2)),
            Is.EqualTo(Local(2026, 11, 2, 9, 30)));
    }

    [Test]
    public void Daytime_hours_on_the_day_the_clocks_change_are_a_full_eight_hours()
    {
        var everyDay = Daily(new TimeOnly(8, 30), new TimeOnly(16, 30));

        Assert.That(everyDay.AddBusinessTime(Local(2026, 3, 7, 15, 30), TimeSpan.FromHours(2)), Is.EqualTo(Local(2026, 3, 8, 9, 30)));
        Assert.That(everyDay.AddBusinessTime(Local(2026, 10, 31, 15, 30), TimeSpan.FromHours(2)), Is.EqualTo(Local(2026, 11, 1, 9, 30)));
        Assert.That(everyDay.BusinessTimeBetween(Local(2026, 3, 8, 0), Local(2026, 3, 9, 0)), Is.EqualTo(TimeSpan.FromHours(8)));
        Assert.That(everyDay.BusinessTimeBetween(Local(2026, 11, 1, 0), Local(2026, 11, 2, 0)), Is.EqualTo(TimeSpan.FromHours(8)));
    }

    [Test]
    public void Hours_spanning_the_clock_change_are_measured_in_real_time()
    {
        var night = Daily(new TimeOnly(1, 0), new TimeOnly(3, 0));

        // Spring: 01:00 EST to 03:00 EDT is one real hour. Autumn: 01:00 EDT to 03:00 EST is three.
        Assert.That(night.BusinessTimeBetween(Local(2026, 3, 8, 0), Local(2026, 3, 8, 12)), Is.EqualTo(TimeSpan.FromHours(1)));
        Assert.That(night.BusinessTimeBetween(Local(2026, 11, 1, 0), Local(2026, 11, 1, 12)), Is.EqualTo(TimeSpan.FromHours(3)));
        Assert.That(night.AddBusinessTime(Local(2026, 11, 1, 0), TimeSpan.FromHours(3)), Is.EqualTo(Local(2026, 11, 1, 3)));
    }

    [Test]
    public void A_closing_time_the_clocks_skip_closes_at_the_moment_of_the_change()
    {
        // 02:30 does not exist on March 8, 2026: closing moves to 03:00 EDT (07:00 UTC), after two real hours.
        var calendar = Daily(TimeOnly.MinValue, new TimeOnly(2, 30));
        var change = new DateTimeOffset(2026, 3, 8, 7, 0, 0, TimeSpan.Zero);

        Assert.That(calendar.BusinessTimeBetween(Local(2026, 3, 8, 0), Local(2026, 3, 8, 12)), Is.EqualTo(TimeSpan.FromHours(2)));
        Assert.That(calendar.AddBusinessTime(Local(2026, 3, 8, 0), TimeSpan.FromHours(2)), Is.EqualTo(change));
        Assert.That(calendar.IsOpen(change.AddTicks(-1)), Is.True);
        Assert.That(calendar.IsOpen(change), Is.False);
    }

    [Test]
    public void An_opening_time_that_occurs_twice_opens_at_its_first_occurrence()
    {
        // 01:30 happens twice on November 1, 2026: opening is at 01:30 EDT (05:30 UTC), closing at 02:30 EST (07:30 UTC).
        var calendar = Daily(new TimeOnly(1, 30), new TimeOnly(2, 30));
        var firstHalfPastOne = new DateTimeOffset(2026, 11, 1, 5, 30, 0, TimeSpan.Zero);

        Assert.That(calendar.AddBusinessTime(Local(2026, 11, 1, 0), TimeSpan.Zero), Is.EqualTo(firstHalfPastOne));
        Assert.That(calendar.BusinessTimeBetween(Local(2026, 11, 1, 0), Local(2026, 11, 1, 12)), Is.EqualTo(TimeSpan.FromHours(2)));
        Assert.That(calendar.IsOpen(firstHalfPastOne.AddTicks(-1)), Is.False);
        Assert.That(calendar.IsOpen(firstHalfPastOne.AddHours(1)), Is.True, "the second 01:30");
    }

    [Test]
    public void Counting_from_outside_hours_begins_at_the_next_opening()
    {
        var twoHours = TimeSpan.FromHours(2);
        Assert.That(OfficeHours.AddBusinessTime(Local(2026, 3, 10, 7, 0), twoHours), Is.EqualTo(Local(2026, 3, 10, 10, 30)), "before opening");
        Assert.That(OfficeHours.AddBusinessTime(Local(2026, 3, 10, 16, 30), twoHours), Is.EqualTo(Local(2026, 3, 11, 10, 30)), "at closing");
        Assert.That(OfficeHours.AddBusinessTime(Local(2026, 3, 10, 22, 0), twoHours), Is.EqualTo(Local(2026, 3, 11, 10, 30)), "at night");
        Assert.That(OfficeHours.AddBusinessTime(Local(2026, 3, 14, 10, 0), twoHours), Is.EqualTo(Local(2026, 3, 16, 10, 30)), "on a Saturday");
        Assert.That(OfficeHours.AddBusinessTime(Local(2026, 10, 12, 10, 0), twoHours), Is.EqualTo(Local(2026, 10, 13, 10, 30)), "on a holiday");
        Assert.That(OfficeHours.AddBusinessTime(Local(2026, 3, 14, 10, 0), TimeSpan.Zero), Is.EqualTo(Local(2026, 3, 16, 8, 30)), "zero from a Saturday");
    }

    [Test]
    public void The_instant_is_read_whatever_offset_it_is_given_in()
    {
        var utc = new DateTimeOffset(2026, 3, 10, 14, 0, 0, TimeSpan.Zero); // 10:00 EDT
        var due = OfficeHours.AddBusinessTime(utc, TimeSpan.FromHours(2));

        Assert.That(due, Is.EqualTo(Local(2026, 3, 10, 12, 0)));
        Assert.That(due.Offset, Is.EqualTo(TimeSpan.FromHours(-4)), "results are in the calendar's zone");
    }

    [Test]
    public void Business_time_between_two_instants_leaves_out_nights_weekends_and_holidays()
    {
        Assert.That(OfficeHours.BusinessTimeBetween(Local(2026, 3, 13, 15, 30), Local(2026, 3, 16, 9, 30)), Is.EqualTo(TimeSpan.FromHours(2)));
        Assert.That(OfficeHours.BusinessTimeBetween(Local(2026, 10, 9, 8, 30), Local(2026, 10, 13, 16, 30)), Is.EqualTo(TimeSpan.FromHours(16)));
        Assert.That(OfficeHours.BusinessTimeBetween(Local(2026, 3, 14, 0), Local(2026, 3, 15, 23)), Is.EqualTo(TimeSpan.Zero));
    }

    [Test]
    public void Business_time_between_is_zero_when_the_end_is_not_after_the_start()
    {
        Assert.That(OfficeHours.BusinessTimeBetween(Local(2026, 3, 10, 12), Local(2026, 3, 10, 12)), Is.EqualTo(TimeSpan.Zero));
        Assert.That(OfficeHours.BusinessTimeBetween(Local(2026, 3, 10, 12), Local(2026, 3, 10, 10)), Is.EqualTo(TimeSpan.Zero));
    }

    [Test]
    public void Business_time_between_undoes_adding_business_time_for_500_random_starts()
    {
        var random = new Random(20260308);
        var first = Local(2025, 1, 1, 0);
        for (var i = 0; i < 500; i++)
        {
            // Any instant in 2025–2027 to the second, and any target from 2 hours to 8 weeks of business time.
            var start = first.AddSeconds(random.NextInt64(3 * 365 * 24 * 3600L));
            var duration = TimeSpan.FromSeconds(random.NextInt64(2 * 3600L, (40 * 8 * 3600L) + 1));

            var due = OfficeHours.AddBusinessTime(start, duration);
            Assert.That(OfficeHours.BusinessTimeBetween(start, due), Is.EqualTo(duration), $"office hours from {start:O} plus {duration}");
            Assert.That(OfficeHours.IsOpen(due.AddTicks(-1)), Is.True, $"office hours due {due:O}");

            var allDue = AllHours.AddBusinessTime(start, duration);
            Assert.That(allDue, Is.EqualTo(start + duration), $"24/7 from {start:O} plus {duration}");
            Assert.That(AllHours.BusinessTimeBetween(start, allDue), Is.EqualTo(duration));
        }
    }

    [Test]
    public void Is_open_follows_the_hours_the_weekends_and_the_holidays()
    {
        Assert.That(OfficeHours.IsOpen(Local(2026, 3, 10, 8, 30)), Is.True, "at opening");
        Assert.That(OfficeHours.IsOpen(Local(2026, 3, 10, 12, 0)), Is.True, "at noon");
        Assert.That(OfficeHours.IsOpen(Local(2026, 3, 10, 8, 29)), Is.False, "before opening");
        Assert.That(OfficeHours.IsOpen(Local(2026, 3, 10, 16, 30)), Is.False, "at closing");
        Assert.That(OfficeHours.IsOpen(Local(2026, 3, 14, 12, 0)), Is.False, "on a Saturday");
        Assert.That(OfficeHours.IsOpen(Local(2026, 10, 12, 12, 0)), Is.False, "on Thanksgiving");
        Assert.That(AllHours.IsOpen(new DateTimeOffset(2026, 11, 1, 6, 30, 0, TimeSpan.Zero)), Is.True, "24/7 in the repeated hour");
        Assert.That(AllHours.IsOpen(Local(2026, 12, 25, 3, 0)), Is.True, "24/7 on Christmas");
    }

    [Test]
    public void Calendars_that_make_no_sense_are_refused()
    {
        IReadOnlyList<OpeningInterval> overlapping = [new(new TimeOnly(8, 0), new TimeOnly(12, 0)), new(new TimeOnly(11, 0), new TimeOnly(16, 0))];
        IReadOnlyList<OpeningInterval> backwards = [new(new TimeOnly(16, 0), new TimeOnly(8, 0))];

        Assert.That(() => new BusinessCalendar(Toronto, new Dictionary<DayOfWeek, IReadOnlyList<OpeningInterval>> { [DayOfWeek.Monday] = overlapping }, []),
            Throws.ArgumentException);
        Assert.That(() => new BusinessCalendar(Toronto, new Dictionary<DayOfWeek, IReadOnlyList<OpeningInterval>> { [DayOfWeek.Monday] = backwards }, []),
            Throws.ArgumentException);
        Assert.That(() => new BusinessCalendar(Toronto, new Dictionary<DayOfWeek, IReadOnlyList<OpeningInterval>>(), []),
            Throws.ArgumentException);
        Assert.That(() => OfficeHours.AddBusinessTime(Local(2026, 3, 10, 9), TimeSpan.FromHours(-1)),
            Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void Split_hours_with_a_lunch_break_pause_the_clock()
    {
        IReadOnlyList<OpeningInterval> split = [new(new TimeOnly(13, 0), new TimeOnly(17, 0)), new(new TimeOnly(9, 0), new TimeOnly(12, 0))];
        var calendar = new BusinessCalendar(Toronto, new Dictionary<DayOfWeek, IReadOnlyList<OpeningInterval>> { [DayOfWeek.Tuesday] = split }, []);

        Assert.That(calendar.HoursOn(DayOfWeek.Tuesday).Select(h => h.Opens), Is.EqualTo(new[] { new TimeOnly(9, 0), new TimeOnly(13, 0) }));
        Assert.That(calendar.AddBusinessTime(Local(2026, 3, 10, 11, 0), TimeSpan.FromHours(2)), Is.EqualTo(Local(2026, 3, 10, 14, 0)));
        Assert.That(calendar.AddBusinessTime(Local(2026, 3, 10, 16, 0), TimeSpan.FromHours(2)), Is.EqualTo(Local(2026, 3, 17, 10, 0)));
        Assert.That(calendar.IsOpen(Local(2026, 3, 10, 12, 30)), Is.False);
    }
}
