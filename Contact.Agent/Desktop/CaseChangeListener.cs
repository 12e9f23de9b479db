using System.Globalization;
using System.Threading.Channels;
using Contact.Core.Desktop;
using Contact.Core.Infrastructure;
using Contact.Core.Staff;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Contact.Agent.Desktop;

/// <summary>
/// Listens for the change notifications every host sends after it commits (<see cref="ChangeFeed"/>), whatever
/// channel made the change, and pushes them to the desktops connected to this host.
/// A member's change (<c>contact_staff</c>, from a trigger on <c>staff_users</c>) regroups their connections on this
/// host, or closes them when the account was disabled or its password or role changed. Whenever changes may have
/// been missed (the LISTEN connection was lost, or a batch could not be pushed) every desktop is told to resync.
/// </summary>
public sealed class CaseChangeListener(CasesDatabase database, DesktopQueries queries, IHubContext<AgentHub, IAgentClient> hub, ILogger<CaseChangeListener> logger,
    DeskConnections? desks = null, StaffDirectory? staff = null)
    : BackgroundService
{
    /// <summary>The channel the staff_users trigger notifies with a member's user name.</summary>
    public const string StaffChannel = "contact_staff";

    private readonly Channel<(string Channel, string Payload)> _changes = Channel.CreateUnbounded<(string, string)>(new UnboundedChannelOptions { SingleReader = true });
    private int _supervisorPending;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(ListenAsync(stoppingToken), PushAsync(stoppingToken));

    private async Task ListenAsync(CancellationToken ct)
    {
        var listenedBefore = false;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = await database.ListenDataSource.OpenConnectionAsync(ct);
                connection.Notification += (_, e) => _changes.Writer.TryWrite((e.Channel, e.Payload));
                await using (var listen = new NpgsqlCommand($"listen {ChangeFeed.Channel}; listen {StaffChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(ct);
                }
                logger.LogInformation("Listening for case changes");
                if (listenedBefore)
                {
                    // Whatever changed while nobody listened was never pushed: every desktop reads afresh.
                    _changes.Writer.TryWrite((ResyncSignal, ""));
                }
                listenedBefore = true;
                while (!ct.IsCancellationRequested)
                {
                    await connection.WaitAsync(ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or IOException)
            {
                // Desktops reconnect and take a fresh snapshot; here we only wait and listen again.
                logger.LogWarning(e, "Lost the change notifications; listening again in a second");
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
        }
    }

    private async Task PushAsync(CancellationToken ct)
    {
        var batch = new List<(string Channel, string Payload)>();
        while (await _changes.Reader.WaitToReadAsync(ct))
        {
            // Under load many changes wait at once: read their cases in one query, not one each.
            batch.Clear();
            while (batch.Count < 500 && _changes.Reader.TryRead(out var change))
            {
                batch.Add(change);
            }
            try
            {
                var cases = new List<(long Id, string? QueueBefore)>();
                var referralIds = new List<long>();
                if (batch.Any(b => b.Channel == ResyncSignal))
                {
                    await hub.Clients.All.Resync();
                }
                foreach (var userName in batch.Where(b => b.Channel == StaffChannel).Select(b => b.Payload).Distinct(StringComparer.Ordinal))
                {
                    await StaffChangedAsync(userName, ct);
                }
                foreach (var (_, payload) in batch.Where(b => b.Channel == ChangeFeed.Channel))
                {
                    foreach (var (kind, id, queueBefore) in ChangeFeed.Parse(payload))
                    {
                        if (kind == 'c')
                        {
                            cases.Add((id, queueBefore));
                        }
                        else if (kind == 'r')
                        {
                            referralIds.Add(id);
                        }
                    }
                }
                if (cases.Count > 0)
                {
                    var items = (await queries.QueueItemsAsync([.. cases.Select(c => c.Id).Distinct()], ct)).ToDictionary(i => i.Id);
                    foreach (var (id, queueBefore) in cases)
                    {
                        if (items.TryGetValue(id, out var item))
                        {
                            await CaseChangedAsync(item.Item, queueBefore);
                        }
                    }
                }
                if (referralIds.Count > 0)
                {
                    // A life event refers one case to many providers at once: their referrals are read together too.
                    foreach (var referral in await queries.ReferralsAsync([.. referralIds.Distinct()], ct))
                    {
                        await ReferralChangedAsync(referral);
                    }
                }
                await SupervisorsAsync();
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // The desktops missed this batch: tell them all to read afresh (once it can be said); the host keeps going.
                logger.LogWarning(e, "Could not push {Count} changes; desktops will resync", batch.Count);
                _changes.Writer.TryWrite((ResyncSignal, ""));
                await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
            }
        }
    }

    private const string ResyncSignal = "resync";

    /// <summary>
    /// Applies a change to a member to their connections on this host: closed when the account is gone or disabled,
    /// or when its role or security stamp is no longer the one the connection signed in with; otherwise moved into
    /// the groups the member now belongs in, and told to take a fresh snapshot.
    /// </summary>
    private async Task StaffChangedAsync(string userName, CancellationToken ct)
    {
        if (desks is null || staff is null || desks.Of(userName) is not { Count: > 0 } open)
        {
            return;
        }
        foreach (var connection in open)
        {
            var id = connection.Context.ConnectionId;
            var kept = await connection.RegroupAsync(async () =>
                {
                    var stamp = await staff.StampAsync(userName, ct);
                    if (stamp is not { } current || current.Role != connection.Role || current.Stamp.ToString() != connection.Stamp)
                    {
                        return null;
                    }
                    return await staff.FindAsync(userName, ct) is { } member ? AgentHub.GroupsOf(member) : null;
                },
                group => hub.Groups.AddToGroupAsync(id, group, ct),
                group => hub.Groups.RemoveFromGroupAsync(id, group, ct));
            if (!kept)
            {
                logger.LogInformation("Closing a desktop connection of {UserName}: the account was disabled, given a new password or a new role", userName);
                connection.Context.Abort();
                desks.Remove(id);
                continue;
            }
            await hub.Clients.Client(id).Resync();
        }
    }

    private async Task CaseChangedAsync(QueueItem item, string? queueBefore)
    {
        var waiting = item.AssignedTo is null && item.Status is not ("resolved" or "closed");
        var home = AgentHub.QueueGroup(item.Queue);
        // Removals first, then the item where it now belongs: someone in both groups ends with the item.
        var leftQueue = queueBefore is not null && queueBefore != item.Queue ? AgentHub.QueueGroup(queueBefore) : null;
        var removeFrom = new[] { leftQueue, waiting ? null : home }.OfType<string>().ToList();
        if (removeFrom.Count > 0)
        {
            await hub.Clients.Groups(removeFrom).QueueItemRemoved(item.Number);
        }
        if (waiting)
        {
            await hub.Clients.Group(home).QueueItemChanged(item);
        }
        else if (item.AssignedTo is { } holder)
        {
            // The holder's own cases.
            await hub.Clients.User(holder).QueueItemChanged(item);
        }
        await hub.Clients.Groups([home, AgentHub.Supervisors]).CaseChanged(item.Number);
        if (item.AssignedTo is { } owner)
        {
            await hub.Clients.User(owner).CaseChanged(item.Number);
        }
    }

    private async Task ReferralChangedAsync((ReferralView View, int ProviderId) referral)
    {
        // The case itself changed in the same transaction, so its holder refreshes it through CaseChanged. A referral
        // waiting for an agent's review has not reached its provider yet.
        await hub.Clients.Groups(referral.View.Status == "review" ? [AgentHub.Supervisors] : [AgentHub.ProviderGroup(referral.ProviderId), AgentHub.Supervisors])
            .ReferralChanged(referral.View);
    }

    // Supervisors re-read their whole view on this signal: coalesce bursts into one signal per quarter second.
    private Task SupervisorsAsync()
    {
        if (Interlocked.Exchange(ref _supervisorPending, 1) == 0)
        {
            _ = Task.Run(async () =>
            {
                await Task.Delay(250);
                Interlocked.Exchange(ref _supervisorPending, 0);
                await hub.Clients.Group(AgentHub.Supervisors).SupervisorChanged();
            });
        }
        return Task.CompletedTask;
    }
}
