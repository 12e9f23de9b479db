using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using System.Xml;

namespace Contact.Api.Open311;

/// <summary>An object of an Open311 answer: named fields in order (an XML element's children, a JSON object's members).</summary>
internal sealed class O311Object : List<KeyValuePair<string, object?>>
{
    /// <summary>Adds a field; a value is null, a string, a bool, a number, a DateTimeOffset, an <see cref="O311Object"/> or an <see cref="O311Array"/>.</summary>
    public O311Object With(string name, object? value)
    {
        Add(new(name, value));
        return this;
    }
}

/// <summary>A list: in XML each item is an element named <see cref="ItemName"/>; in JSON it is an array.</summary>
internal sealed record O311Array(string ItemName, IReadOnlyList<object?> Items);

/// <summary>
/// An Open311 answer in the format the path asked for. XML: a declared UTF-8 document whose root is
/// <c>rootName</c>; JSON: the root's content (an array for lists, an object otherwise), as the specification shows.
/// Dates are W3C date-times with the offset of the city's time zone.
/// </summary>
internal sealed class Open311Result(string format, int statusCode, string rootName, object body, TimeZoneInfo zone) : IResult
{
    public const string Xml = "xml";
    public const string Json = "json";

    public int StatusCode => statusCode;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var bytes = format == Json ? ToJson() : ToXml();
        var response = httpContext.Response;
        response.StatusCode = statusCode;
        response.ContentType = format == Json ? "application/json; charset=utf-8" : "text/xml; charset=utf-8";
        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes, httpContext.RequestAborted);
    }

    public byte[] ToXml()
    {
        using var stream = new MemoryStream();
        using (var writer = XmlWriter.Create(stream, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = false, Async = false }))
        {
            writer.WriteStartDocument();
            WriteXml(writer, rootName, body);
            writer.WriteEndDocument();
        }
        return stream.ToArray();
    }

    private static readonly JavaScriptEncoder Readable = JavaScriptEncoder.Create(UnicodeRanges.All);

    public byte[] ToJson()
    {
        using var stream = new MemoryStream();
        // French reads as French ("Trottoir endommagé", not "endommag\u00E9"); HTML-sensitive characters stay escaped.
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = Readable }))
        {
            WriteJson(writer, body);
        }
        return stream.ToArray();
    }

    private void WriteXml(XmlWriter writer, string name, object? value)
    {
        writer.WriteStartElement(name);
        switch (value)
        {
            case O311Object o:
                foreach (var (field, v) in o)
                {
                    WriteXml(writer, field, v);
                }
                break;
            case O311Array a:
                foreach (var item in a.Items)
                {
                    WriteXml(writer, a.ItemName, item);
                }
                break;
            case null:
                break;
            default:
                writer.WriteString(Scalar(value));
                break;
        }
        writer.WriteEndElement();
    }

    private void WriteJson(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case O311Object o:
                writer.WriteStartObject();
                foreach (var (field, v) in o)
                {
                    writer.WritePropertyName(field);
                    WriteJson(writer, v);
                }
                writer.WriteEndObject();
                break;
            case O311Array a:
                writer.WriteStartArray();
                foreach (var item in a.Items)
                {
                    WriteJson(writer, item);
                }
                writer.WriteEndArray();
                break;
            case null:
                writer.WriteNullValue();
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case int i:
                writer.WriteNumberValue(i);
                break;
            case long l:
                writer.WriteNumberValue(l);
                break;
            case double d:
                writer.WriteNumberValue(d);
                break;
            default:
                writer.WriteStringValue(Scalar(value));
                break;
        }
    }

    private string Scalar(object value) => value switch
    {
        string s => s,
        bool b => b ? "true" : "false",
        DateTimeOffset t => FormatDate(t, zone),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>A W3C date-time with the offset of <paramref name="zone"/>, e.g. 2026-11-25T09:08:20-05:00.</summary>
    public static string FormatDate(DateTimeOffset at, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(at, zone).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
}
