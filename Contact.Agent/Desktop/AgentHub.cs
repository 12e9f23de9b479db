using System.Globalization;
using System.Security.Claims;
using Contact.Agent.Staff;
using Contact.Core.Infrastructure;
using Contact.Core.Cases;
using Contact.Core.Catalog;
using Contact.Core.Desktop;
using Contact.Core.InformationAndReferral;
using Contact.Core.LifeEvents;
using Contact.Core.Routing;
using Contact.Core.Staff;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Contact.Agent.Desktop;

/// <summary>A life event as the desktop's panel sends it: shared answers, the services kept, their own answers, the contact.</summary>
public sealed record LifeEventForm(
    Dictionary<string, string[]>? Shared, string[]? Services, Dictionary<string, Dictionary<string, string[]>>? Answers,
    string? Name, string? Phone, string? Email, bool Notify, string? Language);

/// <summary>What became of a life event told from the desktop: its request number, or its problems.</summary>
public sealed record LifeEventTold(string? Number, IReadOnlyList<FieldProblem> Problems);

/// <summary>One problem with a field, by code and arguments (the desktop's texts put it in words).</summary>
public sealed record FieldProblem(string Field, string Code, IReadOnlyList<string> Args);

/// <summary>Everything a desktop needs at start and after a reconnect.</summary>
public sealed record DesktopSnapshot(
    StaffView Me,
    IReadOnlyList<QueueItem> Queue,
    IReadOnlyList<QueueItem> Mine,
    IReadOnlyList<ReferralView> Referrals,
    IReadOnlyList<CategoryOption> Categories,
    IReadOnlyList<QueueInfo> Queues,
    IReadOnlyList<ProviderOption> Providers);

/// <summary>A category in the desktop's menus.</summary>
public sealed record CategoryOption(string Code, string Line, LocalText Name);

/// <summary>A provider in the desktop's menus.</summary>
public sealed record ProviderOption(string Code, string Level, LocalText Name);

/// <summary>
/// The desktop's hub. Every method loads the caller afresh (a deactivated account stops at once), checks their
/// role, skills and provider, and validates its arguments; a refusal is a HubException in their language and
/// changes nothing.
/// </summary>
[Authorize(Policy = StaffAuth.Desk)]
public sealed class AgentHub(
    StaffDirectory staff, DesktopQueries queries, CaseWork work, Referrals referrals, CatalogStore catalog,
    CaseTextLocalizer text, ILogger<AgentHub> logger, InformationReferral ir, IOptions<CrisisLineOptions> crisisLine,
    TimeProvider clock, DeskConnections desks, LifeEventDesk lifeEvents, ICallConnector? calls = null) : Hub<IAgentClient>
{
    internal const string LanguageKey = "language";

    public static string QueueGroup(string queue) => "queue:" + queue;

    public static string ProviderGroup(int providerId) => "provider:" + providerId.ToString(CultureInfo.InvariantCulture);

    public const string Supervisors = "supervisors";

    /// <summary>The groups a member's connections belong in: their queues, their provider, and supervisors.</summary>
    public static IReadOnlySet<string> GroupsOf(StaffMember member)
    {
        var groups = new HashSet<string>(DesktopQueries.QueuesOf(member).Select(QueueGroup), StringComparer.Ordinal);
        if (member.ProviderId is int provider)
        {
            groups.Add(ProviderGroup(provider));
        }
        if (member.Oversees)
        {
            groups.Add(Supervisors);
        }
        return groups;
    }

    public override async Task OnConnectedAsync()
    {
        var http = Context.GetHttpContext();
        Context.Items[LanguageKey] = Language.Of(http?.Features.Get<IRequestCultureFeature>()?.RequestCulture.UICulture);
        var name = Context.User?.UserName() ?? throw new HubException("Your account is not active. Sign in again.");
        // Recorded before the member is read, so a change to them from now on reaches this connection; the member is
        // read inside the regrouping's turn, so the connection joins the groups of the member as they are.
        var connection = desks.Add(Context, name, Context.User?.FindFirstValue(ClaimTypes.Role) ?? "", Context.User?.FindFirstValue(StaffAuth.StampClaim));
        var joined = await connection.RegroupAsync(
            async () => await staff.FindAsync(name, Context.ConnectionAborted) is { } me ? GroupsOf(me) : null,
            group => Groups.AddToGroupAsync(Context.ConnectionId, group),
            group => Groups.RemoveFromGroupAsync(Context.ConnectionId, group));
        if (!joined)
        {
            desks.Remove(Context.ConnectionId);
            throw new HubException("Your account is not active. Sign in again.");
        }
        logger.LogInformation("{UserName} connected to the desktop", name);
        await base.OnConnectedAsync();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        desks.Remove(Context.ConnectionId);
        return base.OnDisconnectedAsync(exception);
    }

    private async Task<StaffMember> MeAsync() =>
        Context.User?.UserName() is { } name && await staff.FindAsync(name, Context.ConnectionAborted) is { } member
            ? member
            : throw new HubException("Your account is not active. Sign in again.");

    private string Number(string? number) =>
        CaseNumber.Normalise(number) ?? throw new HubException(text.Refusal(Words, "refused.bad_number", Truncate(number)));

    /// <summary>The language this desktop reads in, taken from its page when it connected.</summary>
    private Language Words => Context.Items[LanguageKey] is Language language ? language : Language.English;

    private static string Truncate(string? value) => value is null ? "" : value.Length > 20 ? value[..20] + "…" : value;

    private async Task<T> RunAsync<T>(Func<StaffMember, Task<T>> action)
    {
        try
        {
            return await action(await MeAsync());
        }
        catch (WorkRefusedException e)
        {
            throw new HubException(text.Refusal(e, Words));
        }
    }

    private async Task<CaseDetail> DetailAsync(StaffMember me, string number)
    {
        var detail = await queries.DetailAsync(me, number, e => text.Describe(e, Words), Context.ConnectionAborted)
            ?? throw new WorkRefusedException("refused.no_case", $"There is no case {number}.", number);
        return detail.InformationReferral is null ? detail : detail with { CrisisLine = crisisLine.Value.View };
    }

    public Task<DesktopSnapshot> Snapshot() => RunAsync(async me =>
    {
        var ct = Context.ConnectionAborted;
        var c = await catalog.GetAsync(ct);
        var (queues, providers) = await queries.MenusAsync(ct);
        return new DesktopSnapshot(
            StaffView.Of(me),
            await queries.QueueAsync(me, cancellationToken: ct),
            await queries.MineAsync(me, ct),
            await queries.ReferralsForAsync(me, ct),
            [.. c.Categories.Where(k => me.Oversees || me.Lines.Contains(k.Line)).Select(k => new CategoryOption(k.Code, k.Line, k.Name))],
            queues,
            [.. providers.Select(p => new ProviderOption(p.Code, p.Level, p.Name))]);
    });

    public Task<CaseDetail> ClaimNext() => RunAsync(async me =>
    {
        var number = await work.ClaimNextAsync(me, Context.ConnectionAborted)
            ?? throw new WorkRefusedException("refused.nothing_waiting", "No case is waiting for you.");
        return await DetailAsync(me, number);
    });

    public Task<CaseDetail> Claim(string number) => RunAsync(async me =>
    {
        var n = Number(number);
        await work.ClaimAsync(me, n, Context.ConnectionAborted);
        return await DetailAsync(me, n);
    });

    public Task<CaseDetail> OpenCase(string number) => RunAsync(me => DetailAsync(me, Number(number)));

    public Task<object?> Release(string number) => RunAsync<object?>(async me =>
    {
        await work.ReleaseAsync(me, Number(number), Context.ConnectionAborted);
        return null;
    });

    public Task<CaseDetail> AddNote(string number, string note) => Act(number, (me, n) => work.AddNoteAsync(me, n, note, Context.ConnectionAborted));

    public Task<CaseDetail> ChangeCategory(string number, string categoryCode) =>
        Act(number, (me, n) => work.ChangeCategoryAsync(me, n, categoryCode ?? "", Context.ConnectionAborted));

    public Task<CaseDetail> ChangePriority(string number, string priority) =>
        Act(number, (me, n) => work.ChangePriorityAsync(me, n, priority ?? "", Context.ConnectionAborted));

    public Task<CaseDetail> ChangeLocation(string number, string? address, double? latitude, double? longitude) =>
        Act(number, (me, n) => work.ChangeLocationAsync(me, n, address, latitude, longitude, Context.ConnectionAborted));

    public Task<CaseDetail> Merge(string number, string intoNumber) =>
        Act(number, (me, n) => work.MergeAsync(me, n, Number(intoNumber), Context.ConnectionAborted));

    public Task<CaseDetail> SetWaiting(string number, string? note) => Act(number, (me, n) => work.SetWaitingAsync(me, n, note, Context.ConnectionAborted));

    public Task<CaseDetail> Resolve(string number, string? note) => Act(number, (me, n) => work.ResolveAsync(me, n, note, Context.ConnectionAborted));

    public Task<CaseDetail> Close(string number, string? note) => Act(number, (me, n) => work.CloseAsync(me, n, note, Context.ConnectionAborted));

    public Task<CaseDetail> Refer(string number, string[] providerCodes, string? note) =>
        Act(number, (me, n) => referrals.ReferAsync(me, n, providerCodes ?? [], note, Context.ConnectionAborted));

    /// <summary>
    /// Tells a life event for the resident of a held case: the request's number, or each problem by field (its code
    /// and arguments, which the desktop puts in words).
    /// </summary>
    public Task<LifeEventTold> TellLifeEvent(string number, string code, LifeEventForm form) => RunAsync(async me =>
    {
        var n = Number(number);
        form ??= new LifeEventForm(null, null, null, null, null, null, false, null);
        static IReadOnlyDictionary<string, IReadOnlyList<string>> Values(Dictionary<string, string[]>? given) =>
            (given ?? []).ToDictionary(a => a.Key, a => (IReadOnlyList<string>)(a.Value ?? []), StringComparer.Ordinal);
        var result = await lifeEvents.TellAsync(me, n, code ?? "", new LifeEventRequest("agent", form.Language, Values(form.Shared), form.Services,
            (form.Answers ?? []).ToDictionary(a => a.Key, a => Values(a.Value), StringComparer.Ordinal), form.Name, form.Phone, form.Email, form.Notify),
            Context.ConnectionAborted);
        return new LifeEventTold(result.Filed?.Number, [.. result.Errors.Select(e => new FieldProblem(e.Field, e.Code, e.Args))]);
    });

    /// <summary>Sends a life event's referrals that waited for review to their providers.</summary>
    public Task<CaseDetail> SendReviewedReferrals(string number) =>
        Act(number, (me, n) => referrals.SendReviewedAsync(me, n, Context.ConnectionAborted));

    public Task<CaseDetail> RecordNeed(string number, string code) =>
        Act(number, (me, n) => ir.RecordNeedAsync(me, n, code ?? "", Context.ConnectionAborted));

    public Task<CaseDetail> MarkNeedUnmet(string number, long needId, string reason, string? note) =>
        Act(number, (me, n) => ir.MarkNeedUnmetAsync(me, n, needId, reason ?? "", note, Context.ConnectionAborted));

    public Task<CaseDetail> GiveReferral(string number, string serviceId, string? locationId, long? needId) =>
        Act(number, (me, n) => ir.GiveReferralAsync(me, n, serviceId ?? "", locationId, needId, Context.ConnectionAborted));

    public Task<CaseDetail> SendReferralsByText(string number) =>
        Act(number, (me, n) => ir.SendReferralsByTextAsync(me, n, Context.ConnectionAborted));

    /// <summary>Schedules a follow-up <paramref name="days"/> days from now (1 to 90), by queue or by text.</summary>
    public Task<CaseDetail> ScheduleFollowUp(string number, int days, string method) =>
        Act(number, (me, n) =>
        {
            if (days is < 1 or > 90)
            {
                throw new WorkRefusedException("refused.bad_follow_up_due", "A follow-up is due in the next 90 days.", 90);
            }
            return ir.ScheduleFollowUpAsync(me, n, clock.GetUtcNow().AddDays(days), method ?? "", Context.ConnectionAborted);
        });

    public Task<CaseDetail> SetCrisis(string number, bool on) =>
        Act(number, (me, n) => ir.SetCrisisAsync(me, n, on, Context.ConnectionAborted));

    /// <summary>Connects the caller waiting on a held case to this agent.</summary>
    public Task<CaseDetail> AnswerCall(string number) => RunAsync(async me =>
    {
        var n = Number(number);
        var caseId = await work.AnswerAsync(me, n, Context.ConnectionAborted);
        if (calls is null || !await calls.ConnectAsync(caseId, me, Context.ConnectionAborted))
        {
            throw new WorkRefusedException("refused.no_caller", $"No caller is waiting on case {n}.", n);
        }
        return await DetailAsync(me, n);
    });

    public Task<object?> Transfer(string number, string queueCode) => RunAsync<object?>(async me =>
    {
        await work.TransferAsync(me, Number(number), queueCode ?? "", Context.ConnectionAborted);
        return null;
    });

    private Task<CaseDetail> Act(string number, Func<StaffMember, string, Task> action) => RunAsync(async me =>
    {
        var n = Number(number);
        await action(me, n);
        return await DetailAsync(me, n);
    });

    public Task<ReferralView> AcceptReferral(long referralId, string? note) =>
        Respond(referralId, me => referrals.AcceptAsync(me, referralId, note, Context.ConnectionAborted));

    public Task<ReferralView> DeclineReferral(long referralId, string? reason) =>
        Respond(referralId, me => referrals.DeclineAsync(me, referralId, reason, Context.ConnectionAborted));

    public Task<ReferralView> CompleteReferral(long referralId, string? note) =>
        Respond(referralId, me => referrals.CompleteAsync(me, referralId, note, Context.ConnectionAborted));

    private Task<ReferralView> Respond(long referralId, Func<StaffMember, Task<long>> action) => RunAsync(async me =>
    {
        if (me.Role != Roles.Provider && !me.Oversees)
        {
            throw new WorkRefusedException("refused.role", "Only provider users answer referrals.");
        }
        await action(me);
        return (await queries.ReferralAsync(referralId, Context.ConnectionAborted))!.Value.View;
    });

    public Task<StaffView> SetState(string state) => RunAsync(async me => StaffView.Of(await staff.SetStateAsync(me, state ?? "", Context.ConnectionAborted)));

    public Task<SupervisorView> SupervisorSnapshot() => RunAsync(async me =>
    {
        if (!me.Oversees)
        {
            throw new WorkRefusedException("refused.role", "Only supervisors and admins see this.");
        }
        return await queries.SupervisorAsync(DesktopOptions.Zone, Context.ConnectionAborted);
    });

    public Task<object?> Reassign(string number, string userName) => RunAsync<object?>(async me =>
    {
        await work.ReassignAsync(me, Number(number), userName ?? "", Context.ConnectionAborted);
        return null;
    });
}

/// <summary>Settings the desktop shares.</summary>
public static class DesktopOptions
{
    /// <summary>The contact centre's time zone, for "today" (Contact:TimeZone; the demo city is Ottawa).</summary>
    public static TimeZoneInfo Zone { get; set; } = TimeZoneInfo.FindSystemTimeZoneById("America/Toronto");
}

/// <summary>The crisis line offered at once on a 211 case at risk of life (Directory:CrisisLine).</summary>
public sealed class CrisisLineOptions
{
    public const string Section = "Directory";

    /// <summary>The fictional number the demo uses.</summary>
    public const string DemoNumber = "+16135550100";

    /// <summary>The crisis line's number, as staff read it out or transfer to it.</summary>
    [System.ComponentModel.DataAnnotations.Required]
    [System.ComponentModel.DataAnnotations.RegularExpression(@"^\+?[0-9][0-9 ().-]{2,30}$")]
    public string CrisisLine { get; set; } = DemoNumber;

    internal CrisisLineView View => new(CrisisLine, CrisisLine == DemoNumber);
}
