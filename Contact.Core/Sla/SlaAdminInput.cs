using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Contact.Core.Residents;

namespace Contact.Core.Sla;

/// <summary>A business calendar as an admin sends it: opening hours are <c>{ "monday": [["08:30", "16:30"]], … }</c>.</summary>
public sealed record CalendarInput(string? Code, string? NameEn, string? NameFr, string? TimeZone, JsonElement? Hours);

/// <summary>A holiday (a date, yyyy-MM-dd, closed all day) as an admin sends it.</summary>
public sealed record HolidayInput(string? Date, string? NameEn, string? NameFr);

/// <summary>An SLA policy as an admin sends it; category and calendar are codes, targets are in minutes.</summary>
public sealed record PolicyInput(
    string? Category, string? Priority, string? Calendar, int? FirstResponseMinutes, int? ResolutionMinutes,
    int? WarningPercent, int? SecondBreachPercent, string? EscalationPhone);

/// <summary>A business calendar with its hours and holidays.</summary>
public sealed record CalendarView(
    int Id, string Code, string NameEn, string NameFr, string TimeZone, IReadOnlyDictionary<string, string[][]> Hours, IReadOnlyList<HolidayView> Holidays);

/// <summary>A holiday of a calendar.</summary>
public sealed record HolidayView(string Date, string NameEn, string NameFr);

/// <summary>An SLA policy.</summary>
public sealed record PolicyView(
    int Id, string Category, string? Priority, string Calendar, int FirstResponseMinutes, int ResolutionMinutes,
    int WarningPercent, int SecondBreachPercent, string? EscalationPhone);

/// <summary>One change in the audit history, with the row as it was before and after.</summary>
public sealed record AuditView(long Id, DateTimeOffset At, string Actor, string Entity, int EntityId, string Action, JsonElement? Before, JsonElement? After);

/// <summary>An admin's request the service standards refuse: nothing was changed.</summary>
/// <param name="status">404 (no such calendar, holiday or policy) or 409 (a duplicate, a policy in use).</param>
/// <param name="title">What went wrong, in a few words.</param>
/// <param name="detail">What went wrong, about this request.</param>
public sealed class SlaAdminRefusedException(int status, string title, string detail) : Exception(detail)
{
    /// <summary>The HTTP status that says it.</summary>
    public int Status { get; } = status;

    /// <summary>What went wrong, in a few words.</summary>
    public string Title { get; } = title;
}

/// <summary>An admin's request with field errors (each keyed by its JSON path): nothing was changed.</summary>
public sealed class SlaAdminInvalidException(IReadOnlyDictionary<string, string[]> errors) : Exception("The request has errors.")
{
    /// <summary>Every field's errors, keyed by its path.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;
}

/// <summary>A calendar that passed its checks, its hours as stored (JSON).</summary>
internal sealed record ValidCalendar(string Code, string NameEn, string NameFr, string TimeZone, string Hours);

/// <summary>A policy's own fields once they passed their checks (its category and calendar are looked up by their codes).</summary>
internal sealed record CheckedPolicy(string? Priority, int FirstResponseMinutes, int ResolutionMinutes,
    int WarningPercent, int SecondBreachPercent, string? EscalationPhone);

/// <summary>The checks on what admins send, each error with its field's path; none of them reads the database.</summary>
internal static partial class SlaAdminInput
{
    /// <summary>The shortest target: 2 hours.</summary>
    public const int MinTargetMinutes = 120;

    /// <summary>The longest target: 8 weeks.</summary>
    public const int MaxTargetMinutes = 8 * 7 * 24 * 60;

    private static readonly string[] Priorities = ["low", "normal", "high", "urgent"];

    /// <summary>The entities the audit history names.</summary>
    public static readonly string[] Entities = ["policy", "calendar", "holiday"];

    private static readonly Dictionary<string, DayOfWeek> Days = new(StringComparer.Ordinal)
    {
        ["monday"] = DayOfWeek.Monday, ["tuesday"] = DayOfWeek.Tuesday, ["wednesday"] = DayOfWeek.Wednesday, ["thursday"] = DayOfWeek.Thursday,
        ["friday"] = DayOfWeek.Friday, ["saturday"] = DayOfWeek.Saturday, ["sunday"] = DayOfWeek.Sunday,
    };

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex CodePattern();

    /// <summary>A calendar's fields checked (the code from the body, else the route's); throws with every error.</summary>
    public static ValidCalendar Calendar(CalendarInput input, string? routeCode)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var code = (input.Code ?? routeCode)?.Trim();
        if (string.IsNullOrEmpty(code))
        {
            errors["code"] = ["A code is required."];
        }
        else if (!CodePattern().IsMatch(code))
        {
            errors["code"] = ["A code is 1 to 64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit."];
        }
        var nameEn = Required(input.NameEn, "nameEn", 200, errors);
        var nameFr = Required(input.NameFr, "nameFr", 200, errors);
        var zoneId = input.TimeZone?.Trim();
        var zone = Zone(zoneId, errors);
        var hours = Hours(input.Hours, errors);
        if (hours is not null && zone is not null && !errors.ContainsKey("hours"))
        {
            try
            {
                _ = new BusinessCalendar(zone, hours.ToDictionary(d => Days[d.Key], d => (IReadOnlyList<OpeningInterval>)d.Value), []);
            }
            catch (ArgumentException e)
            {
                errors["hours"] = [e.Message.Split(" (Parameter", 2)[0]];
            }
        }
        ThrowIfAny(errors);
        var json = JsonSerializer.Serialize(hours!.ToDictionary(
            d => d.Key,
            d => d.Value.Select(s => new[] { s.Opens.ToString("HH:mm", CultureInfo.InvariantCulture), s.Closes.ToString("HH:mm", CultureInfo.InvariantCulture) }).ToArray()));
        return new ValidCalendar(code!, nameEn!, nameFr!, zoneId!, json);
    }

    /// <summary>A holiday's date and names checked; throws with every error.</summary>
    public static (DateOnly Date, string NameEn, string NameFr) Holiday(HolidayInput input)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var date = Date(input.Date);
        if (date is null)
        {
            errors["date"] = ["Give the date as yyyy-MM-dd."];
        }
        var nameEn = Required(input.NameEn, "nameEn", 200, errors);
        var nameFr = Required(input.NameFr, "nameFr", 200, errors);
        ThrowIfAny(errors);
        return (date!.Value, nameEn!, nameFr!);
    }

    /// <summary>A date in a route, yyyy-MM-dd; throws when it is not one.</summary>
    public static DateOnly RouteDate(string text) =>
        Date(text) ?? throw new SlaAdminInvalidException(new Dictionary<string, string[]> { ["date"] = ["Give the date as yyyy-MM-dd."] });

    /// <summary>
    /// A policy's fields checked, except whether its category and calendar exist; <paramref name="errors"/> gets every
    /// error (the caller adds the lookups' and throws).
    /// </summary>
    public static CheckedPolicy? Policy(PolicyInput input, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(input.Category))
        {
            errors["category"] = ["A category code is required."];
        }
        var priority = string.IsNullOrWhiteSpace(input.Priority) ? null : input.Priority.Trim();
        if (priority is not null && !Priorities.Contains(priority))
        {
            errors["priority"] = ["The priority is low, normal, high or urgent, or null for every priority without a policy of its own."];
        }
        if (string.IsNullOrWhiteSpace(input.Calendar))
        {
            errors["calendar"] = ["A business calendar code is required."];
        }
        Target(input.FirstResponseMinutes, "firstResponseMinutes", errors);
        Target(input.ResolutionMinutes, "resolutionMinutes", errors);
        var warning = input.WarningPercent ?? 80;
        if (warning is < 1 or > 99)
        {
            errors["warningPercent"] = ["The warning comes between 1% and 99% of a target."];
        }
        var second = input.SecondBreachPercent ?? 150;
        if (second <= 100)
        {
            errors["secondBreachPercent"] = ["The second breach comes past the target: more than 100%."];
        }
        string? phone = null;
        if (!string.IsNullOrWhiteSpace(input.EscalationPhone) && (phone = PhoneNumberNormaliser.ToE164(input.EscalationPhone)) is null)
        {
            errors["escalationPhone"] = [$"{input.EscalationPhone} is not a valid phone number."];
        }
        return errors.Count > 0
            ? null
            : new CheckedPolicy(priority, input.FirstResponseMinutes!.Value, input.ResolutionMinutes!.Value, warning, second, phone);
    }

    /// <summary>Throws the errors, if there are any.</summary>
    public static void ThrowIfAny(Dictionary<string, string[]> errors)
    {
        if (errors.Count > 0)
        {
            throw new SlaAdminInvalidException(errors);
        }
    }

    private static TimeZoneInfo? Zone(string? zoneId, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(zoneId))
        {
            errors["timeZone"] = ["A time zone is required (an IANA zone such as America/Toronto)."];
            return null;
        }
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            errors["timeZone"] = [$"{zoneId} is not a known time zone (use an IANA zone such as America/Toronto)."];
            return null;
        }
    }

    /// <summary>Reads <c>{ "monday": [["08:30", "16:30"]] }</c>, adding field errors for what it cannot.</summary>
    private static Dictionary<string, List<OpeningInterval>>? Hours(JsonElement? given, Dictionary<string, string[]> errors)
    {
        if (given is not { ValueKind: JsonValueKind.Object } hours)
        {
            errors["hours"] = ["Opening hours are required: an object of weekdays, e.g. { \"monday\": [[\"08:30\", \"16:30\"]] }."];
            return null;
        }
        var result = new Dictionary<string, List<OpeningInterval>>(StringComparer.Ordinal);
        foreach (var day in hours.EnumerateObject())
        {
            var field = "hours." + day.Name;
            if (!Days.ContainsKey(day.Name))
            {
                errors[field] = [$"{day.Name} is not a day of the week (monday … sunday, in lower case)."];
                continue;
            }
            if (day.Value.ValueKind != JsonValueKind.Array)
            {
                errors[field] = ["A day's hours are a list of [opens, closes] pairs."];
                continue;
            }
            var stretches = new List<OpeningInterval>();
            foreach (var pair in day.Value.EnumerateArray())
            {
                if (pair.ValueKind != JsonValueKind.Array || pair.GetArrayLength() != 2
                    || Time(pair[0]) is not { } opens || Time(pair[1]) is not { } closes)
                {
                    errors[field] = ["Each stretch is [\"HH:mm\", \"HH:mm\"] (a closing of \"00:00\" is midnight)."];
                    break;
                }
                stretches.Add(new OpeningInterval(opens, closes));
            }
            result[day.Name] = stretches;
        }
        return result;
    }

    private static TimeOnly? Time(JsonElement value) =>
        value.ValueKind == JsonValueKind.String
        && TimeOnly.TryParseExact(value.GetString(), "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
            ? time : null;

    private static void Target(int? minutes, string field, Dictionary<string, string[]> errors)
    {
        if (minutes is null)
        {
            errors[field] = ["A target in minutes is required."];
        }
        else if (minutes is < MinTargetMinutes or > MaxTargetMinutes)
        {
            errors[field] = [$"A target is between {MinTargetMinutes} minutes (2 hours) and {MaxTargetMinutes} minutes (8 weeks)."];
        }
    }

    private static string? Required(string? value, string field, int maxLength, Dictionary<string, string[]> errors)
    {
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            errors[field] = ["This is required."];
            return null;
        }
        if (trimmed.Length > maxLength)
        {
            errors[field] = [$"At most {maxLength.ToString(CultureInfo.InvariantCulture)} characters."];
            return null;
        }
        return trimmed;
    }

    private static DateOnly? Date(string? text) =>
        DateOnly.TryParseExact(text?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;
}
