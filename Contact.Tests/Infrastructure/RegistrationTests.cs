using Contact.Agent.Desktop;
using Contact.Api.Catalog;
using Contact.Api.Infrastructure;
using Contact.Api.Jobs;
using Contact.Api.Notifications;
using Contact.Api.Residents;
using Contact.Api.Sla;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace Contact.Tests.Infrastructure;

/// <summary>A feature cannot be switched off by a missing line in Program.cs: the host refuses to build.</summary>
// Alone: a host builder made while a test host starts could be taken for that host's (WebApplicationFactory listens
// for any host being built in the process).
[NonParallelizable]
public sealed class RegistrationTests
{
    private static WebApplicationBuilder Builder()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.Configuration["ConnectionStrings:Cases"] = "Host=127.0.0.1;Database=unused";
        builder.Configuration["DataProtection:KeyEncryptionKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        builder.AddCaseStore();
        builder.AddWebPlatform();
        return builder;
    }

    [Test]
    public void Without_the_service_standards_the_host_does_not_build_and_says_what_is_missing()
    {
        var builder = Builder();
        builder.AddCatalog();
        builder.AddNotifications();
        builder.AddResidents();
        builder.AddJobs();

        var error = Assert.Catch(() => builder.Build());

        Assert.That(error!.ToString(), Does.Contain("SlaStore").Or.Contain("ISlaScheduler"), "the case commands need the SLA feature");
    }

    [Test]
    public void Without_notifications_the_desktop_does_not_build()
    {
        var builder = Builder();
        builder.AddCatalog();
        builder.AddServiceStandards();
        builder.Services.AddAgentDesktop();

        var error = Assert.Catch(() => builder.Build());

        Assert.That(error!.ToString(), Does.Contain("IOutboxDispatcher"));
    }
}
