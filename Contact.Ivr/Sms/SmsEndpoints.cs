using System.Globalization;
using Contact.Core.Infrastructure;
using Contact.Core.Residents;
using Contact.Ivr.Twilio;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Npgsql;
using Twilio.TwiML;

namespace Contact.Ivr.Sms;

/// <summary>The Twilio messaging webhook: texting with Contact at POST /twilio/sms.</summary>
public static class SmsEndpoints
{
    private const int MaxBody = 1600;
    private const int MaxMedia = 10;

    public static IServiceCollection AddSms(this IServiceCollection services)
    {
        services.TryAddSingleton<TwilioSignatureFilter>();
        services.TryAddSingleton<TwilioOutageFilter>();
        services.AddSingleton<SmsStore>();
        services.AddScoped<SmsReport>();
        services.AddScoped<SmsLifeEvent>();
        services.AddScoped<SmsFlow>();
        return services;
    }

    public static RouteGroupBuilder MapSms(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/twilio").DisableAntiforgery().ExcludeFromDescription().AddEndpointFilter<TwilioSignatureFilter>()
            .AddEndpointFilter<TwilioOutageFilter>();
        group.MapPost("/sms", AnswerAsync);
        return group;
    }

    private static async Task<IResult> AnswerAsync(HttpContext http, SmsFlow flow, ILoggerFactory logs)
    {
        var ct = http.RequestAborted;
        if (!http.Request.HasFormContentType)
        {
            return Results.BadRequest();
        }
        var form = await http.Request.ReadFormAsync(ct);
        var sid = form["MessageSid"].ToString();
        var from = PhoneNumberNormaliser.ToE164(form["From"].ToString());
        if (sid.Length is 0 or > 64 || from is null)
        {
            return Results.BadRequest();
        }
        var body = form["Body"].ToString().Trim();
        if (body.Length > MaxBody)
        {
            body = body[..MaxBody];
        }
        var photos = new List<SmsPhoto>();
        if (int.TryParse(form["NumMedia"], NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            for (var i = 0; i < Math.Min(count, MaxMedia); i++)
            {
                var url = form["MediaUrl" + i.ToString(CultureInfo.InvariantCulture)].ToString();
                var type = form["MediaContentType" + i.ToString(CultureInfo.InvariantCulture)].ToString();
                if (url.Length <= 2000 && Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http")
                {
                    photos.Add(new SmsPhoto(url, type.Length is > 0 and <= 100 ? type : null));
                }
            }
        }
        var optOutType = form["OptOutType"].ToString();
        string reply;
        var language = new SmsReplyLanguage();
        try
        {
            reply = await flow.AnswerAsync(new SmsInput(sid, from, body, optOutType.Length > 0 ? optOutType : null, photos), language, ct);
        }
        // A database outage is answered by TwilioOutageFilter.
        catch (Exception e) when (!DatabaseUnavailable.Is(e) && e is NpgsqlException or InvalidOperationException or TimeoutException or FormatException)
        {
            logs.CreateLogger("Contact.Ivr.Sms").LogError(e, "Text {MessageSid}: answering failed; apologising", sid);
            reply = flow.Apology(language);
        }
        var response = new MessagingResponse();
        response.Message(reply);
        return Results.Text(response.ToString(), "application/xml; charset=utf-8");
    }
}
