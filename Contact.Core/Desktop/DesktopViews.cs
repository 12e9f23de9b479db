using Contact.Core.Catalog;

namespace Contact.Core.Desktop;

/// <summary>A case as a row of the live queue.</summary>
public sealed record QueueItem(
    string Number, string Line, string Language, string Queue, string Category, LocalText CategoryName,
    string Priority, string Status, string Channel, DateTimeOffset CreatedAt, string? AssignedTo, string? Address);

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
    string? Address, string Description, string Priority);

/// <summary>Everything staff see of a case.</summary>
public sealed record CaseDetail(
    string Number, string Line, string Language, string Queue, string Channel, string Category, LocalText CategoryName,
    string Priority, string Status, string Description, IReadOnlyList<AnswerView> Answers, string? Address, double? Latitude,
    double? Longitude, ResidentView Resident, string? AssignedTo, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    IReadOnlyList<HistoryEntry> History, IReadOnlyList<DuplicateView> Duplicates, IReadOnlyList<ProviderSuggestion> SuggestedProviders,
    IReadOnlyList<ReferralView> Referrals, bool CallerWaiting = false);

/// <summary>A queue's load.</summary>
public sealed record QueueLoad(string Code, LocalText Name, int Waiting, double LongestWaitSeconds);

/// <summary>A member of staff as supervisors see them.</summary>
public sealed record AgentStatus(string UserName, string DisplayName, string Role, string State, IReadOnlyList<string> CurrentCases);

/// <summary>Cases received today on one channel.</summary>
public sealed record ChannelVolume(string Channel, int Count);

/// <summary>What the supervisor page shows.</summary>
public sealed record SupervisorView(IReadOnlyList<QueueLoad> Queues, IReadOnlyList<AgentStatus> Agents, IReadOnlyList<ChannelVolume> VolumesToday);

/// <summary>A queue cases can be transferred to.</summary>
public sealed record QueueInfo(string Code, LocalText Name);
