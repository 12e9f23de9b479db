using Contact.Core.Catalog;
using Contact.Core.Infrastructure;
using Contact.Core.ResourceDirectory;
using static Contact.Ivr.Sms.SmsWords;

namespace Contact.Ivr.Sms;

/// <summary>
/// Self-serve 211 by text: "FOOD K1P 1J1" or "NOURRITURE H2X 1Y4" answers with the best services open now nearby,
/// MORE / PLUS with the next ones. The search lives in the conversation's state; it is not a case.
/// </summary>
public sealed partial class SmsFlow
{
    /// <summary>Services asked of the directory per text; the reply lists as many as fit its segment budget.</summary>
    internal const int ServicesPerText = 3;


    /// <summary>
    /// Answers a self-serve text, or null when the text is something else (a report, an answer to a report's question).
    /// A text is taken as self-serve when it names a need (with or without a postal code), gives the postal code or need
    /// a self-serve search is waiting for, or says MORE after one; never in the middle of a report's questions.
    /// </summary>
    private async Task<string?> SelfServeAsync(SmsTurn turn, CancellationToken ct)
    {
        var state = turn.State;
        var word = Word(turn.Input.Body);
        var waiting = state.Step is SmsStep.SelfServePostalCode or SmsStep.SelfServeNeed;
        if (state.Step is null && state.Search is { PostalCode: not null, Needs.Count: > 0 } search && word is "more" or "plus")
        {
            turn.Language = word == "plus" ? Language.French : Language.English;
            return await ListServicesAsync(turn, search, ct);
        }
        if (state.Step is null && word is "more" or "plus")
        {
            // MORE after the search ended (30 minutes of silence): say how to search again rather than guess a report.
            turn.Language = word == "plus" ? Language.French : Language.English;
            return T(turn.Language, "selfserve.no_search");
        }
        if (!(waiting || state.Step is null or SmsStep.Confirm or SmsStep.Pick))
        {
            return null;
        }
        var parsed = NeedWords.Parse(turn.Input.Body);
        if (parsed is null || (parsed.Needs.Count == 0 && !waiting && state.Step is not null))
        {
            if (waiting)
            {
                if (turn.Input.Body.Any(char.IsAsciiDigit) && state.Step == SmsStep.SelfServePostalCode)
                {
                    return Lead(T(turn.Language, "selfserve.postal_invalid"), T(turn.Language, "selfserve.postal_ask"));
                }
                // Something else altogether: the search is dropped and the text read as a report.
                state.Step = null;
            }
            return null;
        }

        turn.Language = parsed.Language ?? turn.Language;
        var pending = waiting ? state.Search : null;
        if (!waiting && state.Step is not null)
        {
            // A report's category was being chosen: the person asked for services instead.
            turn.State = state = new SmsState();
        }
        if (state.FirstSid is null)
        {
            state.FirstSid = turn.Input.MessageSid;
            turn.Started = true;
        }
        var needs = parsed.Needs.Count > 0 ? parsed.Needs.Select(n => n.Code).ToList() : pending?.Needs ?? [];
        var postal = parsed.PostalCode ?? (parsed.MalformedPostalCode is null ? pending?.PostalCode : null);
        state.Search = new SmsServiceSearch { Needs = needs, PostalCode = postal };
        if (parsed.MalformedPostalCode is not null)
        {
            state.Search.PostalCode = null;
            state.Step = needs.Count > 0 ? SmsStep.SelfServePostalCode : null;
            return T(turn.Language, "selfserve.postal_invalid") + " " + T(turn.Language, "selfserve.postal_ask");
        }
        if (needs.Count == 0)
        {
            state.Step = SmsStep.SelfServeNeed;
            return T(turn.Language, "selfserve.need_ask", NeedWords.List(turn.Language));
        }
        if (postal is null)
        {
            state.Step = SmsStep.SelfServePostalCode;
            return T(turn.Language, "selfserve.postal_ask");
        }
        state.Step = null;
        return await ListServicesAsync(turn, state.Search, ct);
    }

    /// <summary>The next services of the search, from its offset; open now first, else those that open later.</summary>
    private async Task<string> ListServicesAsync(SmsTurn turn, SmsServiceSearch search, CancellationToken ct)
    {
        var language = turn.Language;
        var needs = search.Needs.Select(NeedWords.Find).OfType<Need>().ToList();
        var what = string.Join(", ", needs.Select(n => n.WordIn(language)));
        var terms = needs.SelectMany(n => n.Terms).Distinct(StringComparer.Ordinal).ToList();
        // Nearest first and bounded: within 5 km, widening only when that does not fill the text; MORE goes on
        // from where the last text stopped, in whichever ring that was.
        var from = new NearbyCursor(search.Ring, search.RingOffset);
        var query = new DirectoryQuery(Terms: terms, Language: language.Code, PostalCode: search.PostalCode, OpenNow: search.OpenNow, Limit: ServicesPerText);
        var result = await directory.SearchNearbyAsync(query, from, ct);
        if (result.Problem is not null)
        {
            // Nothing searched: ask for the postal code again, keeping the need.
            turn.State.Search = new SmsServiceSearch { Needs = search.Needs };
            turn.State.Step = SmsStep.SelfServePostalCode;
            return result.Problem == "postal_code.unknown"
                ? T(language, "selfserve.postal_unknown", search.PostalCode!) + " " + T(language, "selfserve.postal_ask")
                : T(language, "selfserve.postal_invalid") + " " + T(language, "selfserve.postal_ask");
        }
        var header = T(language, search.Offset > 0 ? "selfserve.more_header" : "selfserve.open_now", what, search.PostalCode!);
        if (result.Hits.Count == 0 && search.Offset == 0 && search.OpenNow)
        {
            // Nothing open now: say so, and list the nearest that open later, with their hours.
            search.OpenNow = false;
            from = NearbyCursor.Start;
            result = await directory.SearchNearbyAsync(query with { OpenNow = false }, from, ct);
            header = T(language, "selfserve.none_open", what, search.PostalCode!);
        }
        if (result.Hits.Count == 0)
        {
            return search.Offset == 0 ? T(language, "selfserve.none", what, search.PostalCode!) : T(language, "selfserve.no_more");
        }
        var listings = result.Hits.Select(ServiceListing.Of).ToList();
        var fitted = ServiceListText.Fit(header, listings, T(language, "selfserve.more"), firstNumber: search.Offset + 1);
        var more = result.More || fitted.Listed < listings.Count;
        if (!more)
        {
            fitted = ServiceListText.Fit(header, listings, null, firstNumber: search.Offset + 1);
        }
        search.Offset += fitted.Listed;
        (search.Ring, search.RingOffset) = result.Next(fitted.Listed, from);
        turn.State.Search = search;
        return fitted.Text;
    }
}
