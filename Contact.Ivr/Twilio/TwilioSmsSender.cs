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
    /// <summary>How many of the recipient's texts since the claim an interrupted delivery is looked for among.</summary>
    public const int LookupLimit = 50;

    /// <inheritdoc />
    public bool CanSend => true;

    private string? FromNumber(string line)
    {
        var settings = options.Value;
        return settings.Lines.FirstOrDefault(l => l.Value == line).Key ?? settings.Lines.Keys.FirstOrDefault();
    }

    /// <inheritdoc />
    public async Task<SmsSendResult> SendAsync(string to, string body, string line, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var from = FromNumber(line);
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

    /// <summary>
    /// Lists the messages sent to <paramref name="to"/> from the line's number since <paramref name="since"/>
    /// (MessageResource.Read: To, From, DateSent&gt;=) and picks the one with this body.
    /// </summary>
    public async Task<SmsLookupResult> FindSentAsync(string to, string line, DateTimeOffset since, string body, IReadOnlySet<string> except,
        CancellationToken cancellationToken)
    {
        var from = FromNumber(line);
        if (from is null)
        {
            return SmsLookupResult.Unknown("No Twilio number is configured for line " + line + " (Twilio:Lines).");
        }
        try
        {
            var messages = await MessageResource.ReadAsync(new ReadMessageOptions
            {
                To = new PhoneNumber(to),
                From = new PhoneNumber(from),
                DateSentAfter = since.UtcDateTime,
                PageSize = LookupLimit,
                Limit = LookupLimit,
            }, client);
            foreach (var message in messages)
            {
                if (message.Sid is { } sid && !except.Contains(sid) && string.Equals(message.Body?.Trim(), body.Trim(), StringComparison.Ordinal)
                    && (message.DateSent is not { } sent || sent >= since.UtcDateTime))
                {
                    return SmsLookupResult.Found(sid, OutboxStatus(message.Status));
                }
            }
            return SmsLookupResult.Absent;
        }
        catch (ApiException e)
        {
            return SmsLookupResult.Unknown($"{e.Status} {e.Code} {e.Message}");
        }
        catch (ApiConnectionException e)
        {
            return SmsLookupResult.Unknown(e.Message);
        }
    }

    /// <summary>A Twilio message status in the outbox's words.</summary>
    public static string OutboxStatus(MessageResource.StatusEnum? status) => status?.ToString() switch
    {
        "delivered" or "read" => "delivered",
        "undelivered" => "undelivered",
        "failed" => "failed",
        "queued" or "accepted" or "scheduled" or "sending" => "queued",
        _ => "sent",
    };
}

/// <summary>
/// Development without a Twilio account (or Notifications:Sms = log): the pipeline runs whole and ends here, in the
/// log. What it "sent" it remembers (until the host stops), and answers the outbox's lookups from that.
/// </summary>
public sealed class LoggingSmsSender(ILogger<LoggingSmsSender> logger, TimeProvider? clock = null) : ISmsSender
{
    private sealed record Logged(string To, string Line, string Body, string Sid, DateTimeOffset At);

    private readonly System.Collections.Concurrent.ConcurrentQueue<Logged> _logged = new();

    /// <inheritdoc />
    public bool CanSend => true;

    /// <inheritdoc />
    public Task<SmsSendResult> SendAsync(string to, string body, string line, CancellationToken cancellationToken)
    {
        logger.LogInformation("Text (not sent: logged) to {To} from the {Line} line: {Body}", to, line, body);
        var sid = "SMdev" + Guid.NewGuid().ToString("N");
        _logged.Enqueue(new Logged(to, line, body, sid, (clock ?? TimeProvider.System).GetUtcNow()));
        // Only the recent past is ever looked up.
        while (_logged.Count > 10_000 && _logged.TryDequeue(out _))
        {
        }
        return Task.FromResult(new SmsSendResult("sent", sid));
    }

    /// <inheritdoc />
    public Task<SmsLookupResult> FindSentAsync(string to, string line, DateTimeOffset since, string body, IReadOnlySet<string> except,
        CancellationToken cancellationToken)
    {
        var found = _logged.LastOrDefault(l => l.To == to && l.Line == line && l.Body == body && l.At >= since && !except.Contains(l.Sid));
        return Task.FromResult(found is null ? SmsLookupResult.Absent : SmsLookupResult.Found(found.Sid, "sent"));
    }
}

/// <summary>
/// No Twilio account outside Development: nothing is attempted, and texts wait, pending, until one is configured;
/// nothing is lost, and no attempt is counted meanwhile (see <see cref="CanSend"/>).
/// </summary>
public sealed class UnconfiguredSmsSender(ILogger<UnconfiguredSmsSender> logger) : ISmsSender
{
    /// <inheritdoc />
    public bool CanSend => false;

    /// <inheritdoc />
    public Task<SmsSendResult> SendAsync(string to, string body, string line, CancellationToken cancellationToken)
    {
        logger.LogError("A text is waiting: set Twilio:AccountSid and Twilio:AuthToken to send texts");
        return Task.FromResult(new SmsSendResult("retry", Detail: "Twilio:AccountSid is not configured."));
    }

    /// <inheritdoc />
    public Task<SmsLookupResult> FindSentAsync(string to, string line, DateTimeOffset since, string body, IReadOnlySet<string> except,
        CancellationToken cancellationToken) =>
        Task.FromResult(SmsLookupResult.Unknown("Twilio:AccountSid is not configured."));
}
