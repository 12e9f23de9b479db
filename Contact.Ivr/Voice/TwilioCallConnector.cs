using Contact.Core.Infrastructure;
using Language = Contact.Core.Infrastructure.Language;
using Contact.Core.Desktop;
using Contact.Core.Staff;
using Contact.Ivr.Twilio;
using Dapper;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Twilio.Clients;
using Twilio.Rest.Api.V2010.Account;
using Twilio.TwiML;
using Twilio.TwiML.Voice;

namespace Contact.Ivr.Voice;

/// <summary>
/// Takes a caller out of the Twilio queue to the agent who answered: with a Twilio account, the REST API
/// redirects the live call to dial the agent (their phone, else their Twilio Client identity); without one,
/// the same TwiML waits on the call and the queue's wait URL hands it over (the development phone).
/// </summary>
public sealed class TwilioCallConnector(
    NpgsqlDataSource dataSource, IOptions<TwilioOptions> options, TimeProvider clock,
    ILogger<TwilioCallConnector> logger, ITwilioRestClient? restClient = null) : ICallConnector
{
    private static readonly ResourceTexts Texts = ResourceTexts.Of<VoiceText>();
    private static readonly string[] Over = ["completed", "busy", "failed", "no-answer", "canceled"];

    public async Task<bool> ConnectAsync(long caseId, StaffMember agent, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var call = await connection.QuerySingleOrDefaultAsync<(string CallSid, string? Language, string? Phone)>(new CommandDefinition("""
            select l.call_sid, l.language, (select phone from staff_users where id = @AgentId) as phone
            from calls l where l.case_id = @caseId and l.connect_twiml is null and not (l.status = any(@Over)) and l.status <> 'connected'
            order by l.created_at desc limit 1
            """, new { caseId, AgentId = agent.Id, Over }, cancellationToken: cancellationToken));
        if (call.CallSid is null)
        {
            return false;
        }
        var language = Language.Of(call.Language);
        var twiml = new VoiceResponse();
        twiml.Say(Texts.Get(language, "agent.connected", agent.DisplayName),
            language: language == Language.French ? Say.LanguageEnum.FrCa : Say.LanguageEnum.EnCa);
        var dial = new Dial();
        if (call.Phone is { Length: > 0 } phone)
        {
            dial.Number(phone);
        }
        else
        {
            dial.Client(agent.UserName);
        }
        twiml.Append(dial);

        var settings = options.Value;
        var client = restClient ?? (settings.AccountSid is { Length: > 0 } sid && settings.AuthToken is { Length: > 0 } token ? new TwilioRestClient(sid, token) : null);
        if (client is not null)
        {
            await CallResource.UpdateAsync(pathSid: call.CallSid, twiml: new global::Twilio.Types.Twiml(twiml.ToString()), client: client);
            await connection.ExecuteAsync(new CommandDefinition(
                "update calls set status = 'connected', updated_at = @now where call_sid = @CallSid",
                new { now = clock.GetUtcNow(), call.CallSid }, cancellationToken: cancellationToken));
        }
        else
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "update calls set connect_twiml = @Twiml, updated_at = @now where call_sid = @CallSid",
                new { Twiml = twiml.ToString(), now = clock.GetUtcNow(), call.CallSid }, cancellationToken: cancellationToken));
        }
        logger.LogInformation("Call {CallSid} connected to {Agent}", call.CallSid, agent.UserName);
        return true;
    }

    /// <summary>The TwiML an answered call is waiting for (once), or null.</summary>
    public async Task<string?> TakeConnectAsync(string callSid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<string?>(new CommandDefinition("""
            update calls n set connect_twiml = null, status = 'connected', updated_at = @now
            from calls o where n.call_sid = o.call_sid and n.call_sid = @callSid and o.connect_twiml is not null
            returning o.connect_twiml
            """, new { callSid, now = clock.GetUtcNow() }, cancellationToken: cancellationToken));
    }
}
