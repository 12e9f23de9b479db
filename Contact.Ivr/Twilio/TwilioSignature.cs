using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Twilio.Security;

namespace Contact.Ivr.Twilio;

/// <summary>
/// Refuses (403, nothing recorded) any webhook whose X-Twilio-Signature does not match the URL Twilio called
/// and every posted field, checked with the Twilio library's RequestValidator. The body is capped at
/// <see cref="MaxBodyBytes"/> before anything reads it (413).
/// </summary>
public sealed class TwilioSignatureFilter(IOptions<TwilioOptions> options, ILogger<TwilioSignatureFilter> logger) : IEndpointFilter
{
    /// <summary>Twilio's largest webhook (a 1,600-character text and its fields) is a few kilobytes.</summary>
    public const int MaxBodyBytes = 16 * 1024;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var request = http.Request;
        if (!await BodyFitsAsync(request, http.RequestAborted))
        {
            logger.LogWarning("Refused a webhook to {Path} with a body over {Max} bytes", request.Path, MaxBodyBytes);
            return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
        }
        var token = options.Value.AuthToken;
        if (string.IsNullOrEmpty(token))
        {
            // Only Development starts without a token (the host refuses elsewhere, and says so loudly here),
            // and then only this machine may post unsigned webhooks.
            var remote = http.Connection.RemoteIpAddress;
            if (remote is null || !IPAddress.IsLoopback(remote))
            {
                logger.LogWarning("Refused an unsigned webhook to {Path} from {Remote}: without Twilio:AuthToken only loopback may post", request.Path, remote);
                return Results.StatusCode(StatusCodes.Status403Forbidden);
            }
            return await next(context);
        }
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

    /// <summary>
    /// Reads the body into a buffer, at most <see cref="MaxBodyBytes"/>: false when it is longer (or says it is), so
    /// an oversized body is never parsed. The form reader then reads the buffer.
    /// </summary>
    private static async Task<bool> BodyFitsAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return false;
        }
        request.EnableBuffering(MaxBodyBytes);
        var buffer = new byte[4096];
        long total = 0;
        int read;
        while ((read = await request.Body.ReadAsync(buffer, ct)) > 0)
        {
            total += read;
            if (total > MaxBodyBytes)
            {
                return false;
            }
        }
        request.Body.Position = 0;
        return true;
    }

    /// <summary>The URL Twilio called: the public base URL (behind a proxy) or this request's own, with path and query.</summary>
    public static string CalledUrl(HttpRequest request, string? publicBaseUrl) =>
        string.IsNullOrEmpty(publicBaseUrl)
            ? $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}{request.QueryString}"
            : publicBaseUrl.TrimEnd('/') + request.PathBase + request.Path + request.QueryString;
}
