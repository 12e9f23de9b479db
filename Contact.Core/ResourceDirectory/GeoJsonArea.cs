using System.Globalization;
using System.Text.Json;
using NpgsqlTypes;

namespace Contact.Core.ResourceDirectory;

/// <summary>
/// Reads an HSDS service area's GeoJSON extent (RFC 7946) into the rings PostgreSQL tests a point against: a
/// Polygon or MultiPolygon, bare, as a Feature's geometry, in a GeometryCollection or a FeatureCollection.
/// Every ring (outer rings and holes alike) is kept; a point is in the area when it is in an odd number of them.
/// </summary>
public static class GeoJsonArea
{
    /// <summary>The extent's rings as polygons of (longitude, latitude) points, or null with the reason it is not an area.</summary>
    public static (NpgsqlPolygon[]? Rings, string? Problem) Read(string extent)
    {
        ArgumentNullException.ThrowIfNull(extent);
        try
        {
            using var document = JsonDocument.Parse(extent);
            var rings = new List<NpgsqlPolygon>();
            var problem = Collect(document.RootElement, rings);
            return problem is null && rings.Count == 0 ? (null, "holds no polygon") : problem is null ? ([.. rings], null) : (null, problem);
        }
        catch (JsonException)
        {
            return (null, "is not JSON");
        }
    }

    private static string? Collect(JsonElement element, List<NpgsqlPolygon> rings)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
        {
            return "is not a GeoJSON object (no \"type\")";
        }
        var type = typeElement.GetString();
        switch (type)
        {
            case "Feature":
                return element.TryGetProperty("geometry", out var geometry) && geometry.ValueKind == JsonValueKind.Object
                    ? Collect(geometry, rings)
                    : "is a Feature without a geometry";
            case "FeatureCollection":
                return Each(element, "features", rings);
            case "GeometryCollection":
                return Each(element, "geometries", rings);
            case "Polygon":
                return element.TryGetProperty("coordinates", out var polygon) ? Polygon(polygon, rings) : "is a Polygon without coordinates";
            case "MultiPolygon":
                if (!element.TryGetProperty("coordinates", out var polygons) || polygons.ValueKind != JsonValueKind.Array)
                {
                    return "is a MultiPolygon without coordinates";
                }
                foreach (var each in polygons.EnumerateArray())
                {
                    if (Polygon(each, rings) is { } problem)
                    {
                        return problem;
                    }
                }
                return null;
            default:
                return $"is a GeoJSON {type}, not a Polygon or MultiPolygon";
        }
    }

    private static string? Each(JsonElement element, string member, List<NpgsqlPolygon> rings)
    {
        if (!element.TryGetProperty(member, out var items) || items.ValueKind != JsonValueKind.Array)
        {
            return $"has no \"{member}\" array";
        }
        foreach (var item in items.EnumerateArray())
        {
            if (Collect(item, rings) is { } problem)
            {
                return problem;
            }
        }
        return null;
    }

    private static string? Polygon(JsonElement coordinates, List<NpgsqlPolygon> rings)
    {
        if (coordinates.ValueKind != JsonValueKind.Array || coordinates.GetArrayLength() == 0)
        {
            return "has a polygon without rings";
        }
        foreach (var ring in coordinates.EnumerateArray())
        {
            if (ring.ValueKind != JsonValueKind.Array || ring.GetArrayLength() < 4)
            {
                return "has a ring of fewer than four positions";
            }
            var points = new List<NpgsqlPoint>();
            foreach (var position in ring.EnumerateArray())
            {
                if (position.ValueKind != JsonValueKind.Array || position.GetArrayLength() < 2
                    || position[0].ValueKind != JsonValueKind.Number || position[1].ValueKind != JsonValueKind.Number)
                {
                    return "has a position that is not [longitude, latitude]";
                }
                var lon = position[0].GetDouble();
                var lat = position[1].GetDouble();
                if (lon is < -180 or > 180 || lat is < -90 or > 90)
                {
                    return string.Create(CultureInfo.InvariantCulture, $"has a position [{lon}, {lat}] outside longitude -180..180, latitude -90..90");
                }
                points.Add(new NpgsqlPoint(lon, lat));
            }
            if (points[0] != points[^1])
            {
                return "has a ring whose last position is not its first";
            }
            // PostgreSQL closes a polygon itself; the repeated first point is dropped.
            points.RemoveAt(points.Count - 1);
            rings.Add(new NpgsqlPolygon(points));
        }
        return null;
    }
}
