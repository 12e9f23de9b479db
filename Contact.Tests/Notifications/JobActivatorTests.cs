using Contact.Api.Jobs;
using Hangfire;
using Hangfire.AspNetCore;
using Microsoft.Extensions.DependencyInjection;

namespace Contact.Tests.Notifications;

/// <summary>
/// Hangfire's default job activator is process-wide (JobActivator.Current), replaced by each host that configures
/// Hangfire after another: a host takes its own, so its workers never build jobs from another host's services (disposed
/// ones once that host stops, which failed deliveries until a retry when test hosts started side by side).
/// </summary>
[NonParallelizable]
public sealed class JobActivatorTests
{
    [Test]
    public void A_host_builds_its_jobs_with_its_own_services_whoever_configured_hangfire_last()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        JobsSetup.AddOwnJobActivator(services);
        services.AddHangfire(_ => { });
        using var provider = services.BuildServiceProvider();
        _ = provider.GetRequiredService<IGlobalConfiguration>();
        var previous = JobActivator.Current;
        var stranger = new JobActivator();
        // Another host in the process configures Hangfire after this one.
        GlobalConfiguration.Configuration.UseActivator(stranger);
        try
        {
            var activator = provider.GetRequiredService<JobActivator>();

            Assert.That(activator, Is.Not.SameAs(stranger));
            Assert.That(activator, Is.InstanceOf<AspNetCoreJobActivator>());
        }
        finally
        {
            GlobalConfiguration.Configuration.UseActivator(previous);
        }
    }
}
