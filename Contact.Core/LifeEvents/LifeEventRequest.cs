using Contact.Core.Cases;
using Contact.Core.Catalog;
using Contact.Core.Infrastructure;

namespace Contact.Core.LifeEvents;

/// <summary>A life event told once, as any channel gives it.</summary>
/// <param name="Channel">web, phone, sms or agent.</param>
/// <param name="Language">en or fr.</param>
/// <param name="Shared">Answers to the life event's shared questions, by code.</param>
/// <param name="Services">The services chosen (category codes); null for all of them.</param>
/// <param name="Answers">Each chosen service's own answers: category code → question code → values.</param>
/// <param name="Name">The resident's name.</param>
/// <param name="Phone">Their phone number.</param>
/// <param name="Email">Their email.</param>
/// <param name="NotifyConsent">Whether they agreed to be told of progress.</param>
/// <param name="IdempotencyKey">A client's key for this submission: a retry answers the case it made.</param>
public sealed record LifeEventRequest(
    string Channel,
    string? Language,
    IReadOnlyDictionary<string, IReadOnlyList<string>>? Shared = null,
    IReadOnlyList<string>? Services = null,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, IReadOnlyList<string>>>? Answers = null,
    string? Name = null,
    string? Phone = null,
    string? Email = null,
    bool NotifyConsent = false,
    string? IdempotencyKey = null);

/// <summary>One chosen service of a checked life event, with the packet its provider receives and nothing else.</summary>
/// <param name="Service">The service.</param>
/// <param name="Answers">Its own answers (and the life event's answers for it).</param>
/// <param name="Packet">Everything its provider receives: the shared answers it is entitled to, its own, and the contact details it receives.</param>
public sealed record ChosenService(LifeEventService Service, IReadOnlyDictionary<string, object> Answers, LifeEventPacket Packet);

/// <summary>What one provider receives of a life event.</summary>
/// <param name="LifeEvent">The life event's code.</param>
/// <param name="Service">The service's category code.</param>
/// <param name="Language">The resident's language.</param>
/// <param name="Resident">The contact details the service receives (name, phone, email), those given.</param>
/// <param name="Shared">The shared answers it receives, those given.</param>
/// <param name="Answers">Its own answers.</param>
public sealed record LifeEventPacket(
    string LifeEvent, string Service, string Language, IReadOnlyDictionary<string, string> Resident,
    IReadOnlyDictionary<string, object> Shared, IReadOnlyDictionary<string, object> Answers);

/// <summary>A life event request that passed every check.</summary>
/// <param name="LifeEvent">The life event.</param>
/// <param name="Request">The request, trimmed.</param>
/// <param name="Shared">The shared answers some chosen service receives, normalised; no other is kept.</param>
/// <param name="Services">The chosen services in the life event's order.</param>
/// <param name="PhoneE164">The phone number in E.164.</param>
public sealed record ValidLifeEvent(LifeEvent LifeEvent, LifeEventRequest Request, IReadOnlyDictionary<string, object> Shared,
    IReadOnlyList<ChosenService> Services, string? PhoneE164);

/// <summary>Checks a life event request against the catalog: every problem named by its field, nothing written.</summary>
public static class LifeEventValidator
{
    /// <summary>The channels a life event may come by.</summary>
    public static readonly IReadOnlySet<string> Channels = new HashSet<string>(StringComparer.Ordinal) { "web", "phone", "sms", "agent" };

    /// <summary>The checked request, or the errors (field, code, arguments) when anything is wrong.</summary>
    public static (ValidLifeEvent? LifeEvent, IReadOnlyList<FieldError> Errors) Validate(LifeEvent lifeEvent, LifeEventRequest request)
    {
        ArgumentNullException.ThrowIfNull(lifeEvent);
        ArgumentNullException.ThrowIfNull(request);
        if (!Channels.Contains(request.Channel))
        {
            throw new ArgumentException($"Unknown channel {request.Channel}", nameof(request));
        }
        var errors = new List<FieldError>();
        if (!Language.IsCode(request.Language))
        {
            errors.Add(new("language", "language.invalid"));
        }

        var chosen = Chosen(lifeEvent, request.Services, errors);
        foreach (var code in (request.Answers ?? new Dictionary<string, IReadOnlyDictionary<string, IReadOnlyList<string>>>()).Keys
                     .Where(code => chosen.All(s => s.Category.Code != code)))
        {
            errors.Add(new("services." + code, lifeEvent.Service(code) is null ? "life_event.service_unknown" : "life_event.service_not_chosen", code));
        }

        // Only the shared questions a chosen service receives are asked; an answer to another is not kept.
        var received = chosen.SelectMany(s => s.Receives).ToHashSet(StringComparer.Ordinal);
        var asked = lifeEvent.Questions.Where(q => received.Contains(q.Code)).ToList();
        var given = (request.Shared ?? new Dictionary<string, IReadOnlyList<string>>())
            .Where(a => asked.Any(q => q.Code == a.Key) || lifeEvent.Questions.All(q => q.Code != a.Key))
            .ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);
        var shared = CaseValidator.CheckAnswers(asked, "shared.", request.Channel, given, errors);

        var (phone, email) = CaseValidator.CheckContact(request.Name, request.Phone, request.Email, request.NotifyConsent, errors);
        var name = string.IsNullOrWhiteSpace(request.Name) ? null : request.Name.Trim();
        if (name is null && received.Contains("name"))
        {
            errors.Add(new("name", "life_event.name_required"));
        }

        var services = new List<ChosenService>();
        foreach (var service in chosen)
        {
            var own = request.Answers?.GetValueOrDefault(service.Category.Code);
            var answers = CaseValidator.CheckAnswers(service.Questions, $"services.{service.Category.Code}.answers.", request.Channel, own, errors);
            foreach (var (code, values) in service.Preset)
            {
                answers[code] = service.Category.Questions.FirstOrDefault(q => q.Code == code)?.Datatype == "multivaluelist" ? values.ToArray() : values[0];
            }
            foreach (var code in service.Receives.Where(c => service.Category.Questions.Any(q => q.Code == c) && shared.ContainsKey(c)))
            {
                answers[code] = shared[code];
            }
            var resident = new Dictionary<string, string>(StringComparer.Ordinal);
            if (service.Receives.Contains("name") && name is not null) { resident["name"] = name; }
            if (service.Receives.Contains("phone") && phone is not null) { resident["phone"] = phone; }
            if (service.Receives.Contains("email") && email is not null) { resident["email"] = email; }
            var packet = new LifeEventPacket(lifeEvent.Code, service.Category.Code, Language.Of(request.Language).Code, resident,
                shared.Where(a => service.Receives.Contains(a.Key)).ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal), answers);
            services.Add(new ChosenService(service, answers, packet));
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }
        var normalised = request with
        {
            Name = name,
            Email = email,
            Services = [.. chosen.Select(s => s.Category.Code)],
            IdempotencyKey = string.IsNullOrWhiteSpace(request.IdempotencyKey) ? null : request.IdempotencyKey.Trim(),
        };
        return (new ValidLifeEvent(lifeEvent, normalised, shared, services, phone), errors);
    }

    private static List<LifeEventService> Chosen(LifeEvent lifeEvent, IReadOnlyList<string>? codes, List<FieldError> errors)
    {
        if (codes is null)
        {
            return [.. lifeEvent.Services];
        }
        var wanted = codes.Select(c => c?.Trim() ?? "").Where(c => c.Length > 0).ToHashSet(StringComparer.Ordinal);
        foreach (var unknown in wanted.Where(c => lifeEvent.Service(c) is null))
        {
            errors.Add(new("services", "life_event.service_unknown", unknown));
        }
        var chosen = lifeEvent.Services.Where(s => wanted.Contains(s.Category.Code)).ToList();
        if (chosen.Count == 0 && wanted.Count == 0)
        {
            errors.Add(new("services", "life_event.services_required"));
        }
        return chosen;
    }
}
