using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Xml.Linq;
using Dapper;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
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

/// <summary>
/// How the data-protection keys are encrypted at rest (section <c>DataProtection</c>): with a 256-bit key
/// (<c>KeyEncryptionKey</c>, base64) or an X.509 certificate with its private key (<c>CertificatePath</c> to a
/// PKCS#12 file, <c>CertificatePassword</c>). Outside Development one of them is required.
/// </summary>
public sealed class DataProtectionKeyOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "DataProtection";

    /// <summary>Base64 of 32 random bytes (e.g. <c>openssl rand -base64 32</c>); the same on every host.</summary>
    public string? KeyEncryptionKey { get; set; }

    /// <summary>A PKCS#12 (.pfx) file holding the certificate and its private key; the same on every host.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PKCS#12 file's password, if it has one.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>The key as bytes, or why it is not usable.</summary>
    internal static byte[] ParseKey(string value)
    {
        byte[] key;
        try
        {
            key = Convert.FromBase64String(value.Trim());
        }
        catch (FormatException)
        {
            throw new InvalidOperationException("DataProtection:KeyEncryptionKey is not base64: give 32 random bytes in base64 (openssl rand -base64 32).");
        }
        return key.Length == 32
            ? key
            : throw new InvalidOperationException($"DataProtection:KeyEncryptionKey is {key.Length} bytes: give 32 random bytes in base64 (openssl rand -base64 32).");
    }
}

/// <summary>
/// Encrypts each data-protection key with AES-256-GCM under <see cref="DataProtectionKeyOptions.KeyEncryptionKey"/>.
/// The element stored names the encrypting key by a fingerprint, so a wrong key is told apart from damage.
/// </summary>
internal sealed class AesGcmXmlEncryptor(byte[] key) : IXmlEncryptor
{
    internal const string ElementName = "aesGcmEncrypted";

    internal static string Fingerprint(byte[] key) => Convert.ToHexString(SHA256.HashData(key))[..16].ToLowerInvariant();

    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var plain = System.Text.Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        var cipher = new byte[plain.Length];
        var tag = new byte[AesGcm.TagByteSizes.MaxSize];
        using (var aes = new AesGcm(key, tag.Length))
        {
            aes.Encrypt(nonce, plain, cipher, tag);
        }
        CryptographicOperations.ZeroMemory(plain);
        var element = new XElement(ElementName,
            new XAttribute("key", Fingerprint(key)),
            new XElement("nonce", Convert.ToBase64String(nonce)),
            new XElement("tag", Convert.ToBase64String(tag)),
            new XElement("value", Convert.ToBase64String(cipher)));
        return new EncryptedXmlInfo(element, typeof(AesGcmXmlDecryptor));
    }
}

/// <summary>Decrypts what <see cref="AesGcmXmlEncryptor"/> stored, with the key from configuration.</summary>
internal sealed class AesGcmXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        var configured = services.GetRequiredService<IOptions<DataProtectionKeyOptions>>().Value.KeyEncryptionKey
            ?? throw new CryptographicException("A data-protection key is encrypted and DataProtection:KeyEncryptionKey is not set.");
        var key = DataProtectionKeyOptions.ParseKey(configured);
        if ((string?)encryptedElement.Attribute("key") != AesGcmXmlEncryptor.Fingerprint(key))
        {
            throw new CryptographicException("A data-protection key was encrypted with another DataProtection:KeyEncryptionKey.");
        }
        var nonce = Convert.FromBase64String((string?)encryptedElement.Element("nonce") ?? "");
        var tag = Convert.FromBase64String((string?)encryptedElement.Element("tag") ?? "");
        var cipher = Convert.FromBase64String((string?)encryptedElement.Element("value") ?? "");
        var plain = new byte[cipher.Length];
        using (var aes = new AesGcm(key, tag.Length))
        {
            aes.Decrypt(nonce, cipher, tag, plain);
        }
        try
        {
            return XElement.Parse(System.Text.Encoding.UTF8.GetString(plain));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }
}

internal static class DataProtectionKeys
{
    /// <summary>
    /// Keys in PostgreSQL, shared by every host, encrypted at rest as <see cref="DataProtectionKeyOptions"/> says.
    /// Outside Development a host without a key or certificate refuses to start, naming the settings.
    /// </summary>
    public static void AddSharedDataProtection(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var options = configuration.GetSection(DataProtectionKeyOptions.Section).Get<DataProtectionKeyOptions>() ?? new();
        services.Configure<DataProtectionKeyOptions>(configuration.GetSection(DataProtectionKeyOptions.Section));
        var builder = services.AddDataProtection().SetApplicationName("Contact");
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp =>
            new ConfigureOptions<KeyManagementOptions>(o => o.XmlRepository = new PostgresXmlRepository(sp.GetRequiredService<NpgsqlDataSource>())));

        if (!string.IsNullOrWhiteSpace(options.KeyEncryptionKey))
        {
            var key = DataProtectionKeyOptions.ParseKey(options.KeyEncryptionKey);
            services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(new ConfigureOptions<KeyManagementOptions>(o => o.XmlEncryptor = new AesGcmXmlEncryptor(key)));
        }
        else if (!string.IsNullOrWhiteSpace(options.CertificatePath))
        {
            X509Certificate2 certificate;
            try
            {
                certificate = X509CertificateLoader.LoadPkcs12FromFile(options.CertificatePath, options.CertificatePassword);
            }
            catch (CryptographicException e)
            {
                throw new InvalidOperationException($"DataProtection:CertificatePath {options.CertificatePath} could not be read with DataProtection:CertificatePassword: {e.Message}");
            }
            if (!certificate.HasPrivateKey)
            {
                throw new InvalidOperationException($"DataProtection:CertificatePath {options.CertificatePath} has no private key: the keys could not be read back.");
            }
            builder.ProtectKeysWithCertificate(certificate).UnprotectKeysWithAnyCertificate(certificate);
        }
        else if (!environment.IsDevelopment())
        {
            throw new InvalidOperationException(
                "The data-protection keys (sign-in cookies, form tokens) must be encrypted at rest outside Development: set DataProtection:KeyEncryptionKey "
                + "(32 random bytes in base64, e.g. openssl rand -base64 32) or DataProtection:CertificatePath (a .pfx with its private key) "
                + "and DataProtection:CertificatePassword, the same on every host.");
        }
    }
}
