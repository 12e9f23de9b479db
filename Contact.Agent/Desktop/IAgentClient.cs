using Contact.Core.Desktop;

namespace Contact.Agent.Desktop;

/// <summary>What the server pushes to desktops.</summary>
public interface IAgentClient
{
    /// <summary>A case in one of the receiver's queues was created or changed.</summary>
    Task QueueItemChanged(QueueItem item);

    /// <summary>A case left the receiver's queues (claimed by someone else, transferred, closed).</summary>
    Task QueueItemRemoved(string number);

    /// <summary>Something about this case changed; an open view of it should be refreshed.</summary>
    Task CaseChanged(string number);

    /// <summary>A referral changed status.</summary>
    Task ReferralChanged(ReferralView referral);

    /// <summary>Queues, staff or volumes changed; supervisors fetch a fresh view.</summary>
    Task SupervisorChanged();

    /// <summary>Changes may have been missed (or the receiver's own queues changed): take a fresh snapshot.</summary>
    Task Resync();
}
