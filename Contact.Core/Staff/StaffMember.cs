namespace Contact.Core.Staff;

/// <summary>The roles staff hold.</summary>
public static class Roles
{
    /// <summary>Works the queues.</summary>
    public const string Agent = "agent";

    /// <summary>Watches the queues and agents; may act on any case.</summary>
    public const string Supervisor = "supervisor";

    /// <summary>Runs the system; may act on any case.</summary>
    public const string Admin = "admin";

    /// <summary>Works the referrals sent to one provider.</summary>
    public const string Provider = "provider";

    /// <summary>Every role.</summary>
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Agent, Supervisor, Admin, Provider };

    /// <summary>Why <paramref name="role"/> is refused, or null when it is one of <see cref="All"/>.</summary>
    public static string? Problem(string role) => All.Contains(role) ? null : $"Unknown role {role}: use agent, supervisor, admin or provider.";
}

/// <summary>A signed-in member of staff, as every check sees them.</summary>
/// <param name="Id">Database id.</param>
/// <param name="UserName">Sign-in name.</param>
/// <param name="DisplayName">Name shown to others.</param>
/// <param name="Role">agent, supervisor, admin or provider.</param>
/// <param name="ProviderId">The provider a provider user belongs to.</param>
/// <param name="ProviderCode">That provider's code.</param>
/// <param name="Lines">Lines they may work (311, 211).</param>
/// <param name="Languages">Languages they may work (en, fr).</param>
/// <param name="State">available, away or busy.</param>
public sealed record StaffMember(
    int Id, string UserName, string DisplayName, string Role, int? ProviderId, string? ProviderCode,
    string[] Lines, string[] Languages, string State)
{
    /// <summary>Supervisors and admins oversee every case.</summary>
    public bool Oversees => Role is Roles.Supervisor or Roles.Admin;

    /// <summary>True for those who work cases from the queues.</summary>
    public bool WorksQueues => Role is Roles.Agent or Roles.Supervisor or Roles.Admin;

    /// <summary>Whether this person may see and work a case of this line and language.</summary>
    public bool HasSkillsFor(string line, string language) => Oversees || (Role == Roles.Agent && Lines.Contains(line) && Languages.Contains(language));
}

/// <summary>An action was refused: nothing changed. <see cref="Code"/> names the message in each language.</summary>
public sealed class WorkRefusedException(string code, string message, params object[] args) : Exception(message)
{
    /// <summary>The message's key, e.g. refused.held_by_other.</summary>
    public string Code { get; } = code;

    /// <summary>Values the message needs.</summary>
    public IReadOnlyList<object> Args { get; } = args;
}
