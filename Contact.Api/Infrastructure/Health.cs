using System.Diagnostics;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Contact.Api.Infrastructure;

/// <summary>
/// GET /health: 200 with the database's answer time, 503 when it does not answer. It says healthy or not and
/// never why: an exception's text (a host name, a user name) is for the log.
/// </summary>
internal static class Health
{
    public static void AddContactHealth(this IServiceCollection services) =>
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", timeout: TimeSpan.FromSeconds(5));

    public static IEndpointConventionBuilder MapHealth(this IEndpointRouteBuilder app) =>
        app.MapHealthChecks("/health", new HealthCheckOptions
        {
            ResponseWriter = (http, report) => http.Response.WriteAsJsonAsync(new
            {
                status = report.Status.ToString().ToLowerInvariant(),
                checks = report.Entries.ToDictionary(e => e.Key, e => new
                {
                    status = e.Value.Status.ToString().ToLowerInvariant(),
                    responseTimeMs = e.Value.Data.TryGetValue("responseTimeMs", out var ms) ? ms : null,
                }),
            }),
        }).DisableHttpMetrics();

    private sealed class DatabaseHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var watch = Stopwatch.StartNew();
            try
            {
                await using var command = dataSource.CreateCommand("select 1");
                await command.ExecuteScalarAsync(cancellationToken);
                var ms = Math.Round(watch.Elapsed.TotalMilliseconds, 2);
                return HealthCheckResult.Healthy("The database answers.", new Dictionary<string, object> { ["responseTimeMs"] = ms });
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or OperationCanceledException or System.Net.Sockets.SocketException)
            {
                return HealthCheckResult.Unhealthy("The database does not answer.", e);
            }
        }
    }
}
