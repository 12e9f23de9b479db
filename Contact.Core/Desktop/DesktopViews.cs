using Contact.Core.Catalog;
using Contact.Core.InformationAndReferral;

namespace Contact.Core.Desktop;

/// <summary>
/// A case as a row of the live queue, with its service-standard clock: the due times and the times each falls at
/// risk (null when no policy applies) and whether the clock is paused while the case waits on the resident; for 211,
/// whether it is flagged as a crisis and whether it came back as a follow-up. <see cref="Order"/> is the server's
/// place for it in the queue (compared as text, ordinal): the queue is shown, and "Claim next case" takes, in that order.
/// </summary>
public sealed record QueueItem(
    string Number, string Line, string Language, string Queue, string Category, LocalText CategoryName,
    string Priority, string Status, string Channel, DateTimeOffset CreatedAt, string? AssignedTo, string? Address,
    DateTimeOffset? FirstResponseDueAt, DateTimeOffset? ResolutionDueAt, DateTimeOffset? FirstResponseWarningAt,
    DateTimeOffset? ResolutionWarningAt, bool Paused, bool Crisis, bool FollowUp, string Order);

/// <summary>An answer to a category question.</summary>
public sealed record AnswerView(LocalText Question, string Value);

/// <summary>The resident's contact, for staff only.</summary>
public sealed record ResidentView(string? Name, string? Phone, string? Email, string Language, bool NotifyConsent);

/// <summary>One entry of a case's history, in words.</summary>
public sealed record HistoryEntry(DateTimeOffset At, string Kind, string Actor, string Text, bool IsPublic);

/// <summary>A nearby open case of the same category: perhaps the same problem.</summary>
public sealed record DuplicateView(string Number, string Status, string? Address, DateTimeOffset CreatedAt);

/// <summary>A provider that serves the case's category; <see cref="CoversLocation"/> is null when the case has no point to test.</summary>
public sealed record ProviderSuggestion(string Code, string Level, LocalText Name, bool? CoversLocation);

/// <summary>A referral of a case to one provider.</summary>
public sealed record ReferralView(
    long Id, string CaseNumber, string Provider, LocalText ProviderName, string Status, string Note, string ResponseNote,
    string ReferredBy, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string Category, LocalText CategoryName,
    string? Address, string Description, string Priority, IReadOnlyList<AnswerView>? Packet = null, DateTimeOffset? DueAt = null);

/// <summary>
/// Everything staff see of a case, with its service-standard clock: the due times and the times each falls at risk
/// (null when no policy applies), its place in the queue (<see cref="QueueItem.Order"/>),
/// whether the clock is paused while the case waits on the resident, and when it was first answered; on a 211 case,
/// the crisis flag, the information and referral recorded, and the crisis line to offer; and the address id an Open311
/// app gave in place of an address.
/// </summary>
public sealed record CaseDetail(
    string Number, string Line, string Language, string Queue, string Channel, string Category, LocalText CategoryName,
    string Priority, string Status, string Description, IReadOnlyList<AnswerView> Answers, string? Address, double? Latitude,
    double? Longitude, ResidentView Resident, string? AssignedTo, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    IReadOnlyList<HistoryEntry> History, IReadOnlyList<DuplicateView> Duplicates, IReadOnlyList<ProviderSuggestion> SuggestedProviders,
    IReadOnlyList<ReferralView> Referrals, bool CallerWaiting = false, DateTimeOffset? FirstResponseDueAt = null,
    DateTimeOffset? ResolutionDueAt = null, bool Paused = false, DateTimeOffset? FirstResponseAt = null,
    bool Crisis = false, InformationReferralView? InformationReferral = null, CrisisLineView? CrisisLine = null, string? AddressId = null,
    DateTimeOffset? FirstResponseWarningAt = null, DateTimeOffset? ResolutionWarningAt = null, string Order = "", string? LifeEventRequested = null);

/// <summary>The crisis line the desktop offers on a 211 case at risk; <see cref="Demo"/> when it is the demo number.</summary>
public sealed record CrisisLineView(string Number, bool Demo);

/// <summary>A queue's load.</summary>
public sealed record QueueLoad(string Code, LocalText Name, int Waiting, double LongestWaitSeconds);

/// <summary>A member of staff as supervisors see them.</summary>
public sealed record AgentStatus(string UserName, string DisplayName, string Role, string State, IReadOnlyList<string> CurrentCases);

/// <summary>Cases received today on one channel.</summary>
public sealed record ChannelVolume(string Channel, int Count);

/// <summary>
/// An open case whose resolution is overdue or close to it. <see cref="MinutesOver"/> is the minutes past the due
/// time: negative while time is left.
/// </summary>
public sealed record SlaCaseView(
    string Number, string Queue, LocalText CategoryName, string? AssignedTo, DateTimeOffset ResolutionDueAt, bool Overdue, double MinutesOver);

/// <summary>
/// Cases resolved today that had a resolution due time, for one queue, category or provider (<see cref="Kind"/> is
/// "queue", "category" or "provider"; <see cref="Key"/> its code): how many, and how many by their due time.
/// </summary>
public sealed record ComplianceRow(string Kind, string Key, LocalText Name, int Resolved, int OnTime);

/// <summary>
/// What the supervisor page shows: queues, staff, today's volumes, the cases at risk of missing (or past) their
/// resolution due time, and today's compliance with the service standards.
/// </summary>
public sealed record SupervisorView(
    IReadOnlyList<QueueLoad> Queues, IReadOnlyList<AgentStatus> Agents, IReadOnlyList<ChannelVolume> VolumesToday,
    IReadOnlyList<SlaCaseView> AtRisk, IReadOnlyList<ComplianceRow> Compliance);

/// <summary>A queue cases can be transferred to.</summary>
public sealed record QueueInfo(string Code, LocalText Name);
