using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace Contact.Agent.Desktop;

/// <summary>
/// The desktop connections open on this host: whose they are, the security stamp they signed in with and the
/// groups they are in, so that a change to a member (<see cref="CaseChangeListener"/>) can regroup or close them.
/// </summary>
public sealed class DeskConnections
{
    private readonly ConcurrentDictionary<string, Connection> _connections = new(StringComparer.Ordinal);

    /// <summary>One open connection.</summary>
    /// <param name="Context">The hub's context for it (to close it).</param>
    /// <param name="UserName">Whose it is.</param>
    /// <param name="Role">The role its cookie was issued for.</param>
    /// <param name="Stamp">The security stamp its cookie carries.</param>
    public sealed record Connection(HubCallerContext Context, string UserName, string Role, string? Stamp)
    {
        private readonly SemaphoreSlim _turn = new(1, 1);

        /// <summary>The groups it is in now; changed only inside <see cref="RegroupAsync"/>.</summary>
        public HashSet<string> Groups { get; } = new(StringComparer.Ordinal);

        /// <summary>
        /// Moves the connection into <paramref name="wanted"/>'s groups, one regrouping at a time; the member is read
        /// inside the turn, so the last regrouping always works from the member as they are now. False when the member
        /// is gone (the connection is then left as it is, for the caller to close).
        /// </summary>
        public async Task<bool> RegroupAsync(Func<Task<IReadOnlySet<string>?>> wanted, Func<string, Task> join, Func<string, Task> leave)
        {
            await _turn.WaitAsync();
            try
            {
                if (await wanted() is not { } groups)
                {
                    return false;
                }
                foreach (var group in Groups.Except(groups).ToList())
                {
                    await leave(group);
                    Groups.Remove(group);
                }
                foreach (var group in groups.Except(Groups).ToList())
                {
                    await join(group);
                    Groups.Add(group);
                }
                return true;
            }
            finally
            {
                _turn.Release();
            }
        }
    }

    /// <summary>Open connections on this host.</summary>
    public int Count => _connections.Count;

    /// <summary>Records a connection before it joins any group, so a change to its member from then on reaches it.</summary>
    public Connection Add(HubCallerContext context, string userName, string role, string? stamp)
    {
        var connection = new Connection(context, userName, role, stamp);
        _connections[context.ConnectionId] = connection;
        return connection;
    }

    /// <summary>Forgets a connection that closed.</summary>
    public void Remove(string connectionId) => _connections.TryRemove(connectionId, out _);

    /// <summary>The member's open connections on this host.</summary>
    public IReadOnlyList<Connection> Of(string userName) =>
        [.. _connections.Values.Where(c => string.Equals(c.UserName, userName, StringComparison.Ordinal))];
}
