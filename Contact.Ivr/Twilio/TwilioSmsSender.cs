using Contact.Core.Notifications;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Twilio.Clients;
using Twilio.Exceptions;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;

namespace Contact.Ivr.Twilio;

/// <summary>Sends texts through Twilio's REST API (MessageResource.Create), with a status callback to /twilio/status.</summary>
public sealed class TwilioSmsSender(ITwilioRestClient client, IOptions<TwilioOptions> options) : ISmsSender
{
    public async Task<SmsSendResult> SendAsync(string to, string body, string line, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var from = settings.Lines.FirstOrDefault(l => l.Value == line).Key ?? settings.Lines.Keys.FirstOrDefault();
        if (from is null)
        {
            return new SmsSendResult("failed", Detail: "No Twilio number is configured for line " + line + " (Twilio:Lines).");
        }
        var callback = string.IsNullOrEmpty(settings.PublicBaseUrl) ? null : new Uri(settings.PublicBaseUrl.TrimEnd('/') + "/twilio/status");
        try
        {
            var message = await MessageResource.CreateAsync(to: new PhoneNumber(to), from: new PhoneNumber(from), body: body, statusCallback: callback, client: client);
            return new SmsSendResult("sent", message.Sid);
        }
        catch (ApiException e)
        {
            // Timeouts, throttling and server errors pass; anything else (opted out, invalid or landline number) will not.
            var transient = e.Status is 429 or >= 500;
            return new SmsSendResult(transient ? "retry" : "failed", HttpStatus: e.Status, ErrorCode: e.Code, Detail: e.Message);
        }
        catch (ApiConnectionException e)
        {
            return new SmsSendResult("retry", Detail: e.Message);
        }
    }
}

/// <summary>Development without a Twilio account (or Notifications:Sms = log): the pipeline runs whole and ends here, in the log.</summary>
public sealed class LoggingSmsSender(ILogger<LoggingSmsSender> logger) : ISmsSender
{
    public Task<SmsSendResult> SendAsync(string to, string body, string line, CancellationToken cancellationToken)
    {
        logger.LogInformation("Text (not sent: logged) to {To} from the {Line} line: {Body}", to, line, body);
        return Task.FromResult(new SmsSendResult("sent", "SMdev" + Guid.NewGuid().ToString("N")));
    }
}

/// <summary>No Twilio account outside Development: texts wait (retried) until one is configured; nothing is lost.</summary>
public sealed class UnconfiguredSmsSender(ILogger<UnconfiguredSmsSender> logger) : ISmsSender
{
    public Task<SmsSendResult> SendAsync(string to, string body, string line, CancellationToken cancellationToken)
    {
        logger.LogError("A text is waiting: set Twilio:AccountSid and Twilio:AuthToken to send texts");
        return Task.FromResult(new SmsSendResult("retry", Detail: "Twilio:AccountSid is not configured."));
    }
}
