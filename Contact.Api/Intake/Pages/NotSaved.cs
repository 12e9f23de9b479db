using System.Globalization;
using Contact.Core.Infrastructure;
using Contact.Ivr.Twilio;

namespace Contact.Api.Intake.Pages;

/// <summary>A form sent while the case store was down: nothing was saved, the page is shown again as it was.</summary>
internal static class NotSaved
{
    /// <summary>Answers 503 with Retry-After; the words to show, with the line's phone number when there is one.</summary>
    public static string Answer(HttpResponse response, IntakeLocalizer text, TwilioOptions twilio, string line)
    {
        response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        response.Headers.RetryAfter = DatabaseUnavailable.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return twilio.NumberOf(line) is { } number ? text["outage.not_saved_number", number] : text["outage.not_saved"];
    }
}
