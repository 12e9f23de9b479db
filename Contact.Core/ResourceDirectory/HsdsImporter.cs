using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Contact.Core.Infrastructure;
using CsvHelper;
using CsvHelper.Configuration;
using Npgsql;
using NpgsqlTypes;

namespace Contact.Core.ResourceDirectory;

/// <summary>What an import did: nothing, with every problem found (<see cref="Errors"/>), or the whole package.</summary>
/// <param name="Errors">Each bad row as <c>file:line: reason</c>; when any, nothing was imported.</param>
/// <param name="Warnings">What was accepted as given but deserves a look (unknown columns, optional references to absent rows).</param>
/// <param name="Counts">Rows imported per table.</param>
public sealed record HsdsImportResult(IReadOnlyList<string> Errors, IReadOnlyList<string> Warnings, IReadOnlyDictionary<string, int> Counts)
{
    /// <summary>Whether the package was imported.</summary>
    public bool Imported => Errors.Count == 0;
}

/// <summary>
/// Imports an Open Referral HSDS data package (datapackage.json and one CSV per table) into the directory:
/// every row is checked against the specification's types first, and only a clean package replaces the
/// directory, in one transaction.
/// </summary>
public sealed partial class HsdsImporter(NpgsqlDataSource dataSource)
{
    private const string DemoPrefix = "seed/demo-directory/";

    /// <summary>Imports the package in folder <paramref name="path"/>.</summary>
    public Task<HsdsImportResult> ImportAsync(string path, CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(path))
        {
            return Task.FromResult(new HsdsImportResult([$"{path}: no such folder"], [], new Dictionary<string, int>()));
        }
        return ImportAsync(name =>
        {
            var file = System.IO.Path.Combine(path, name);
            return File.Exists(file) ? File.OpenRead(file) : null;
        }, cancellationToken);
    }

    /// <summary>Imports the demo directory shipped inside Contact.Core.</summary>
    public Task<HsdsImportResult> ImportDemoAsync(CancellationToken cancellationToken = default) =>
        ImportAsync(OpenDemoFile, cancellationToken);

    /// <summary>A file of the demo directory package, or null.</summary>
    public static Stream? OpenDemoFile(string name) =>
        typeof(HsdsImporter).Assembly.GetManifestResourceStream(DemoPrefix + name);

    /// <summary>The names of the demo directory package's files.</summary>
    public static IReadOnlyList<string> DemoFiles() =>
        [.. typeof(HsdsImporter).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(DemoPrefix, StringComparison.Ordinal))
            .Select(n => n[DemoPrefix.Length..])
            .Order(StringComparer.Ordinal)];

    /// <summary>Imports a package whose files <paramref name="open"/> opens by name (null when absent).</summary>
    public async Task<HsdsImportResult> ImportAsync(Func<string, Stream?> open, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(open);
        var errors = new List<string>();
        var warnings = new List<string>();
        var paths = ReadDescriptor(open, errors, warnings);
        var tables = new Dictionary<string, List<ParsedRow>>(StringComparer.Ordinal);
        var present = new Dictionary<string, IReadOnlyList<HsdsField>>(StringComparer.Ordinal);
        foreach (var table in HsdsSchema.Tables)
        {
            var file = paths.GetValueOrDefault(table.Name, table.Path);
            await using var stream = open(file);
            if (stream is null)
            {
                if (paths.ContainsKey(table.Name))
                {
                    errors.Add($"datapackage.json: resource {table.Name}: its file {file} is missing");
                }
                tables[table.Name] = [];
                present[table.Name] = [];
                continue;
            }
            var (rows, columns) = ReadTable(table, file, stream, errors, warnings);
            tables[table.Name] = rows;
            present[table.Name] = columns;
        }
        CheckKeys(tables, present, errors, warnings);
        var extents = ReadExtents(tables["service_area"], present["service_area"], warnings);
        if (errors.Count > 0)
        {
            return new HsdsImportResult(errors, warnings, new Dictionary<string, int>());
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var truncate = new NpgsqlCommand(
            "truncate " + string.Join(", ", HsdsSchema.Tables.Select(t => "directory." + t.Table)), connection, transaction))
        {
            await truncate.ExecuteNonQueryAsync(cancellationToken);
        }
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        // Locations and services-at-location go first (the references are checked at commit), so that each service
        // knows whether it has a place as it is written, rather than every service being rewritten once its places come.
        foreach (var table in HsdsSchema.Tables.OrderBy(t => t.Name is "location" or "service_at_location" ? 0 : 1))
        {
            var rows = tables[table.Name];
            counts[table.Name] = rows.Count;
            if (rows.Count == 0)
            {
                continue;
            }
            var columns = present[table.Name];
            var copy = $"copy directory.{table.Table} ({string.Join(", ", columns.Select(c => Quote(c.Name)))}) from stdin (format binary)";
            await using var writer = await connection.BeginBinaryImportAsync(copy, cancellationToken);
            foreach (var row in rows)
            {
                await writer.StartRowAsync(cancellationToken);
                for (var i = 0; i < columns.Count; i++)
                {
                    var value = row.Values[i];
                    if (value is null)
                    {
                        await writer.WriteNullAsync(cancellationToken);
                    }
                    else if (DbType(table, columns[i]) == NpgsqlDbType.Double)
                    {
                        await writer.WriteAsync((double)(decimal)value, NpgsqlDbType.Double, cancellationToken);
                    }
                    else
                    {
                        await writer.WriteAsync(value, DbType(table, columns[i]), cancellationToken);
                    }
                }
            }
            await writer.CompleteAsync(cancellationToken);
        }
        if (extents.Count > 0)
        {
            await using var batch = new NpgsqlBatch(connection, transaction);
            foreach (var (id, rings) in extents)
            {
                var command = new NpgsqlBatchCommand("update directory.service_areas set extent_rings = $1 where id = $2");
                command.Parameters.Add(new NpgsqlParameter { Value = rings, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Polygon });
                command.Parameters.Add(new NpgsqlParameter { Value = id });
                batch.BatchCommands.Add(command);
            }
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return new HsdsImportResult([], warnings, counts);
    }

    // Column names such as "count" and "interval" are keywords in places; quoting them is always right.
    internal static string Quote(string column) => "\"" + column + "\"";

    internal static NpgsqlDbType DbType(HsdsTable table, HsdsField field) => field.Type switch
    {
        FieldType.Number when table.Name == "location" && field.Name is "latitude" or "longitude" => NpgsqlDbType.Double,
        FieldType.Number => NpgsqlDbType.Numeric,
        FieldType.Date => NpgsqlDbType.Date,
        FieldType.DateTime => NpgsqlDbType.TimestampTz,
        FieldType.Time => NpgsqlDbType.Time,
        _ => NpgsqlDbType.Text,
    };

    /// <summary>The files a datapackage.json names for each resource; none when it has no resource list.</summary>
    private static Dictionary<string, string> ReadDescriptor(Func<string, Stream?> open, List<string> errors, List<string> warnings)
    {
        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        using var stream = open("datapackage.json");
        if (stream is null)
        {
            errors.Add("datapackage.json: missing");
            return paths;
        }
        string text;
        using (var reader = new StreamReader(stream))
        {
            text = reader.ReadToEnd();
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            // The specification's example package ships its descriptor as a symbolic link to the schema's
            // ("../../datapackage.json"), which a plain copy turns into a file holding that path.
            if (LinkedDescriptor().IsMatch(text.Trim()))
            {
                warnings.Add($"datapackage.json: refers to {text.Trim()}; the tables are read from their standard HSDS file names");
                return paths;
            }
            errors.Add($"datapackage.json:{e.LineNumber + 1}: not JSON: {e.Message}");
            return paths;
        }
        using (document)
        {
            // The specification's example package holds only a string pointing at the schema's
            // descriptor; its tables then have their standard file names.
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("resources", out var resources) || resources.ValueKind != JsonValueKind.Array)
            {
                return paths;
            }
            foreach (var resource in resources.EnumerateArray())
            {
                var name = resource.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : null;
                var path = resource.TryGetProperty("path", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString()! : null;
                if (name is null || path is null || HsdsSchema.Tables.All(t => t.Name != name))
                {
                    continue;
                }
                if (path.Contains('/', StringComparison.Ordinal) || path.Contains('\\', StringComparison.Ordinal) || path.StartsWith('.'))
                {
                    errors.Add($"datapackage.json: resource {name}: path {path} is not a file beside datapackage.json");
                    continue;
                }
                paths[name] = path;
            }
        }
        return paths;
    }

    private sealed record ParsedRow(string File, int Line, object?[] Values, string?[] Texts);

    private static (List<ParsedRow> Rows, IReadOnlyList<HsdsField> Columns) ReadTable(
        HsdsTable table, string file, Stream stream, List<string> errors, List<string> warnings)
    {
        var rows = new List<ParsedRow>();
        using var reader = new StreamReader(stream, detectEncodingFromByteOrderMarks: true);
        var configuration = new CsvConfiguration(CultureInfo.InvariantCulture) { IgnoreBlankLines = true, DetectColumnCountChanges = false };
        using var parser = new CsvParser(reader, configuration);
        try
        {
            if (!parser.Read())
            {
                errors.Add($"{file}:1: no header row");
                return (rows, []);
            }
            var header = parser.Record ?? [];
            var fieldAt = new int[header.Length];
            var columns = new List<HsdsField>();
            for (var i = 0; i < header.Length; i++)
            {
                var name = header[i].Trim().TrimStart('\uFEFF');
                var field = table.Fields.FirstOrDefault(f => f.Name == name);
                fieldAt[i] = -1;
                if (field is null)
                {
                    warnings.Add($"{file}:1: column {name} is not part of HSDS {table.Name}; ignored");
                }
                else if (columns.Contains(field))
                {
                    errors.Add($"{file}:1: column {name} appears twice");
                }
                else
                {
                    fieldAt[i] = columns.Count;
                    columns.Add(field);
                }
            }
            foreach (var missing in table.Fields.Where(f => f.Required && !columns.Contains(f)))
            {
                errors.Add($"{file}:1: required column {missing.Name} is missing");
            }
            while (parser.Read())
            {
                // RawRow is the record's last line; a quoted field may have carried it over several.
                var raw = parser.RawRecord ?? "";
                var line = parser.RawRow - raw.TrimEnd('\r', '\n').Count(c => c == '\n');
                var record = parser.Record ?? [];
                if (record.Length != header.Length)
                {
                    errors.Add($"{file}:{line}: {record.Length} values for {header.Length} columns");
                    continue;
                }
                var values = new object?[columns.Count];
                var texts = new string?[columns.Count];
                var bad = false;
                for (var i = 0; i < record.Length; i++)
                {
                    if (fieldAt[i] < 0)
                    {
                        continue;
                    }
                    var field = columns[fieldAt[i]];
                    var text = CsvCells.Unescape(record[i]);
                    if (string.IsNullOrWhiteSpace(text))
                    {
                        if (field.Required)
                        {
                            errors.Add($"{file}:{line}: {field.Name} is required");
                            bad = true;
                        }
                        continue;
                    }
                    if (Parse(field, text) is { } reason)
                    {
                        errors.Add($"{file}:{line}: {field.Name} {reason}");
                        bad = true;
                        continue;
                    }
                    texts[fieldAt[i]] = field.Type == FieldType.Text ? text : text.Trim();
                    values[fieldAt[i]] = Value(field, texts[fieldAt[i]]!);
                }
                if (!bad)
                {
                    rows.Add(new ParsedRow(file, line, values, texts));
                }
                else
                {
                    // Keep its id so other tables' references to it are not reported as well.
                    rows.Add(new ParsedRow(file, line, new object?[columns.Count], texts));
                }
            }
            return (rows, columns);
        }
        catch (BadDataException e)
        {
            errors.Add($"{file}:{e.Context?.Parser?.RawRow ?? 0}: malformed CSV ({e.Message.Split('\n')[0]})");
            return (rows, []);
        }
    }

    /// <summary>Why a value does not fit its field, or null when it does.</summary>
    private static string? Parse(HsdsField field, string text)
    {
        var value = text.Trim();
        switch (field.Type)
        {
            case FieldType.Uuid when !Guid.TryParseExact(value, "D", out _):
                return $"\"{Shorten(value)}\" is not a UUID";
            case FieldType.Number when !decimal.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _):
                return $"\"{Shorten(value)}\" is not a number";
            case FieldType.Date when !DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _):
                return $"\"{Shorten(value)}\" is not a date (YYYY-MM-DD)";
            case FieldType.DateTime when !IsoDateTime().IsMatch(value)
                                         || !DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _):
                return $"\"{Shorten(value)}\" is not a date and time (ISO 8601)";
            case FieldType.Time when !TimeOnly.TryParseExact(value, ["HH:mm", "HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out _):
                return $"\"{Shorten(value)}\" is not a time (HH:MM or HH:MM:SS)";
        }
        if (field.Enum is { } allowed && !allowed.Contains(value, StringComparer.Ordinal))
        {
            return $"\"{Shorten(value)}\" is not one of {string.Join(", ", allowed)}";
        }
        return null;
    }

    [GeneratedRegex(@"^[A-Za-z0-9_./-]+\.json$")]
    private static partial Regex LinkedDescriptor();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")]
    private static partial Regex IsoDateTime();

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";

    private static object Value(HsdsField field, string text) => field.Type switch
    {
        FieldType.Number => decimal.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
        FieldType.Date => DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture),
        FieldType.DateTime => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).UtcDateTime,
        FieldType.Time => TimeOnly.ParseExact(text, ["HH:mm", "HH:mm:ss"], CultureInfo.InvariantCulture).ToTimeSpan(),
        _ => text,
    };

    /// <summary>
    /// The rings of every service area whose extent is GeoJSON (by id). An extent that is not a GeoJSON Polygon or
    /// MultiPolygon, or one of another type (KML, TopoJSON, text), is kept as given and warned about: the area is then
    /// searched like one with a name alone, which covers everywhere.
    /// </summary>
    private static Dictionary<string, NpgsqlPolygon[]> ReadExtents(List<ParsedRow> rows, IReadOnlyList<HsdsField> columns, List<string> warnings)
    {
        var extents = new Dictionary<string, NpgsqlPolygon[]>(StringComparer.Ordinal);
        var id = columns.ToList().FindIndex(f => f.Name == "id");
        var extent = columns.ToList().FindIndex(f => f.Name == "extent");
        var type = columns.ToList().FindIndex(f => f.Name == "extent_type");
        if (id < 0 || extent < 0)
        {
            return extents;
        }
        foreach (var row in rows)
        {
            if (row.Texts[id] is not { } areaId || row.Texts[extent] is not { } text || string.IsNullOrWhiteSpace(text))
            {
                continue;
            }
            var kind = type >= 0 ? row.Texts[type]?.Trim() : null;
            if (!string.Equals(kind, "geojson", StringComparison.OrdinalIgnoreCase))
            {
                warnings.Add($"{row.File}:{row.Line}: extent of type {kind ?? "(none)"} is kept but not read (only geojson is); the area covers everywhere in searches");
                continue;
            }
            var (rings, problem) = GeoJsonArea.Read(text);
            if (rings is null)
            {
                warnings.Add($"{row.File}:{row.Line}: extent {problem}; kept as given, and the area covers everywhere in searches");
                continue;
            }
            extents[areaId] = rings;
        }
        return extents;
    }

    /// <summary>Ids unique per table, unique fields unique, required references resolved; optional ones may point outside.</summary>
    private static void CheckKeys(
        Dictionary<string, List<ParsedRow>> tables, Dictionary<string, IReadOnlyList<HsdsField>> present, List<string> errors, List<string> warnings)
    {
        var ids = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var table in HsdsSchema.Tables)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            ids[table.Name] = seen;
            var at = present[table.Name].ToList().FindIndex(f => f.Name == "id");
            foreach (var row in tables[table.Name])
            {
                if (at >= 0 && row.Texts[at] is { } id && !seen.Add(id))
                {
                    errors.Add($"{row.File}:{row.Line}: id {id} appears twice in {table.Name}");
                }
            }
        }
        foreach (var table in HsdsSchema.Tables)
        {
            var rows = tables[table.Name];
            if (rows.Count == 0)
            {
                continue;
            }
            var columns = present[table.Name];
            for (var c = 0; c < columns.Count; c++)
            {
                var field = columns[c];
                if (field.Unique)
                {
                    var seen = new HashSet<string>(StringComparer.Ordinal);
                    foreach (var row in rows.Where(r => r.Texts[c] is not null && !seen.Add(r.Texts[c]!)))
                    {
                        errors.Add($"{row.File}:{row.Line}: {field.Name} {row.Texts[c]} appears twice in {table.Name}");
                    }
                }
                if (field.References is not { } target)
                {
                    continue;
                }
                foreach (var row in rows.Where(r => r.Texts[c] is { } v && !ids[target].Contains(v)))
                {
                    if (field.Required)
                    {
                        errors.Add($"{row.File}:{row.Line}: {field.Name} {row.Texts[c]} is not the id of any {target}");
                    }
                    else
                    {
                        warnings.Add($"{row.File}:{row.Line}: {field.Name} {row.Texts[c]} is not the id of any {target} in the package; kept as given");
                    }
                }
            }
        }
    }
}
