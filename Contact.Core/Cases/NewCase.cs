using Contact.Core.Infrastructure;
using System.Globalization;
using System.Net.Mail;
using Contact.Core.Catalog;
using Contact.Core.Residents;

namespace Contact.Core.Cases;

/// <summary>The channels a case can arrive on.</summary>
public static class Channels
{
    /// <summary>Every channel.</summary>
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { "web", "phone", "sms", "open311", "agent" };
}

/// <summary>A request as a resident (or a channel on their behalf) made it, not yet checked.</summary>
/// <param name="Category">The category's code.</param>
/// <param name="Channel">web, phone, sms, open311 or agent.</param>
/// <param name="Language">The resident's language, en or fr.</param>
/// <param name="Description">What they said (at most 4,000 characters).</param>
/// <param name="Answers">Answers to the category's questions by question code; one value each except multi-value lists.</param>
/// <param name="Address">Where, as text.</param>
/// <param name="Latitude">Where, as a point (with <paramref name="Longitude"/>).</param>
/// <param name="Longitude">Where, as a point (with <paramref name="Latitude"/>).</param>
/// <param name="Name">The resident's name.</param>
/// <param name="Phone">Their phone as typed.</param>
/// <param name="Email">Their email.</param>
/// <param name="NotifyConsent">Whether they agree to be told of progress.</param>
/// <param name="IdempotencyKey">The client's key for this submission; a repeat answers the case it made.</param>
/// <param name="Media">Recordings and photos that came with it.</param>
/// <param name="Open311">What an Open311 app sent besides (its key, token, device and account ids), for requests filed through Open311.</param>
public sealed record NewCase(
    string? Category,
    string Channel,
    string? Language,
    string? Description = null,
    IReadOnlyDictionary<string, IReadOnlyList<string>>? Answers = null,
    string? Address = null,
    double? Latitude = null,
    double? Longitude = null,
    string? Name = null,
    string? Phone = null,
    string? Email = null,
    bool NotifyConsent = false,
    string? IdempotencyKey = null,
    IReadOnlyList<CaseMediaItem>? Media = null,
    Open311Origin? Open311 = null);

/// <summary>What a request filed through Open311 GeoReport v2 carries besides an ordinary case.</summary>
/// <param name="ApiKeyId">The key that filed it.</param>
/// <param name="Token">The token GET tokens/{token} answers with the case's number.</param>
/// <param name="DeviceId">The app's device id (private).</param>
/// <param name="AccountId">The app's account id for the resident (private).</param>
/// <param name="AddressId">The jurisdiction's address-repository id, when the app located the request that way.</param>
public sealed record Open311Origin(int ApiKeyId, string Token, string? DeviceId, string? AccountId, string? AddressId);

/// <summary>A recording or photo attached to a case.</summary>
/// <param name="Kind">recording or photo.</param>
/// <param name="Url">Where it is kept (e.g. Twilio's recording URL).</param>
/// <param name="ContentType">Its media type, when known.</param>
public sealed record CaseMediaItem(string Kind, string Url, string? ContentType = null);

/// <summary>One problem with one field. <see cref="Code"/> names a message each channel words in its language.</summary>
/// <param name="Field">The field: category, description, address, latitude, longitude, name, phone, email, language, consent, or answers.{code}.</param>
/// <param name="Code">What is wrong, e.g. description.too_long.</param>
/// <param name="Args">Values the message needs (a limit, a question's code).</param>
public sealed record FieldError(string Field, string Code, params string[] Args);

/// <summary>A request that passed every check, in the form it is stored.</summary>
/// <param name="Category">The category.</param>
/// <param name="Request">What was asked.</param>
/// <param name="Answers">Answers, normalised (numbers and dates in invariant form).</param>
/// <param name="PhoneE164">The phone in E.164, or null.</param>
public sealed record ValidCase(Category Category, NewCase Request, IReadOnlyDictionary<string, object> Answers, string? PhoneE164);

/// <summary>Checks a request against the catalog; every problem is reported, not just the first.</summary>
public static class CaseValidator
{
    /// <summary>The longest description accepted.</summary>
    public const int MaxDescription = 4000;

    /// <summary>The longest answer to a text question.</summary>
    public const int MaxAnswer = 2000;

    /// <summary>Checks <paramref name="request"/>; returns the valid case or the problems.</summary>
    public static (ValidCase? Case, IReadOnlyList<FieldError> Errors) Validate(NewCase request, CatalogSnapshot catalog)
    {
        var errors = new List<FieldError>();
        if (!Channels.All.Contains(request.Channel))
        {
            throw new ArgumentException($"Unknown channel {request.Channel}", nameof(request));
        }
        if (!Language.IsCode(request.Language))
        {
            errors.Add(new("language", "language.invalid"));
        }

        var category = catalog.Find(request.Category?.Trim());
        if (category is null)
        {
            errors.Add(new("category", string.IsNullOrWhiteSpace(request.Category) ? "category.required" : "category.unknown", request.Category ?? ""));
        }

        var description = request.Description?.Trim() ?? "";
        if (description.Length > MaxDescription)
        {
            errors.Add(new("description", "description.too_long", MaxDescription.ToString(CultureInfo.InvariantCulture)));
        }

        var address = request.Address?.Trim();
        if (address?.Length > 500)
        {
            errors.Add(new("address", "address.too_long", "500"));
        }
        if (request.Latitude is null != request.Longitude is null)
        {
            errors.Add(new(request.Latitude is null ? "latitude" : "longitude", "coordinates.incomplete"));
        }
        if (request.Latitude is double lat && (double.IsNaN(lat) || lat is < -90 or > 90))
        {
            errors.Add(new("latitude", "latitude.invalid"));
        }
        if (request.Longitude is double lon && (double.IsNaN(lon) || lon is < -180 or > 180))
        {
            errors.Add(new("longitude", "longitude.invalid"));
        }
        if (category is { LocationRequired: true } && string.IsNullOrEmpty(address) && request.Latitude is null
            && string.IsNullOrWhiteSpace(request.Open311?.AddressId))
        {
            errors.Add(new("address", "location.required"));
        }

        var (phone, email) = CheckContact(request.Name, request.Phone, request.Email, request.NotifyConsent, errors);

        foreach (var (item, i) in (request.Media ?? []).Select((m, i) => (m, i)))
        {
            if (item.Kind is not ("recording" or "photo") || !Uri.TryCreate(item.Url, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http") || item.Url.Length > 2000)
            {
                errors.Add(new("media", "media.invalid", i.ToString(CultureInfo.InvariantCulture)));
            }
        }

        var answers = category is null ? new Dictionary<string, object>() : CheckAnswers(category.Questions, "answers.", request.Channel, request.Answers, errors);
        if (errors.Count > 0 || category is null)
        {
            return (null, errors);
        }
        var normalised = request with
        {
            Category = category.Code,
            Description = description,
            Address = string.IsNullOrEmpty(address) ? null : address,
            Name = string.IsNullOrWhiteSpace(request.Name) ? null : request.Name.Trim(),
            Email = string.IsNullOrEmpty(email) ? null : email,
            IdempotencyKey = string.IsNullOrWhiteSpace(request.IdempotencyKey) ? null : request.IdempotencyKey.Trim(),
        };
        return (new ValidCase(category, normalised, answers, phone), errors);
    }

    /// <summary>Whether a question can be answered on a phone keypad (a list of choices or a number).</summary>
    public static bool SuitsPhone(CategoryQuestion question) => question.Datatype is "singlevaluelist" or "number";

    /// <summary>
    /// Checks the resident's contact details (adding to <paramref name="errors"/>); the phone number in E.164 and the
    /// trimmed email, when given.
    /// </summary>
    public static (string? PhoneE164, string? Email) CheckContact(string? name, string? phone, string? email, bool notifyConsent, List<FieldError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (name?.Trim().Length > 200)
        {
            errors.Add(new("name", "name.too_long", "200"));
        }
        string? e164 = null;
        if (!string.IsNullOrWhiteSpace(phone))
        {
            e164 = PhoneNumberNormaliser.ToE164(phone);
            if (e164 is null)
            {
                errors.Add(new("phone", "phone.invalid"));
            }
        }
        var trimmed = email?.Trim();
        if (!string.IsNullOrEmpty(trimmed) && !IsEmail(trimmed))
        {
            errors.Add(new("email", "email.invalid"));
        }
        if (notifyConsent && string.IsNullOrWhiteSpace(phone) && string.IsNullOrEmpty(trimmed))
        {
            errors.Add(new("consent", "consent.needs_contact"));
        }
        return (e164, string.IsNullOrEmpty(trimmed) ? null : trimmed);
    }

    /// <summary>
    /// Checks answers to <paramref name="questions"/> (adding to <paramref name="errors"/>, each field named
    /// <paramref name="prefix"/> + the question's code); the answers normalised, as stored.
    /// </summary>
    public static Dictionary<string, object> CheckAnswers(IReadOnlyList<CategoryQuestion> questions, string prefix, string channel,
        IReadOnlyDictionary<string, IReadOnlyList<string>>? given, List<FieldError> errors)
    {
        ArgumentNullException.ThrowIfNull(questions);
        ArgumentNullException.ThrowIfNull(errors);
        var answers = new Dictionary<string, object>(StringComparer.Ordinal);
        given ??= new Dictionary<string, IReadOnlyList<string>>();
        foreach (var code in given.Keys.Where(k => questions.All(q => q.Code != k)))
        {
            errors.Add(new(prefix + code, "answer.unknown", code));
        }
        foreach (var q in questions)
        {
            var field = prefix + q.Code;
            var values = (given.TryGetValue(q.Code, out var v) ? v : [])
                .Select(x => x?.Trim() ?? "").Where(x => x.Length > 0).ToList();
            if (values.Count == 0)
            {
                // A phone call asks only what a keypad can answer; an agent completes the rest.
                if (q.Required && (channel != "phone" || SuitsPhone(q)))
                {
                    errors.Add(new(field, "answer.required", q.Code));
                }
                continue;
            }
            if (q.Datatype != "multivaluelist" && values.Count > 1)
            {
                errors.Add(new(field, "answer.one_value", q.Code));
                continue;
            }
            var value = values[0];
            switch (q.Datatype)
            {
                case "number":
                    if (decimal.TryParse(value.Replace(',', '.'), NumberStyles.Number, CultureInfo.InvariantCulture, out var number))
                    {
                        answers[q.Code] = number.ToString(CultureInfo.InvariantCulture);
                    }
                    else
                    {
                        errors.Add(new(field, "answer.not_number", q.Code));
                    }
                    break;
                case "datetime":
                    if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var when))
                    {
                        answers[q.Code] = when.ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture);
                    }
                    else
                    {
                        errors.Add(new(field, "answer.not_datetime", q.Code));
                    }
                    break;
                case "singlevaluelist":
                case "multivaluelist":
                    var unknown = values.Where(x => q.Choices.All(c => c.Key != x)).ToList();
                    if (unknown.Count > 0)
                    {
                        errors.Add(new(field, "answer.not_choice", q.Code, unknown[0]));
                    }
                    else
                    {
                        answers[q.Code] = q.Datatype == "multivaluelist" ? values.Distinct().ToArray() : value;
                    }
                    break;
                default:
                    if (value.Length > MaxAnswer)
                    {
                        errors.Add(new(field, "answer.too_long", q.Code, MaxAnswer.ToString(CultureInfo.InvariantCulture)));
                    }
                    else
                    {
                        answers[q.Code] = value;
                    }
                    break;
            }
        }
        return answers;
    }

    private static bool IsEmail(string email)
    {
        if (email.Length > 254 || email.Contains(' ', StringComparison.Ordinal))
        {
            return false;
        }
        try
        {
            var parsed = new MailAddress(email);
            return parsed.Address == email && parsed.Host.Contains('.', StringComparison.Ordinal);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
