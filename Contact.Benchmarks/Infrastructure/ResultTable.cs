using System.Globalization;
using System.Text;

namespace Contact.Benchmarks.Infrastructure;

/// <summary>A small aligned table of results: a label column, then right-aligned value columns.</summary>
public sealed class ResultTable(params string[] columns)
{
    private const int MinLabelWidth = 30;
    private const int MinColumnWidth = 10;
    private readonly List<(string Label, string[] Cells)> _rows = [];

    /// <summary>A row of already formatted cells (fewer cells than columns leave the rest blank).</summary>
    public ResultTable Row(string label, params string[] cells)
    {
        _rows.Add((label, cells));
        return this;
    }

    /// <summary>A rate row: operations per second, p50 and p99 latency in milliseconds.</summary>
    public ResultTable Rate(string label, LoadResult result) =>
        Row(label, Number(result.Rate, 1), Number(result.Latency.P50Ms, 1), Number(result.Latency.P99Ms, 1));

    /// <summary>A row with one number in the first column.</summary>
    public ResultTable Value(string label, double value, int decimals) => Row(label, Number(value, decimals));

    /// <summary>A row with one whole number in the first column.</summary>
    public ResultTable Count(string label, long value) => Row(label, value.ToString(CultureInfo.InvariantCulture));

    /// <summary><paramref name="value"/> with <paramref name="decimals"/> decimals, invariant; "n/a" for NaN or infinity.</summary>
    public static string Number(double value, int decimals) =>
        double.IsFinite(value) ? value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : "n/a";

    /// <summary>The table as text, under <paramref name="title"/>.</summary>
    public string Render(string title)
    {
        var labelWidth = Math.Max(MinLabelWidth, _rows.Count == 0 ? 0 : _rows.Max(r => r.Label.Length) + 2);
        var widths = columns.Select((c, i) => Math.Max(MinColumnWidth,
            1 + Math.Max(c.Length, _rows.Select(r => i < r.Cells.Length ? r.Cells[i].Length : 0).DefaultIfEmpty(0).Max()))).ToArray();
        var text = new StringBuilder();
        text.AppendLine(title);
        text.Append(new string(' ', labelWidth));
        for (var i = 0; i < columns.Length; i++)
        {
            text.Append(columns[i].PadLeft(widths[i]));
        }
        text.AppendLine();
        foreach (var (label, cells) in _rows)
        {
            var line = new StringBuilder(label.PadRight(labelWidth));
            for (var i = 0; i < Math.Min(cells.Length, columns.Length); i++)
            {
                line.Append(cells[i].PadLeft(widths[i]));
            }
            text.AppendLine(line.ToString().TrimEnd());
        }
        return text.ToString();
    }
}
