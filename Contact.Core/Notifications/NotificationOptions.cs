namespace Contact.Core.Notifications;

/// <summary>Notification settings (section "Notifications").</summary>
public sealed class NotificationOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Notifications";

    /// <summary>
    /// How long after it was written a text is still worth sending: past it, a text not yet handed to the carrier is
    /// given up as failed (24 hours by default). Retries keep their backoff until then.
    /// </summary>
    public TimeSpan GiveUpAfter { get; set; } = TimeSpan.FromHours(24);
}
