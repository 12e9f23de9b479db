using Contact.Core.Sla;

namespace Contact.Tests.Sla;

public sealed class CanadianHolidaysTests
{
    private static DateOnly DateOf(IEnumerable<(DateOnly Date, string NameEn, string NameFr)> holidays, string nameEn) =>
        holidays.Single(h => h.NameEn == nameEn).Date;

    [TestCase(2024, 3, 31)]
    [TestCase(2025, 4, 20)]
    [TestCase(2026, 4, 5)]
    [TestCase(2027, 3, 28)]
    [TestCase(2038, 4, 25)]
    [TestCase(2285, 3, 22)]
    public void Easter_sunday_follows_the_gregorian_computus(int year, int month, int day)
    {
        Assert.That(CanadianHolidays.EasterSunday(year), Is.EqualTo(new DateOnly(year, month, day)));
    }

    [Test]
    public void Good_friday_is_two_days_before_easter()
    {
        Assert.That(DateOf(CanadianHolidays.Federal(2026), "Good Friday"), Is.EqualTo(new DateOnly(2026, 4, 3)));
        Assert.That(DateOf(CanadianHolidays.Ontario(2024), "Good Friday"), Is.EqualTo(new DateOnly(2024, 3, 29)));
        Assert.That(DateOf(CanadianHolidays.Quebec(2027), "Good Friday"), Is.EqualTo(new DateOnly(2027, 3, 26)));
    }

    [Test]
    public void Monday_holidays_fall_on_the_right_mondays_in_2026()
    {
        var ontario = CanadianHolidays.Ontario(2026);
        Assert.That(DateOf(ontario, "Family Day"), Is.EqualTo(new DateOnly(2026, 2, 16)));
        Assert.That(DateOf(ontario, "Victoria Day"), Is.EqualTo(new DateOnly(2026, 5, 18)));
        Assert.That(DateOf(ontario, "Labour Day"), Is.EqualTo(new DateOnly(2026, 9, 7)));
        Assert.That(DateOf(ontario, "Thanksgiving"), Is.EqualTo(new DateOnly(2026, 10, 12)));
        Assert.That(DateOf(CanadianHolidays.Quebec(2026), "National Patriots' Day"), Is.EqualTo(new DateOnly(2026, 5, 18)));
    }

    [Test]
    public void Victoria_day_is_the_monday_before_may_25_even_when_may_24_is_a_monday()
    {
        // May 24, 2027 is a Monday; May 25, 2026 is a Monday and is not Victoria Day.
        Assert.That(DateOf(CanadianHolidays.Federal(2027), "Victoria Day"), Is.EqualTo(new DateOnly(2027, 5, 24)));
        Assert.That(DateOf(CanadianHolidays.Federal(2026), "Victoria Day"), Is.EqualTo(new DateOnly(2026, 5, 18)));
    }

    [Test]
    public void Canada_day_moves_to_july_2_when_july_1_is_a_sunday()
    {
        Assert.That(new DateOnly(2029, 7, 1).DayOfWeek, Is.EqualTo(DayOfWeek.Sunday));
        Assert.That(DateOf(CanadianHolidays.Federal(2029), "Canada Day"), Is.EqualTo(new DateOnly(2029, 7, 2)));
        Assert.That(DateOf(CanadianHolidays.Ontario(2029), "Canada Day"), Is.EqualTo(new DateOnly(2029, 7, 2)));
        Assert.That(DateOf(CanadianHolidays.Quebec(2029), "Canada Day"), Is.EqualTo(new DateOnly(2029, 7, 2)));
        Assert.That(DateOf(CanadianHolidays.Federal(2028), "Canada Day"), Is.EqualTo(new DateOnly(2028, 7, 1)), "a Saturday stays");
    }

    [Test]
    public void Other_fixed_holidays_on_a_weekend_keep_their_own_date()
    {
        // Boxing Day 2026 is a Saturday; Christmas 2027 is a Saturday.
        Assert.That(DateOf(CanadianHolidays.Ontario(2026), "Boxing Day"), Is.EqualTo(new DateOnly(2026, 12, 26)));
        Assert.That(DateOf(CanadianHolidays.Federal(2027), "Christmas Day"), Is.EqualTo(new DateOnly(2027, 12, 25)));
    }

    [Test]
    public void Saint_jean_baptiste_is_june_24_in_quebec_only()
    {
        Assert.That(DateOf(CanadianHolidays.Quebec(2026), "Saint-Jean-Baptiste Day"), Is.EqualTo(new DateOnly(2026, 6, 24)));
        Assert.That(CanadianHolidays.Quebec(2026).Single(h => h.Date == new DateOnly(2026, 6, 24)).NameFr, Is.EqualTo("Fête nationale du Québec"));
        Assert.That(CanadianHolidays.Ontario(2026).Select(h => h.Date), Does.Not.Contain(new DateOnly(2026, 6, 24)));
    }

    [Test]
    public void Each_list_has_its_statutory_holidays_and_no_others()
    {
        Assert.That(CanadianHolidays.Federal(2026).Select(h => h.NameEn), Is.EquivalentTo(new[]
        {
            "New Year's Day", "Good Friday", "Victoria Day", "Canada Day", "Labour Day", "National Day for Truth and Reconciliation",
            "Thanksgiving", "Remembrance Day", "Christmas Day", "Boxing Day",
        }));
        Assert.That(CanadianHolidays.Ontario(2026).Select(h => h.NameEn), Is.EquivalentTo(new[]
        {
            "New Year's Day", "Family Day", "Good Friday", "Victoria Day", "Canada Day", "Labour Day", "Thanksgiving",
            "Christmas Day", "Boxing Day",
        }));
        Assert.That(CanadianHolidays.Quebec(2026).Select(h => h.NameEn), Is.EquivalentTo(new[]
        {
            "New Year's Day", "Good Friday", "National Patriots' Day", "Saint-Jean-Baptiste Day", "Canada Day", "Labour Day",
            "Thanksgiving", "Christmas Day",
        }));
    }

    [TestCase(2024)]
    [TestCase(2026)]
    [TestCase(2029)]
    public void The_counts_are_ten_federal_nine_in_ontario_and_eight_in_quebec(int year)
    {
        Assert.That(CanadianHolidays.Federal(year), Has.Count.EqualTo(10));
        Assert.That(CanadianHolidays.Ontario(year), Has.Count.EqualTo(9));
        Assert.That(CanadianHolidays.Quebec(year), Has.Count.EqualTo(8));
    }

    [Test]
    public void Easter_monday_and_the_civic_holiday_are_not_statutory()
    {
        var easterMonday = new DateOnly(2026, 4, 6);
        var civicHoliday = new DateOnly(2026, 8, 3);
        foreach (var list in new[] { CanadianHolidays.Federal(2026), CanadianHolidays.Ontario(2026), CanadianHolidays.Quebec(2026) })
        {
            Assert.That(list.Select(h => h.Date), Does.Not.Contain(easterMonday).And.Not.Contain(civicHoliday));
        }
    }

    [Test]
    public void Truth_and_reconciliation_day_is_september_30_and_federal_only()
    {
        Assert.That(DateOf(CanadianHolidays.Federal(2026), "National Day for Truth and Reconciliation"), Is.EqualTo(new DateOnly(2026, 9, 30)));
        Assert.That(CanadianHolidays.Ontario(2026).Select(h => h.Date), Does.Not.Contain(new DateOnly(2026, 9, 30)));
        Assert.That(CanadianHolidays.Quebec(2026).Select(h => h.Date), Does.Not.Contain(new DateOnly(2026, 9, 30)));
    }

    [Test]
    public void Holidays_that_began_later_are_absent_before_their_first_year()
    {
        Assert.That(CanadianHolidays.Federal(2020).Select(h => h.NameEn), Does.Not.Contain("National Day for Truth and Reconciliation"));
        Assert.That(CanadianHolidays.Federal(2021).Select(h => h.NameEn), Does.Contain("National Day for Truth and Reconciliation"));
        Assert.That(CanadianHolidays.Ontario(2007).Select(h => h.NameEn), Does.Not.Contain("Family Day"));
        Assert.That(CanadianHolidays.Ontario(2008).Select(h => h.NameEn), Does.Contain("Family Day"));
    }

    [Test]
    public void Every_list_is_sorted_by_date_and_named_in_both_languages()
    {
        for (var year = 2020; year <= 2035; year++)
        {
            foreach (var list in new[] { CanadianHolidays.Federal(year), CanadianHolidays.Ontario(year), CanadianHolidays.Quebec(year) })
            {
                Assert.That(list.Select(h => h.Date), Is.Ordered.And.Unique, year.ToString(System.Globalization.CultureInfo.InvariantCulture));
                Assert.That(list.Select(h => h.Date.Year), Is.All.EqualTo(year));
                Assert.That(list, Has.All.Matches<(DateOnly Date, string NameEn, string NameFr)>(
                    h => h.NameEn.Length > 0 && h.NameFr.Length > 0));
            }
        }
    }

    [Test]
    public void Years_before_the_gregorian_computus_are_refused()
    {
        Assert.That(() => CanadianHolidays.Federal(1582), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => CanadianHolidays.EasterSunday(10000), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }
}
