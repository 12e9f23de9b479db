using Contact.Core.LifeEvents;

namespace Contact.Api.LifeEvents;

/// <summary>Tell us once: life events told on any channel, one case with a referral per service to its provider.</summary>
internal static class LifeEventsSetup
{
    public static void AddLifeEvents(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<LifeEventCommands>();
        builder.Services.AddSingleton<LifeEventIntake>();
        builder.Services.AddSingleton<LifeEventProgress>();
        builder.Services.AddSingleton<LifeEventDesk>();
    }

    public static void MapLifeEvents(this WebApplication app) => app.MapLifeEventApi();
}
