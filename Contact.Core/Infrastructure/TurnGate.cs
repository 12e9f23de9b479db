using System.Globalization;
using Dapper;
using Npgsql;

namespace Contact.Core.Infrastructure;

/// <summary>
/// A turn under way: its slot of the <see cref="TurnGate"/>, and a transaction holding the advisory lock on the turn's
/// key (a phone number, a call) until the turn is disposed, so turns on one key run one at a time on any host.
/// </summary>
public sealed class LockedTurn(NpgsqlConnection connection, NpgsqlTransaction transaction, IDisposable slot) : IAsyncDisposable
{
    /// <summary>The connection holding the lock.</summary>
    public NpgsqlConnection Connection => connection;

    /// <summary>The transaction holding the lock; what is written in it commits with the turn.</summary>
    public NpgsqlTransaction Transaction => transaction;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        // Uncommitted, this rolls back; either way the lock goes with the transaction.
        await transaction.DisposeAsync();
        await connection.DisposeAsync();
        slot.Dispose();
    }
}

/// <summary>
/// How many conversation turns (a text being answered, a step of a call) run at once on this host. A turn holds a
/// pooled connection for its lock on the phone number or call, and borrows others, one at a time, for its work (the
/// catalog, the intake, a status lookup). Unbounded, a burst of texts takes every pooled connection for locks and
/// each turn then waits for a second one that never comes free. Through the gate, the turns past the limit wait here,
/// holding no connection, and are answered in turn.
/// </summary>
public sealed class TurnGate
{
    /// <summary>Pooled connections a turn may hold at once: its lock's and the one its work borrows.</summary>
    public const int ConnectionsPerTurn = 2;

    private readonly SemaphoreSlim _slots;

    /// <summary>A gate letting <paramref name="capacity"/> turns run at once, each waiting at most <paramref name="wait"/> to start.</summary>
    public TurnGate(int capacity, TimeSpan wait)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        Wait = wait;
        _slots = new SemaphoreSlim(capacity, capacity);
    }

    /// <summary>
    /// The gate for a request pool of <paramref name="maxPoolSize"/> connections: turns may use half of it, leaving the
    /// rest for the desktop, the web form and the APIs.
    /// </summary>
    public static TurnGate ForPool(int maxPoolSize, TimeSpan wait) => new(Math.Max(1, maxPoolSize / 2 / ConnectionsPerTurn), wait);

    /// <summary>How many turns run at once.</summary>
    public int Capacity { get; }

    /// <summary>The longest a turn waits to start before it fails with a <see cref="TimeoutException"/>.</summary>
    public TimeSpan Wait { get; }

    /// <summary>Waits for a slot; dispose the result to give it back.</summary>
    /// <exception cref="TimeoutException">No slot came free within <see cref="Wait"/>.</exception>
    public async Task<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        if (!await _slots.WaitAsync(Wait, cancellationToken))
        {
            throw new TimeoutException($"No conversation turn came free within {Wait.TotalSeconds:0.#} s ({Capacity} run at once).");
        }
        return new Slot(_slots);
    }

    /// <summary>
    /// Enters the gate, then opens a connection and a transaction and takes the advisory lock on <paramref name="key"/>,
    /// waiting at most <paramref name="lockTimeout"/> for another turn on the key to finish (without one, as long as it takes).
    /// </summary>
    public async Task<LockedTurn> BeginAsync(NpgsqlDataSource dataSource, string key, TimeSpan? lockTimeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        var slot = await EnterAsync(cancellationToken);
        NpgsqlConnection? connection = null;
        try
        {
            connection = await dataSource.OpenConnectionAsync(cancellationToken);
            var tx = await connection.BeginTransactionAsync(cancellationToken);
            var wait = lockTimeout is { } t
                ? string.Create(CultureInfo.InvariantCulture, $"set local lock_timeout = '{(int)t.TotalMilliseconds}ms'; ")
                : "";
            await connection.ExecuteAsync(new CommandDefinition(
                wait + "select pg_advisory_xact_lock(hashtextextended(@key, 0))", new { key }, tx, cancellationToken: cancellationToken));
            return new LockedTurn(connection, tx, slot);
        }
        catch
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
            slot.Dispose();
            throw;
        }
    }

    private sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release();
            }
        }
    }
}
