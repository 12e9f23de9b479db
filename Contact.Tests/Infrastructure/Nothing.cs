using Contact.Core.Notifications;
using Contact.Core.InformationAndReferral;
using Contact.Core.Sla;

namespace Contact.Tests.Infrastructure;

/// <summary>
/// Null objects for tests that build a feature by hand and do not want one of its collaborators: the product has
/// none of these, so a feature there cannot be switched off by a missing registration.
/// </summary>
internal static class Nothing
{
    /// <summary>Delivers no outbox row (the rows are still written, for the test to read).</summary>
    public static IOutboxDispatcher Outbox { get; } = new NoDispatch();

    /// <summary>Sets no SLA timer (the due times are still worked out and stored).</summary>
    public static ISlaScheduler SlaTimers { get; } = new NoSlaTimers();

    /// <summary>Schedules no follow-up job (the follow-up rows are still written).</summary>
    public static IFollowUpScheduler FollowUps { get; } = new NoFollowUps();

    private sealed class NoDispatch : IOutboxDispatcher
    {
        public void Dispatch(long outboxId) { }
    }

    private sealed class NoSlaTimers : ISlaScheduler
    {
        public void Schedule(long caseId, DateTimeOffset at) { }
    }

    private sealed class NoFollowUps : IFollowUpScheduler
    {
        public void Schedule(long followUpId, DateTimeOffset dueAt) { }
    }
}
