using Contact.Agent.Desktop;
using Contact.Api.Cases;
using Contact.Ivr.DevPhone;
using Contact.Ivr.Sms;
using Contact.Ivr.Voice;
using Contact.Api.Catalog;
using Contact.Api.ResourceDirectory;
using Contact.Api.Infrastructure;
using Contact.Api.Intake;
using Contact.Api.Jobs;
using Contact.Api.Notifications;
using Contact.Api.InformationAndReferral;
using Contact.Api.LifeEvents;
using Contact.Api.Residents;
using Contact.Api.Reports;
using Contact.Api.Open311;
using Contact.Api.Sla;
using Contact.Core.Infrastructure;
using Serilog;

Log.Logger = Logging.CreateBootstrapLogger();
try
{
    var command = HostCommands.Parse(args);
    var builder = WebApplication.CreateBuilder(command.HostArgs);

    builder.AddContactLogging();
    builder.AddCaseStore();
    builder.AddWebPlatform();
    builder.AddCatalog();
    builder.AddServiceStandards();
    builder.AddNotifications();
    builder.AddResidents();
    builder.AddResourceDirectory();
    builder.AddInformationReferral();
    builder.AddLifeEvents();
    builder.AddIntake();
    builder.AddOpen311();
    builder.Services.AddAgentDesktop();
    builder.Services.AddIvr(builder.Configuration, builder.Environment);
    builder.Services.AddSms();
    builder.Services.AddDevPhone();
    builder.AddJobs();

    var app = builder.Build();
    if (command.Name is not null)
    {
        // A command leaves the machine as it found it: disposing the host closes the pools and stops the embedded
        // PostgreSQL if (and only if) this process started it; a server that was already running keeps running.
        await using (app)
        {
            await app.StartCaseStoreAsync();
            return await HostCommands.RunAsync(command, app);
        }
    }
    await app.StartCaseStoreAsync();

    app.UseWebPlatform();
    app.MapHealth();
    app.MapCatalogApi();
    app.MapCaseApi();
    app.MapLifeEvents();
    app.MapOpen311();
    app.MapServiceStandards();
    app.MapNotifications();
    app.MapResidents();
    app.MapDirectoryApi();
    app.MapInformationReferral();
    app.MapReportsApi();
    app.MapIntake();
    app.MapAgentDesktop();
    app.MapIvr();
    app.MapSms();
    app.MapDevPhone();
    app.MapJobs();
    app.WarnIfUnsigned();

    await app.RunAsync();
    return 0;
}
catch (PostgresNotInstalledException e)
{
    Log.Fatal("{Problem}", e.Message);
    return 2;
}
catch (Exception e) when (e is not HostAbortedException)
{
    Log.Fatal(e, "Contact stopped because of an error");
    return 1;
}
finally
{
    await Log.CloseAndFlushAsync();
}

/// <summary>The host's entry point, named for WebApplicationFactory.</summary>
public partial class Program;
