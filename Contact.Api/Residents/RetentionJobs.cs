using Contact.Core.Residents;
using Hangfire;

namespace Contact.Api.Jobs;

// Hangfire stores a job's type name with every scheduled job (a retry minutes ahead, a follow-up days ahead): the job
// classes keep the namespace they were first stored under, so jobs scheduled before an upgrade still run after it.

/// <summary>Data retention as a Hangfire job: safe to run twice, and a second run changes nothing.</summary>
public sealed class RetentionJobs(Retention retention, ILogger<RetentionJobs> logger)
{
    /// <summary>Removes the personal data past its time and logs what went.</summary>
    [DisableConcurrentExecution(3600)]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var s = await retention.RunAsync(cancellationToken);
        logger.LogInformation(
            "Retention removed personal data from {Cases} cases, blanked {InboundTexts} inbound texts and {OutboundTexts} outbound texts, deleted {Conversations} text conversations, cleared {Calls} calls, deleted {WebhookReplies} webhook replies and {OneTimeCodes} one-time codes",
            s.Cases, s.InboundTexts, s.OutboundTexts, s.Conversations, s.Calls, s.WebhookReplies, s.OneTimeCodes);
    }
}
