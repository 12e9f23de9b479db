using System.Text.Json;
using Contact.Ivr.Sms;

namespace Contact.Tests.Sms;

/// <summary>A conversation's state is typed in code and stored by names that never change.</summary>
public sealed class SmsStateTests
{
    [TestCase("confirm", SmsStep.Confirm)]
    [TestCase("pick", SmsStep.Pick)]
    [TestCase("address", SmsStep.Address)]
    [TestCase("question", SmsStep.Question)]
    [TestCase("description", SmsStep.Description)]
    [TestCase("selfserve.postal", SmsStep.SelfServePostalCode)]
    [TestCase("selfserve.need", SmsStep.SelfServeNeed)]
    public void A_stored_step_reads_back_as_its_state_and_is_written_by_the_same_name(string stored, SmsStep step)
    {
        var state = JsonSerializer.Deserialize<SmsState>($$"""{"step":"{{stored}}","choiceKind":"group"}""", SmsStore.Json)!;

        Assert.That(state.Step, Is.EqualTo(step));
        Assert.That(state.ChoiceKind, Is.EqualTo(SmsChoiceKind.Group));
        var written = JsonDocument.Parse(JsonSerializer.Serialize(state, SmsStore.Json)).RootElement;
        Assert.That(written.GetProperty("step").GetString(), Is.EqualTo(stored));
        Assert.That(written.GetProperty("choiceKind").GetString(), Is.EqualTo("group"));
    }

    [Test]
    public void A_conversation_waiting_for_the_problem_has_no_step()
    {
        var state = JsonSerializer.Deserialize<SmsState>("""{"firstSid":"SM1"}""", SmsStore.Json)!;

        Assert.That(state.Step, Is.Null);
        Assert.That(JsonSerializer.Serialize(state, SmsStore.Json), Does.Not.Contain("\"step\""), "nulls are not written");
    }
}
