using Contact.Agent.Desktop;
using Contact.Core.Desktop;
using Contact.Tests.Desktop;
using Contact.Tests.Infrastructure;
using Contact.Tests.Voice;
using Microsoft.AspNetCore.SignalR.Client;

namespace Contact.Tests.LifeEvents;

/// <summary>A life event by phone: chosen by keypad or speech, the call goes to an agent with the life event on its case.</summary>
public sealed class LifeEventPhoneTests : AppFixture
{
    [Test]
    public async Task A_caller_who_picks_a_life_event_waits_for_an_agent_with_it_on_the_case()
    {
        var call = new TwilioCall(App, from: "+16135550193");
        await call.StepAsync("/twilio/voice");
        await call.KeysAsync(call.Action, "1");
        Assert.That(call.Spoken, Does.Contain("To tell us once about a move, a birth, a death or a lost job, press 4"));
        await call.KeysAsync(call.Action, "4");
        Assert.That(call.Spoken, Does.Contain("For Moving, press 1").And.Contain("For A death in the family, press 3"));
        await call.KeysAsync(call.Action, "1");

        Assert.That(call.Spoken, Does.Contain("An agent will take your answers about Moving"));
        Assert.That(call.Last!.Root!.Element("Enqueue")?.Value, Is.EqualTo("311-en"));
        var number = await App.TextAsync($"select c.number from calls l join cases c on c.id = l.case_id where l.call_sid = '{call.CallSid}'");
        Assert.That(await App.ScalarAsync($"""
            select count(*) from case_events e join cases c on c.id = e.case_id
            where c.number = '{number}' and e.kind = 'life_event_requested' and e.data->>'life_event' = 'moving' and not e.is_public
            """), Is.EqualTo(1));

        await using var agent = await DesktopClient.ConnectAsync(App, "agent");
        var detail = await agent.Hub.InvokeAsync<CaseDetail>("OpenCase", number);
        Assert.That(detail.History.Select(h => h.Text), Has.Some.EqualTo("The caller wants to tell us once: moving"));
        Assert.That(detail.Description, Does.Contain("Moving"));
        Assert.That(detail.LifeEventRequested, Is.EqualTo("moving"));

        // The agent takes the answers with the caller: the caller's number is the case's; a missing name is named.
        await agent.Hub.InvokeAsync<CaseDetail>("Claim", number);
        var shared = new Dictionary<string, string[]> { ["old_address"] = ["1 Old Rd, Gatineau"], ["new_address"] = ["340 Laurier Ave W"], ["date"] = ["2026-12-20"] };
        var refused = await agent.Hub.InvokeAsync<LifeEventTold>("TellLifeEvent", number, "moving",
            new LifeEventForm(shared, ["cra-address", "health-card"], null, null, null, null, true, null));
        Assert.That(refused.Number, Is.Null);
        Assert.That(refused.Problems.Select(p => p.Field + " " + p.Code), Is.EqualTo(new[] { "name life_event.name_required" }));
        var told = await agent.Hub.InvokeAsync<LifeEventTold>("TellLifeEvent", number, "moving",
            new LifeEventForm(shared, ["cra-address", "health-card"], null, "Robin Caller", null, null, true, null));

        Assert.That(told.Problems, Is.Empty);
        Assert.That(await App.TextAsync($"select channel || ' ' || resident_phone || ' ' || resident_name from cases where number = '{told.Number}'"),
            Is.EqualTo("agent +16135550193 Robin Caller"));
        Assert.That(await App.ScalarAsync($"select count(*) from referrals r join cases c on c.id = r.case_id where c.number = '{told.Number}'"), Is.EqualTo(2));
        var after = await agent.Hub.InvokeAsync<CaseDetail>("OpenCase", number);
        Assert.That(after.History.Select(h => h.Kind), Does.Contain("life_event_filed"));
        // Sending the same again makes no second request.
        var again = await agent.Hub.InvokeAsync<LifeEventTold>("TellLifeEvent", number, "moving",
            new LifeEventForm(shared, ["cra-address", "health-card"], null, "Robin Caller", null, null, true, null));
        Assert.That(again.Number, Is.EqualTo(told.Number));
    }

    [Test]
    public async Task A_french_caller_can_say_the_life_event()
    {
        var call = new TwilioCall(App, from: "+16135550194");
        await call.StepAsync("/twilio/voice");
        await call.KeysAsync(call.Action, "2");
        await call.KeysAsync(call.Action, "4");
        await call.SaysAsync(call.Action, "Un décès dans la famille, un décès.");

        Assert.That(call.Spoken, Does.Contain("Un agent prendra vos réponses au sujet de : Décès d'un proche"));
        Assert.That(call.Last!.Root!.Element("Enqueue")?.Value, Is.EqualTo("311-fr"));
    }
}
