using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Twilio.Security;

namespace Contact.Ivr.Twilio;

/// <summary>
/// Refuses (403, nothing recorded) any webhook whose X-Twilio-Signature does not match the URL Twilio called
/// and every posted field, checked with the Twilio library's RequestValidator.
/// </summary>
public sealed class TwilioSignatureFilter(IOptions<TwilioOptions> options, ILogger<TwilioSignatureFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var token = options.Value.AuthToken;
        if (string.IsNullOrEmpty(token))
        {
            // Only Development starts without a token (the host refuses elsewhere, and says so loudly here).
            return await next(context);
        }
        var request = context.HttpContext.Request;
        var url = CalledUrl(request, options.Value.PublicBaseUrl);
        var fields = request.HasFormContentType
            ? (await request.ReadFormAsync(context.HttpContext.RequestAborted)).ToDictionary(f => f.Key, f => f.Value.ToString())
            : [];
        var signature = request.Headers["X-Twilio-Signature"].ToString();
        if (signature.Length == 0 || !new RequestValidator(token).Validate(url, fields, signature))
        {
            logger.LogWarning("Refused a webhook to {Path} with a missing or wrong Twilio signature", request.Path);
            return Results.StatusCode(StatusCodes.Status403Forbidden);
        }
        return await next(context);
    }

    /// <summary>The URL Twilio called: the public base URL (behind a proxy) or this request's own, with path and query.</summary>
    public static string CalledUrl(HttpRequest request, string? publicBaseUrl) =>
        string.IsNullOrEmpty(publicBaseUrl)
            ? $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}{request.QueryString}"
            : publicBaseUrl.TrimEnd('/') + request.PathBase + request.Path + request.QueryString;
}
