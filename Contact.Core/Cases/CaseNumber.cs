namespace Contact.Core.Cases;

/// <summary>
/// Public case numbers: 7 to 10 digits whose last digit is a Damm check digit. The database makes
/// them (<c>next_case_number()</c>: since migration 0019 ten digits, the next index through a keyed
/// permutation, so one number tells nothing of the next); this checks what a resident types or keys
/// before any lookup.
/// </summary>
public static class CaseNumber
{
    /// <summary>The fewest digits a case number has.</summary>
    public const int MinLength = 7;

    /// <summary>The most digits a case number has.</summary>
    public const int MaxLength = 10;

    private static readonly byte[] Table =
    [
        0, 3, 1, 7, 5, 9, 8, 6, 4, 2,
        7, 0, 9, 2, 1, 5, 4, 8, 6, 3,
        4, 2, 0, 6, 8, 7, 1, 3, 5, 9,
        1, 7, 5, 0, 9, 8, 3, 4, 2, 6,
        6, 1, 2, 3, 0, 4, 5, 9, 7, 8,
        3, 6, 7, 4, 2, 0, 9, 5, 8, 1,
        5, 8, 6, 9, 7, 2, 0, 1, 3, 4,
        8, 9, 4, 5, 3, 6, 2, 0, 1, 7,
        9, 4, 3, 8, 6, 1, 7, 2, 0, 5,
        2, 5, 8, 1, 4, 3, 6, 7, 9, 0,
    ];

    /// <summary>The Damm check digit of a string of digits.</summary>
    public static int CheckDigit(ReadOnlySpan<char> digits)
    {
        var interim = 0;
        foreach (var c in digits)
        {
            if (c is < '0' or > '9')
            {
                throw new ArgumentException("Only digits have a check digit.", nameof(digits));
            }
            interim = Table[(interim * 10) + (c - '0')];
        }
        return interim;
    }

    /// <summary>Appends the check digit.</summary>
    public static string WithCheckDigit(string digits) => digits + (char)('0' + CheckDigit(digits));

    /// <summary>
    /// Reads what someone typed: spaces, dashes and dots between digits are ignored.
    /// Returns the bare number when it is well formed and its check digit is right, else null.
    /// </summary>
    public static string? Normalise(string? input)
    {
        if (string.IsNullOrWhiteSpace(input) || input.Length > 32)
        {
            return null;
        }
        Span<char> digits = stackalloc char[32];
        var n = 0;
        foreach (var c in input.Trim())
        {
            if (c is >= '0' and <= '9')
            {
                digits[n++] = c;
            }
            else if (c is not (' ' or '-' or '.'))
            {
                return null;
            }
        }
        var number = digits[..n];
        if (n is < MinLength or > MaxLength || number[0] == '0' || CheckDigit(number) != 0)
        {
            return null;
        }
        return new string(number);
    }
}
