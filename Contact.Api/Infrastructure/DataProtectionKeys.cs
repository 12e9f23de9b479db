using System.Xml.Linq;
using Dapper;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Contact.Api.Infrastructure;

/// <summary>Keeps data-protection keys in PostgreSQL so every host reads the tokens and cookies of every other.</summary>
internal sealed class PostgresXmlRepository(NpgsqlDataSource dataSource) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var connection = dataSource.OpenConnection();
        return [.. connection.Query<string>("select xml from data_protection_keys order by id").Select(XElement.Parse)];
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var connection = dataSource.OpenConnection();
        connection.Execute(
            "insert into data_protection_keys (friendly_name, xml) values (@friendlyName, @xml) on conflict (friendly_name) do nothing",
            new { friendlyName, xml = element.ToString(SaveOptions.DisableFormatting) });
    }
}

internal static class DataProtectionKeys
{
    public static void AddSharedDataProtection(this IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName("Contact");
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp =>
            new ConfigureOptions<KeyManagementOptions>(o => o.XmlRepository = new PostgresXmlRepository(sp.GetRequiredService<NpgsqlDataSource>())));
    }
}
