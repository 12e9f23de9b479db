namespace Contact.Core.ResourceDirectory;

/// <summary>How an HSDS field's text is checked and stored.</summary>
public enum FieldType
{
    /// <summary>Any text.</summary>
    Text,
    /// <summary>A UUID string.</summary>
    Uuid,
    /// <summary>A decimal number.</summary>
    Number,
    /// <summary>An ISO 8601 date (YYYY-MM-DD).</summary>
    Date,
    /// <summary>An ISO 8601 date and time.</summary>
    DateTime,
    /// <summary>A time of day (HH:MM or HH:MM:SS).</summary>
    Time,
}

/// <summary>One column of an HSDS table.</summary>
/// <param name="Name">The HSDS (and database) column name.</param>
/// <param name="Type">How its text is checked.</param>
/// <param name="Required">Whether every row must have a value.</param>
/// <param name="Enum">The values allowed, when the specification lists them.</param>
/// <param name="References">The HSDS table (resource name) whose id it holds, when it is a declared foreign key.</param>
/// <param name="Unique">Whether two rows may not share a value (besides the id).</param>
/// <param name="Extension">A Contact column that HSDS does not have (the French texts).</param>
public sealed record HsdsField(
    string Name, FieldType Type, bool Required = false, IReadOnlyList<string>? Enum = null,
    string? References = null, bool Unique = false, bool Extension = false);

/// <summary>One HSDS table: its resource name, its CSV file, its table in schema <c>directory</c>, its columns in HSDS order.</summary>
/// <param name="Name">The HSDS resource name, e.g. service.</param>
/// <param name="Path">The CSV file in a data package, e.g. services.csv.</param>
/// <param name="Table">The table in schema <c>directory</c>.</param>
/// <param name="Fields">Its columns in HSDS order, then Contact's extension columns.</param>
public sealed record HsdsTable(string Name, string Path, string Table, IReadOnlyList<HsdsField> Fields);

/// <summary>The HSDS 3.0 tables the directory holds, as the specification's schema declares them.</summary>
public static class HsdsSchema
{
    /// <summary>Every table, in the specification's order.</summary>
    public static IReadOnlyList<HsdsTable> Tables { get; } =
    [
        new("organization", "organizations.csv", "organizations",
        [
            new("id", FieldType.Uuid, Required: true),
            new("name", FieldType.Text, Required: true),
            new("alternate_name", FieldType.Text),
            new("description", FieldType.Text, Required: true),
            new("email", FieldType.Text),
            new("website", FieldType.Text),
            new("tax_status", FieldType.Text),
            new("tax_id", FieldType.Text),
            new("year_incorporated", FieldType.Number),
            new("legal_status", FieldType.Text),
            new("logo", FieldType.Text),
            new("uri", FieldType.Text),
            new("parent_organization_id", FieldType.Uuid),
            new("name_fr", FieldType.Text, Extension: true),
            new("description_fr", FieldType.Text, Extension: true),
        ]),
        new("program", "programs.csv", "programs",
        [
            new("id", FieldType.Uuid, Required: true),
            new("organization_id", FieldType.Uuid, Required: true, References: "organization"),
            new("name", FieldType.Text, Required: true),
            new("alternate_name", FieldType.Text),
            new("description", FieldType.Text, Required: true),
        ]),
        new("service", "services.csv", "services",
        [
            new("id", FieldType.Uuid, Required: true),
            new("organization_id", FieldType.Uuid, Required: true, References: "organization"),
            new("program_id", FieldType.Uuid, References: "program"),
            new("name", FieldType.Text, Required: true),
            new("alternate_name", FieldType.Text),
            new("description", FieldType.Text),
            new("url", FieldType.Text),
            new("email", FieldType.Text),
            new("status", FieldType.Text, Required: true, Enum: ["active", "inactive", "defunct", "temporarily closed"]),
            new("interpretation_services", FieldType.Text),
            new("application_process", FieldType.Text),
            new("fees_description", FieldType.Text),
            new("wait_time", FieldType.Text),
            new("fees", FieldType.Text),
            new("accreditations", FieldType.Text),
            new("eligibility_description", FieldType.Text),
            new("minimum_age", FieldType.Number),
            new("maximum_age", FieldType.Number),
            new("assured_date", FieldType.Date),
            new("assurer_email", FieldType.Text),
            new("licenses", FieldType.Text),
            new("alert", FieldType.Text),
            new("last_modified", FieldType.DateTime),
            new("name_fr", FieldType.Text, Extension: true),
            new("description_fr", FieldType.Text, Extension: true),
            new("eligibility_description_fr", FieldType.Text, Extension: true),
            new("application_process_fr", FieldType.Text, Extension: true),
            new("fees_description_fr", FieldType.Text, Extension: true),
        ]),
        new("attribute", "attributes.csv", "attributes",
        [
            new("id", FieldType.Uuid, Required: true),
            new("link_id", FieldType.Uuid, Required: true),
            new("taxonomy_term_id", FieldType.Uuid, Required: true, References: "taxonomy_term"),
            new("link_type", FieldType.Text),
            new("link_entity", FieldType.Text, Required: true),
            new("value", FieldType.Text),
            new("label", FieldType.Text, Extension: true),
        ]),
        new("service_at_location", "service_at_location.csv", "service_at_location",
        [
            new("id", FieldType.Uuid, Required: true),
            new("service_id", FieldType.Uuid, Required: true, References: "service"),
            new("location_id", FieldType.Uuid, Required: true, References: "location"),
            new("description", FieldType.Text),
        ]),
        new("location", "locations.csv", "locations",
        [
            new("id", FieldType.Uuid, Required: true),
            new("location_type", FieldType.Text, Required: true, Enum: ["physical", "postal", "virtual"]),
            new("url", FieldType.Text),
            new("organization_id", FieldType.Uuid, References: "organization"),
            new("name", FieldType.Text),
            new("alternate_name", FieldType.Text),
            new("description", FieldType.Text),
            new("transportation", FieldType.Text),
            new("latitude", FieldType.Number),
            new("longitude", FieldType.Number),
            new("external_identifier", FieldType.Text),
            new("external_identifier_type", FieldType.Text),
            new("name_fr", FieldType.Text, Extension: true),
        ]),
        new("phone", "phones.csv", "phones",
        [
            new("id", FieldType.Uuid, Required: true),
            new("location_id", FieldType.Uuid, References: "location"),
            new("service_id", FieldType.Uuid, References: "service"),
            new("organization_id", FieldType.Uuid, References: "organization"),
            new("contact_id", FieldType.Uuid, References: "contact"),
            new("service_at_location_id", FieldType.Uuid, References: "service_at_location"),
            new("number", FieldType.Text, Required: true),
            new("extension", FieldType.Number),
            new("type", FieldType.Text),
            new("description", FieldType.Text),
        ]),
        new("contact", "contacts.csv", "contacts",
        [
            new("id", FieldType.Uuid, Required: true),
            new("organization_id", FieldType.Uuid, References: "organization"),
            new("service_id", FieldType.Uuid, References: "service"),
            new("service_at_location_id", FieldType.Uuid, References: "service_at_location"),
            new("location_id", FieldType.Uuid, References: "location"),
            new("name", FieldType.Text),
            new("title", FieldType.Text),
            new("department", FieldType.Text),
            new("email", FieldType.Text),
        ]),
        new("address", "addresses.csv", "addresses",
        [
            new("id", FieldType.Uuid, Required: true),
            new("location_id", FieldType.Uuid, References: "location"),
            new("attention", FieldType.Text),
            new("address_1", FieldType.Text, Required: true),
            new("address_2", FieldType.Text),
            new("city", FieldType.Text, Required: true),
            new("region", FieldType.Text),
            new("state_province", FieldType.Text, Required: true),
            new("postal_code", FieldType.Text, Required: true),
            new("country", FieldType.Text, Required: true),
            new("address_type", FieldType.Text, Required: true, Enum: ["physical", "postal", "virtual"]),
        ]),
        new("schedule", "schedules.csv", "schedules",
        [
            new("id", FieldType.Uuid, Required: true),
            new("service_id", FieldType.Uuid, References: "service"),
            new("location_id", FieldType.Uuid, References: "location"),
            new("service_at_location_id", FieldType.Uuid, References: "service_at_location"),
            new("valid_from", FieldType.Date),
            new("valid_to", FieldType.Date),
            new("dtstart", FieldType.Date),
            new("timezone", FieldType.Number),
            new("until", FieldType.Date),
            new("count", FieldType.Number),
            new("wkst", FieldType.Text, Enum: ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]),
            new("freq", FieldType.Text, Enum: ["WEEKLY", "MONTHLY"]),
            new("interval", FieldType.Number),
            new("byday", FieldType.Text),
            new("byweekno", FieldType.Text),
            new("bymonthday", FieldType.Text),
            new("byyearday", FieldType.Text),
            new("description", FieldType.Text),
            new("opens_at", FieldType.Time),
            new("closes_at", FieldType.Time),
            new("schedule_link", FieldType.Text),
            new("attending_type", FieldType.Text),
            new("notes", FieldType.Text),
            new("description_fr", FieldType.Text, Extension: true),
        ]),
        new("funding", "funding.csv", "funding",
        [
            new("id", FieldType.Uuid, Required: true),
            new("organization_id", FieldType.Uuid, References: "organization"),
            new("service_id", FieldType.Uuid, References: "service"),
            new("source", FieldType.Text),
        ]),
        new("service_area", "service_areas.csv", "service_areas",
        [
            new("id", FieldType.Uuid, Required: true),
            new("service_id", FieldType.Uuid, References: "service"),
            new("name", FieldType.Text),
            new("description", FieldType.Text),
            new("extent", FieldType.Text),
            new("extent_type", FieldType.Text),
            new("uri", FieldType.Text),
        ]),
        new("required_document", "required_documents.csv", "required_documents",
        [
            new("id", FieldType.Uuid, Required: true),
            new("service_id", FieldType.Uuid, References: "service"),
            new("document", FieldType.Text),
            new("uri", FieldType.Text),
        ]),
        new("language", "languages.csv", "languages",
        [
            new("id", FieldType.Uuid, Required: true),
            new("service_id", FieldType.Uuid, References: "service"),
            new("location_id", FieldType.Uuid, References: "location"),
            new("phone_id", FieldType.Uuid, References: "phone"),
            new("name", FieldType.Text),
            new("code", FieldType.Text),
            new("note", FieldType.Text),
        ]),
        new("accessibility", "accessibility.csv", "accessibility",
        [
            new("id", FieldType.Uuid, Required: true),
            new("location_id", FieldType.Uuid, References: "location"),
            new("description", FieldType.Text),
            new("details", FieldType.Text),
            new("url", FieldType.Text),
        ]),
        new("taxonomy_term", "taxonomy_terms.csv", "taxonomy_terms",
        [
            new("id", FieldType.Uuid, Required: true),
            new("code", FieldType.Text, Unique: true),
            new("name", FieldType.Text, Required: true),
            new("description", FieldType.Text, Required: true),
            new("parent_id", FieldType.Uuid),
            new("taxonomy", FieldType.Text),
            new("language", FieldType.Text),
            new("taxonomy_id", FieldType.Uuid, References: "taxonomy"),
            new("term_uri", FieldType.Text),
            new("name_fr", FieldType.Text, Extension: true),
        ]),
        new("metadata", "metadata.csv", "metadata",
        [
            new("id", FieldType.Uuid, Required: true),
            new("resource_id", FieldType.Uuid, Required: true),
            new("resource_type", FieldType.Text, Required: true),
            new("last_action_date", FieldType.Date, Required: true),
            new("last_action_type", FieldType.Text, Required: true),
            new("field_name", FieldType.Text, Required: true),
            new("previous_value", FieldType.Text, Required: true),
            new("replacement_value", FieldType.Text, Required: true),
            new("updated_by", FieldType.Text, Required: true),
        ]),
        new("meta_table_description", "meta_table_descriptions.csv", "meta_table_descriptions",
        [
            new("id", FieldType.Uuid, Required: true),
            new("name", FieldType.Text),
            new("language", FieldType.Text),
            new("character_set", FieldType.Text),
        ]),
        new("cost_option", "cost_options.csv", "cost_options",
        [
            new("id", FieldType.Uuid, Required: true),
            new("service_id", FieldType.Uuid, Required: true, References: "service"),
            new("valid_from", FieldType.Date),
            new("valid_to", FieldType.Date),
            new("option", FieldType.Text),
            new("currency", FieldType.Text),
            new("amount", FieldType.Number),
            new("amount_description", FieldType.Text),
        ]),
        new("organization_identifier", "organization_identifiers.csv", "organization_identifiers",
        [
            new("id", FieldType.Uuid, Required: true),
            new("organization_id", FieldType.Uuid, Required: true, References: "organization"),
            new("identifier_scheme", FieldType.Text),
            new("identifier_type", FieldType.Text, Required: true),
            new("identifier", FieldType.Text, Required: true),
        ]),
        new("taxonomy", "taxonomies.csv", "taxonomies",
        [
            new("id", FieldType.Uuid, Required: true),
            new("name", FieldType.Text, Required: true),
            new("description", FieldType.Text, Required: true),
            new("uri", FieldType.Text),
            new("version", FieldType.Text),
        ]),
    ];

    /// <summary>The table with this HSDS resource name.</summary>
    public static HsdsTable Table(string name) => Tables.First(t => t.Name == name);
}
