using Contact.Core.Catalog;
using Language = Contact.Core.Infrastructure.Language;
using Twilio.TwiML;
using static Contact.Ivr.Voice.VoicePrompts;

namespace Contact.Ivr.Voice;

/// <summary>
/// Life events by phone: the caller picks one by keypad or by saying it; an address said on the phone needs a person,
/// so the call goes to an agent with the life event on its case, and the caller hears so.
/// </summary>
public sealed partial class VoiceFlow
{
    private static void LifeEventMenu(VoiceResponse response, CallRecord call, int retry, CatalogSnapshot snapshot)
    {
        var language = Language.Of(call.Language);
        var events = snapshot.LifeEvents.Take(9).ToList();
        var hints = string.Join(", ", events.Select(e => e.Name.In(language)));
        var gather = Keys(call.Language, Step("life", $"?retry={retry}"), speech: true, hints: hints);
        Speak(gather, call.Language, T(call.Language, "life.menu"));
        for (var i = 0; i < events.Count; i++)
        {
            Speak(gather, call.Language, T(call.Language, "life.option", events[i].Name.In(language), i + 1));
        }
        response.Append(gather);
        response.Redirect(Step("life", $"?retry={retry}&empty=1"));
    }

    /// <summary>The caller's choice of life event: to an agent with it attached, or the menu again.</summary>
    public async Task<VoiceResponse> LifeEventAsync(CallRecord call, CallInput input, bool empty, CancellationToken ct)
    {
        var snapshot = await catalog.GetAsync(ct);
        var events = snapshot.LifeEvents.Take(9).ToList();
        var chosen = int.TryParse(input.Digits, out var n) && n >= 1 && n <= events.Count ? events[n - 1] : Said(events, input.Speech);
        if (chosen is not null)
        {
            return await AgentAsync(call, chosen, ct);
        }
        return Retry(call, input.Retry, empty ? "input.none" : "input.wrong", r => LifeEventMenu(r, call, input.Retry + 1, snapshot));
    }

    private static LifeEvent? Said(IReadOnlyList<LifeEvent> events, string? speech)
    {
        var said = CatalogSnapshot.Fold(speech ?? "");
        return said.Length == 0 ? null : events.FirstOrDefault(e =>
            new[] { e.Name.En, e.Name.Fr }.Concat(e.KeywordsEn).Concat(e.KeywordsFr).Any(k => said.Contains(CatalogSnapshot.Fold(k), StringComparison.Ordinal)));
    }
}
