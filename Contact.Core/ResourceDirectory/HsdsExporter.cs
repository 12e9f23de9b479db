using System.Globalization;
using System.Text;
using System.Text.Json;
using Contact.Core.Infrastructure;
using CsvHelper;
using Npgsql;

namespace Contact.Core.ResourceDirectory;

/// <summary>
/// Writes the directory as an HSDS data package: one CSV per table in the specification's column order
/// (plus Contact's French columns where any row has one) and a datapackage.json describing them.
/// </summary>
public sealed class HsdsExporter(NpgsqlDataSource dataSource)
{
    /// <summary>Writes the package into folder <paramref name="path"/> (created if needed); returns rows per table.</summary>
    public async Task<IReadOnlyDictionary<string, int>> ExportAsync(string path, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(path);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var resources = new List<object>();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // One snapshot for every table, so the files agree with each other.
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        foreach (var table in HsdsSchema.Tables)
        {
            var columns = new List<HsdsField>();
            foreach (var field in table.Fields)
            {
                if (field.Extension)
                {
                    await using var any = new NpgsqlCommand(
                        $"select exists (select 1 from directory.{table.Table} where {HsdsImporter.Quote(field.Name)} is not null)", connection, transaction);
                    if (!(bool)(await any.ExecuteScalarAsync(cancellationToken))!)
                    {
                        continue;
                    }
                }
                columns.Add(field);
            }
            var rows = 0;
            await using (var file = new StreamWriter(System.IO.Path.Combine(path, table.Path), false, new UTF8Encoding(false)))
            await using (var csv = new CsvWriter(file, CultureInfo.InvariantCulture))
            {
                foreach (var column in columns)
                {
                    csv.WriteField(column.Name);
                }
                await csv.NextRecordAsync();
                await using var select = new NpgsqlCommand(
                    $"select {string.Join(", ", columns.Select(c => HsdsImporter.Quote(c.Name)))} from directory.{table.Table} order by id", connection, transaction);
                await using var reader = await select.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    for (var i = 0; i < columns.Count; i++)
                    {
                        csv.WriteField(reader.IsDBNull(i) ? "" : Format(columns[i], reader, i));
                    }
                    await csv.NextRecordAsync();
                    rows++;
                }
            }
            counts[table.Name] = rows;
            resources.Add(Describe(table, columns));
        }
        await transaction.CommitAsync(cancellationToken);

        var descriptor = new Dictionary<string, object>
        {
            ["name"] = "contact-directory",
            ["title"] = "Contact resource directory",
            ["profile"] = "tabular-data-package",
            ["version"] = "3.0",
            ["resources"] = resources,
        };
        await File.WriteAllTextAsync(System.IO.Path.Combine(path, "datapackage.json"),
            JsonSerializer.Serialize(descriptor, new JsonSerializerOptions { WriteIndented = true }), cancellationToken);
        return counts;
    }

    private static string Format(HsdsField field, NpgsqlDataReader reader, int i) => field.Type switch
    {
        FieldType.Number => reader.GetFieldType(i) == typeof(double)
            ? reader.GetDouble(i).ToString("R", CultureInfo.InvariantCulture)
            : reader.GetDecimal(i).ToString(CultureInfo.InvariantCulture),
        FieldType.Date => reader.GetFieldValue<DateOnly>(i).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        FieldType.DateTime => reader.GetFieldValue<DateTime>(i).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture),
        FieldType.Time => reader.GetFieldValue<TimeSpan>(i).ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture),
        // Only text can carry a formula: numbers, dates and times are written as they are.
        _ => CsvCells.Escape(reader.GetString(i)),
    };

    private static Dictionary<string, object> Describe(HsdsTable table, IReadOnlyList<HsdsField> columns)
    {
        var fields = columns.Select(c =>
        {
            var field = new Dictionary<string, object>
            {
                ["name"] = c.Name,
                ["type"] = c.Type switch
                {
                    FieldType.Number => "number",
                    FieldType.Date => "date",
                    FieldType.DateTime => "datetime",
                    FieldType.Time => "time",
                    _ => "string",
                },
            };
            if (c.Type == FieldType.Uuid)
            {
                field["format"] = "uuid";
            }
            var constraints = new Dictionary<string, object> { ["required"] = c.Required, ["unique"] = c.Unique || c.Name == "id" };
            if (c.Enum is { } allowed)
            {
                constraints["enum"] = allowed;
            }
            field["constraints"] = constraints;
            if (c.Extension)
            {
                field["description"] = "Contact extension: the French text of the column it is named after.";
            }
            return field;
        }).ToList();
        var schema = new Dictionary<string, object> { ["fields"] = fields, ["primaryKey"] = "id" };
        var keys = columns.Where(c => c.References is not null)
            .Select(c => new Dictionary<string, object>
            {
                ["fields"] = c.Name,
                ["reference"] = new Dictionary<string, object> { ["resource"] = c.References!, ["fields"] = "id" },
            }).ToList();
        if (keys.Count > 0)
        {
            schema["foreignKeys"] = keys;
        }
        return new Dictionary<string, object>
        {
            ["name"] = table.Name,
            ["path"] = table.Path,
            ["format"] = "csv",
            ["mediatype"] = "text/csv",
            ["profile"] = "tabular-data-resource",
            ["schema"] = schema,
        };
    }
}
