namespace Contact.Core.Infrastructure;

/// <summary>
/// Text cells of a CSV export made safe for spreadsheets (OWASP's CSV injection advice): a cell that starts with
/// <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, a tab or a carriage return is prefixed with an apostrophe, so a spreadsheet
/// shows it as text instead of running it as a formula. Contact's own importers take the apostrophe off again.
/// </summary>
public static class CsvCells
{
    private const string Triggers = "=+-@\t\r";

    /// <summary>The cell as written to a CSV file.</summary>
    public static string Escape(string text) => text.Length > 0 && Triggers.Contains(text[0], StringComparison.Ordinal) ? "'" + text : text;

    /// <summary>The text of a cell <see cref="Escape"/> wrote.</summary>
    public static string Unescape(string cell) =>
        cell.Length > 1 && cell[0] == '\'' && Triggers.Contains(cell[1], StringComparison.Ordinal) ? cell[1..] : cell;
}
