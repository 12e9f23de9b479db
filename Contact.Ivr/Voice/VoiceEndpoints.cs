using System.Globalization;
using Contact.Core.Infrastructure;
using Contact.Ivr.Twilio;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Twilio.TwiML;

namespace Contact.Ivr.Voice;

/// <summary>The Twilio webhooks: the voice IVR under /twilio/voice and call status callbacks at /twilio/status.</summary>
public static class VoiceEndpoints
{
    public static IServiceCollection AddIvr(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddOptions<TwilioOptions>().BindConfiguration(TwilioOptions.Section)
            .Validate(o => environment.IsDevelopment() || !string.IsNullOrEmpty(o.AuthToken),
                "Twilio:AuthToken is required outside Development: every Twilio webhook is checked against its signature.")
            .Validate(o => o.Lines.Values.All(Line.IsCode), "Twilio:Lines maps numbers to 311 or 211.")
            .Validate(o => TwilioOptions.IsE164OrEmpty(o.OverflowNumber), "Twilio:OverflowNumber is an E.164 number such as +16135550100, or empty.")
            .ValidateOnStart();
        services.AddSingleton<TwilioSignatureFilter>();
        services.TryAddSingleton<TwilioOutageFilter>();
        services.AddSingleton<CallStore>();
        services.AddSingleton<Contact.Core.ResourceDirectory.PostalAreaLookup>();
        services.AddScoped<VoiceReport>();
        services.AddScoped<VoiceFlow>();
        services.AddSingleton<TwilioCallConnector>();
        services.AddSingleton<Contact.Core.Desktop.ICallConnector>(sp => sp.GetRequiredService<TwilioCallConnector>());
        _ = configuration;
        return services;
    }

    /// <summary>Warns loudly when webhooks would go unchecked (Development without a token).</summary>
    public static void WarnIfUnsigned(this WebApplication app)
    {
        if (string.IsNullOrEmpty(app.Services.GetRequiredService<IOptions<TwilioOptions>>().Value.AuthToken))
        {
            app.Logger.LogWarning("*** Twilio:AuthToken is not set: Twilio webhooks are NOT signature-checked. Development only; the host refuses to start like this elsewhere. ***");
        }
    }

    public static RouteGroupBuilder MapIvr(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/twilio").ExcludeFromDescription().DisableAntiforgery().AddEndpointFilter<TwilioSignatureFilter>()
            .AddEndpointFilter<TwilioOutageFilter>();
        group.MapPost("/voice", (HttpContext http, VoiceFlow flow, IOptions<TwilioOptions> options, CallStore calls, ILoggerFactory logs) =>
            AnswerAsync(http, calls, logs, async (input, call, ct) =>
                await flow.StartAsync(input, input.To is { } to && options.Value.Lines.TryGetValue(to, out var line) ? line : null, ct), creates: true));
        group.MapPost("/voice/{step}", (string step, HttpContext http, VoiceFlow flow, VoiceReport report, CallStore calls, ILoggerFactory logs) =>
            AnswerAsync(http, calls, logs, (input, call, ct) => StepAsync(flow, report, step, http.Request.Query, input, call!, ct)));
        group.MapMethods("/voice/wait", ["GET", "POST"], async (HttpContext http, VoiceFlow flow, TwilioCallConnector connector) =>
        {
            var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync() : null;
            // An agent answered while no Twilio account could redirect the call: hand it over here.
            if (form?["CallSid"].ToString() is { Length: > 0 } sid && await connector.TakeConnectAsync(sid, http.RequestAborted) is { } connect)
            {
                return Results.Text(connect, "application/xml; charset=utf-8");
            }
            var language = Language.Of(http.Request.Query["lang"].ToString()).Code;
            return Twiml(flow.Wait(language, form?["QueuePosition"].ToString()));
        });
        group.MapPost("/status", async (HttpContext http, CallStore calls, CancellationToken ct) =>
        {
            var form = await http.Request.ReadFormAsync(ct);
            // Message status callbacks (texts the outbox sent) and call status callbacks share this URL.
            if (form["MessageSid"].ToString() is { Length: > 0 } messageSid && form["MessageStatus"].ToString() is { Length: > 0 } messageStatus)
            {
                var code = int.TryParse(form["ErrorCode"], CultureInfo.InvariantCulture, out var c) ? c : (int?)null;
                await http.RequestServices.GetRequiredService<Contact.Core.Notifications.OutboxDelivery>().RecordStatusAsync(messageSid, messageStatus, code, ct);
                return Results.NoContent();
            }
            var sid = form["CallSid"].ToString();
            if (sid.Length == 0)
            {
                return Results.BadRequest();
            }
            await calls.SetStatusAsync(sid, form["CallStatus"].ToString(), ct);
            return Results.NoContent();
        });
        return group;
    }

    private static IResult Twiml(VoiceResponse response) => Results.Text(response.ToString(), "application/xml; charset=utf-8");

    private static async Task<IResult> AnswerAsync(HttpContext http, CallStore calls, ILoggerFactory logs,
        Func<CallInput, CallRecord?, CancellationToken, Task<VoiceResponse>> step, bool creates = false)
    {
        var ct = http.RequestAborted;
        var form = await http.Request.ReadFormAsync(ct);
        var sid = form["CallSid"].ToString();
        var logger = logs.CreateLogger("Contact.Ivr.Voice");
        if (sid.Length is 0 or > 64)
        {
            return Results.BadRequest();
        }
        // One turn of a call at a time: a webhook Twilio retried while its first delivery still runs waits for it,
        // then reads what it saved (and the reply it gave), so no side effect happens twice.
        IAsyncDisposable turn;
        try
        {
            turn = await calls.BeginTurnAsync(sid, ct);
        }
        // A database outage is answered by TwilioOutageFilter (an agent cannot be offered while the case store is down).
        catch (Exception e) when (!DatabaseUnavailable.Is(e) && e is NpgsqlException or TimeoutException)
        {
            logger.LogError(e, "Call {CallSid}: the turn could not begin; apologising and offering an agent", sid);
            return Twiml(http.RequestServices.GetRequiredService<VoiceFlow>().Apology(null));
        }
        await using var _ = turn;
        // A retried webhook gets the reply it got the first time, and repeats nothing.
        var token = http.Request.Headers["I-Twilio-Idempotency-Token"].ToString();
        if (token.Length is > 0 and <= 200 && await calls.ReplyForAsync(token, ct) is { } earlier)
        {
            return Results.Text(earlier, "application/xml; charset=utf-8");
        }
        CallRecord? call = null;
        string reply;
        try
        {
            if (!creates)
            {
                call = await calls.FindAsync(sid, ct);
                if (call is null)
                {
                    // A step of a call that never started here: begin it properly.
                    call = await calls.OpenAsync(sid, form["From"], form["To"], null, ct);
                }
            }
            var input = new CallInput(sid, form["From"], form["To"], Clean(form["Digits"]), Clean(form["SpeechResult"]), Clean(form["RecordingUrl"]),
                int.TryParse(http.Request.Query["retry"], CultureInfo.InvariantCulture, out var retry) ? Math.Clamp(retry, 0, 10) : 0);
            reply = (await step(input, call, ct)).ToString();
        }
        // A database outage is answered by TwilioOutageFilter: an agent cannot be offered while the case store is down.
        catch (Exception e) when (!DatabaseUnavailable.Is(e) && e is NpgsqlException or InvalidOperationException or FormatException or TimeoutException or KeyNotFoundException)
        {
            logger.LogError(e, "Call {CallSid}: a step failed; apologising and offering an agent", sid);
            var flow = http.RequestServices.GetRequiredService<VoiceFlow>();
            reply = flow.Apology(call?.Language).ToString();
        }
        if (token.Length is > 0 and <= 200)
        {
            reply = await calls.RememberAsync(token, sid, reply, ct);
        }
        return Results.Text(reply, "application/xml; charset=utf-8");
    }

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim().Length > 500 ? value.Trim()[..500] : value.Trim();

    private static Task<VoiceResponse> StepAsync(VoiceFlow flow, VoiceReport report, string step, IQueryCollection query, CallInput input, CallRecord call, CancellationToken ct)
    {
        var empty = query["empty"] == "1";
        if (input.Digits == "0" && step is not ("language" or "agent-offer"))
        {
            // 0 reaches an agent from every menu.
            return flow.AgentAsync(call, ct);
        }
        return step switch
        {
            "language" => flow.LanguageAsync(call, input, empty, Language.English.Is(query["default"].ToString()) ? Language.English.Code : null, ct),
            "menu" => flow.MainMenuAsync(call, input, empty, ct),
            "category" => report.CategoryAsync(call, input, empty, ct),
            "category-confirm" => report.CategoryConfirmAsync(call, input, ct),
            "question" => report.QuestionAsync(call, input, empty, ct),
            "address" => report.AddressAsync(call, input, empty, ct),
            "address-confirm" => report.AddressConfirmAsync(call, input, ct),
            "recorded" => report.RecordedAsync(call, input, ct),
            "callback" => report.CallbackAsync(call, input, ct),
            "callback-number" => report.CallbackNumberAsync(call, input, empty, ct),
            "texts" => report.TextsAsync(call, input, ct),
            "status" => flow.StatusAsync(call, input, empty, ct),
            "life" => flow.LifeEventAsync(call, input, empty, ct),
            "help" => flow.HelpAsync(call, input, empty, ct),
            "postal" => flow.PostalCodeAsync(call, input, empty, ct),
            "services-next" => flow.ServicesNextAsync(call, input, empty, ct),
            "status-next" => flow.StatusNextAsync(call, input, ct),
            "agent-offer" => flow.AgentOfferAsync(call, input, ct),
            "agent" => flow.AgentAsync(call, ct),
            _ => Task.FromResult(flow.Apology(call.Language)),
        };
    }
}
