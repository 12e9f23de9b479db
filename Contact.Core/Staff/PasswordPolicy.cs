using System.Reflection;

namespace Contact.Core.Staff;

/// <summary>
/// What a staff password must be (OWASP ASVS 2.1): at least <see cref="MinLength"/> characters, any characters
/// allowed, not one of the common passwords in <c>common-passwords.txt</c> (shipped with Contact, compared without
/// regard to case), and not the user name itself.
/// </summary>
public static class PasswordPolicy
{
    /// <summary>The fewest characters a password may have.</summary>
    public const int MinLength = 12;

    /// <summary>The most characters a password may have (the sign-in form takes no more).</summary>
    public const int MaxLength = 256;

    private static readonly Lazy<HashSet<string>> Common = new(() =>
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Contact.Core.Staff.common-passwords.txt")
            ?? throw new InvalidOperationException("The list of common passwords is missing from the build.");
        using var reader = new StreamReader(stream);
        var set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0 && line[0] != '#')
            {
                set.Add(line.Trim());
            }
        }
        return set;
    });

    /// <summary>The number of common passwords refused.</summary>
    public static int CommonCount => Common.Value.Count;

    /// <summary>Why <paramref name="password"/> is refused for <paramref name="userName"/>, or null when it is allowed.</summary>
    public static string? Problem(string password, string userName)
    {
        if (password.Length < MinLength)
        {
            return $"A password needs at least {MinLength} characters (a few words make a good one).";
        }
        if (password.Length > MaxLength)
        {
            return $"A password can have at most {MaxLength} characters.";
        }
        if (Common.Value.Contains(password.Trim()))
        {
            return "That password is on the list of common passwords; choose another.";
        }
        if (password.Contains(userName.Trim(), StringComparison.OrdinalIgnoreCase) && userName.Trim().Length >= 3)
        {
            return "A password may not contain the user name.";
        }
        return null;
    }
}
