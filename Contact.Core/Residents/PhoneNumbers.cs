using PhoneNumbers;

namespace Contact.Core.Residents;

/// <summary>Phone numbers as residents type them, normalised to E.164 with libphonenumber.</summary>
public static class PhoneNumberNormaliser
{
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    /// <summary>
    /// The E.164 form of <paramref name="input"/>, read as a number of <paramref name="defaultRegion"/>
    /// unless it starts with +; null when it is not a valid number.
    /// </summary>
    public static string? ToE164(string? input, string defaultRegion = "CA")
    {
        if (string.IsNullOrWhiteSpace(input) || input.Length > 40)
        {
            return null;
        }
        try
        {
            var parsed = Util.Parse(input, defaultRegion);
            return Util.IsValidNumber(parsed) ? Util.Format(parsed, PhoneNumberFormat.E164) : null;
        }
        catch (NumberParseException)
        {
            return null;
        }
    }

    /// <summary>True when the number can receive texts (mobile, or a line type that can't be told apart from one).</summary>
    public static bool CanReceiveTexts(string e164)
    {
        var type = Util.GetNumberType(Util.Parse(e164, null));
        return type is PhoneNumberType.MOBILE or PhoneNumberType.FIXED_LINE_OR_MOBILE;
    }
}
