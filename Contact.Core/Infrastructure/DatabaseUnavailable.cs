using System.Net.Sockets;
using Npgsql;

namespace Contact.Core.Infrastructure;

/// <summary>
/// The one place that decides whether an exception means "the case store cannot be reached right now" (the server
/// is down, restarting, refusing connections or out of them) rather than a fault in Contact or in a request. Webhooks,
/// the JSON API and the web form answer such failures with an apology and "try again later" instead of an error.
/// </summary>
public static class DatabaseUnavailable
{
    /// <summary>How long a client is asked to wait before trying again (the Retry-After header), in seconds.</summary>
    public const int RetryAfterSeconds = 30;

    /// <summary>
    /// True when <paramref name="exception"/> (or one it wraps) is a connection failure: a socket or stream error
    /// talking to PostgreSQL, a timeout waiting for a connection, a server state of class 08 (connection exception),
    /// 57P01/57P02/57P03 (shutting down, crashed, starting), class 53 (out of connections or resources), or any
    /// error the server sent as FATAL, which always ends the session (a database refusing connections says so).
    /// </summary>
    /// <param name="exception">What was thrown; null is not unavailable.</param>
    public static bool Is(Exception? exception)
    {
        var fromNpgsql = false;
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException postgres:
                    return IsConnectionState(postgres.SqlState) || postgres.Severity is "FATAL" or "PANIC";
                case NpgsqlException npgsql when npgsql.InnerException is null:
                    return npgsql.IsTransient;
                case NpgsqlException:
                    fromNpgsql = true;
                    continue;
                case AggregateException aggregate:
                    return aggregate.InnerExceptions.Any(Is);
                // A socket, stream or timeout failure is the database's only when Npgsql met it; elsewhere it is another service's.
                case TimeoutException or SocketException or IOException:
                    return fromNpgsql;
                case InvalidOperationException when e.InnerException is not null:
                    continue;
                default:
                    return false;
            }
        }
        return false;
    }

    /// <summary>True for SQL states that mean the connection cannot be had or was lost.</summary>
    /// <param name="sqlState">A five-character PostgreSQL error code.</param>
    public static bool IsConnectionState(string? sqlState) =>
        sqlState is not null && (sqlState.StartsWith("08", StringComparison.Ordinal) || sqlState.StartsWith("53", StringComparison.Ordinal)
            || sqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow);
}
