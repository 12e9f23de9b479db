using Contact.Core.Staff;

namespace Contact.Core.Desktop;

/// <summary>Connects a caller waiting on a case to the agent who answers it (the phone line implements this).</summary>
public interface ICallConnector
{
    /// <summary>Connects the caller waiting on the case to <paramref name="agent"/>; false when no caller waits.</summary>
    Task<bool> ConnectAsync(long caseId, StaffMember agent, CancellationToken cancellationToken = default);
}
