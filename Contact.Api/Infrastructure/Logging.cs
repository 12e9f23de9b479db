using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace Contact.Api.Infrastructure;

internal static class Logging
{
    private const string ReadableTemplate =
        "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj} {Properties:j}{NewLine}{Exception}";

    public static Serilog.ILogger CreateBootstrapLogger() => new LoggerConfiguration()
        .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
        .Enrich.FromLogContext()
        .WriteTo.Console(formatProvider: System.Globalization.CultureInfo.InvariantCulture)
        .CreateBootstrapLogger();

    /// <summary>Serilog for the host: readable console in Development, JSON lines elsewhere.</summary>
    public static void AddContactLogging(this WebApplicationBuilder builder)
    {
        var development = builder.Environment.IsDevelopment();
        // Each host gets its own logger (tests run several hosts in one process); the static one stays the bootstrap logger.
        builder.Services.AddSerilog((services, logger) =>
        {
            logger.ReadFrom.Configuration(builder.Configuration)
                .ReadFrom.Services(services)
                .Enrich.FromLogContext()
                .Enrich.WithProperty("Application", "Contact");
            if (development)
            {
                logger.WriteTo.Console(outputTemplate: ReadableTemplate, formatProvider: System.Globalization.CultureInfo.InvariantCulture);
            }
            else
            {
                logger.WriteTo.Console(new RenderedCompactJsonFormatter());
            }
        }, preserveStaticLogger: true);
    }

    /// <summary>One line per request, with its status and time.</summary>
    public static void UseRequestLogging(this WebApplication app) => app.UseSerilogRequestLogging(options =>
    {
        options.MessageTemplate = "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0} ms";
        // Health probes every few seconds would drown the log.
        options.GetLevel = (http, _, error) =>
            error is not null || http.Response.StatusCode >= 500 ? LogEventLevel.Error
            : http.Request.Path.StartsWithSegments("/health") ? LogEventLevel.Verbose
            : LogEventLevel.Information;
    });
}
