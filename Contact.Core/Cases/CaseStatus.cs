namespace Contact.Core.Cases;

/// <summary>The statuses a case moves through.</summary>
public static class CaseStatus
{
    /// <summary>Received, not yet picked up.</summary>
    public const string New = "new";

    /// <summary>Being worked.</summary>
    public const string InProgress = "in_progress";

    /// <summary>Waiting for the resident.</summary>
    public const string WaitingOnResident = "waiting_on_resident";

    /// <summary>Referred to one or more providers.</summary>
    public const string Referred = "referred";

    /// <summary>Done.</summary>
    public const string Resolved = "resolved";

    /// <summary>Closed without more work (e.g. a duplicate).</summary>
    public const string Closed = "closed";
}
