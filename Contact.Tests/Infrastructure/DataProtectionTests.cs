using System.Net;
using Contact.Tests.Desktop;

namespace Contact.Tests.Infrastructure;

/// <summary>The data-protection keys (sign-in cookies, form tokens) are encrypted at rest in the shared database.</summary>
public sealed class DataProtectionTests
{
    /// <summary>A key-encryption key for tests that run the host outside Development.</summary>
    public const string TestKey = "Y29udGFjdC10ZXN0cy1kYXRhLXByb3RlY3Rpb24tazE=";

    private const string OtherKey = "Y29udGFjdC10ZXN0cy1kYXRhLXByb3RlY3Rpb24tazI=";

    private static Dictionary<string, string?> With(string? key, string environment = "Development") => new()
    {
        ["environment"] = environment,
        ["Twilio:AuthToken"] = "test-token",
        ["DataProtection:KeyEncryptionKey"] = key,
    };

    private static async Task<HttpStatusCode> MeAsync(ContactFactory app, string cookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/staff/me");
        request.Headers.Add("Cookie", cookie);
        return (await app.CreateClient().SendAsync(request)).StatusCode;
    }

    [Test]
    public async Task Keys_are_stored_encrypted_and_every_host_with_the_key_reads_them()
    {
        var database = await TestDatabase.CloneAsync();
        await using var first = new ContactFactory(database, With(TestKey));
        var cookie = await DesktopClient.SignInAsync(first, "agent");

        var stored = await first.TextAsync("select string_agg(xml, '') from data_protection_keys");
        Assert.That(stored, Does.Contain("aesGcmEncrypted").And.Contain("encryptedSecret"));
        Assert.That(stored, Does.Not.Contain("<masterKey"), "no key is stored in the clear");

        await using var second = new ContactFactory(database, With(TestKey));
        Assert.That(await MeAsync(second, cookie), Is.EqualTo(HttpStatusCode.OK), "another host with the key reads the cookie");
        await using var wrong = new ContactFactory(database, With(OtherKey));
        Assert.That(await MeAsync(wrong, cookie), Is.EqualTo(HttpStatusCode.Unauthorized), "a host with another key cannot");
    }

    /// <summary>The real host, as a process, in Production: it must stop with an error that names the setting.</summary>
    private static async Task<(int Code, string Output)> StartProductionAsync(string key) =>
        await HostProcess.RunAsync(await TestDatabase.CloneAsync(), null,
            new Dictionary<string, string> { ["Twilio__AuthToken"] = "test-token", ["DataProtection__KeyEncryptionKey"] = key }, "--urls", "http://127.0.0.1:0");

    [Test]
    public async Task Production_refuses_to_start_without_a_key_and_names_the_setting()
    {
        var (code, output) = await StartProductionAsync("");
        Assert.That(code, Is.Not.EqualTo(0));
        Assert.That(output, Does.Contain("DataProtection:KeyEncryptionKey").And.Contain("DataProtection:CertificatePath"));
    }

    [TestCase("not base64!", "is not base64")]
    [TestCase("c2hvcnQ=", "is 5 bytes")]
    public async Task A_key_that_is_not_32_bytes_of_base64_is_refused_at_start(string key, string problem)
    {
        var (code, output) = await StartProductionAsync(key);
        Assert.That(code, Is.Not.EqualTo(0));
        Assert.That(output, Does.Contain(problem));
    }

    [Test]
    public async Task Production_with_a_key_starts_and_signs_in()
    {
        await using var app = new ContactFactory(await TestDatabase.CloneAsync(), With(TestKey, "Production"));
        var response = await app.CreateClient().GetAsync("/api/staff/antiforgery");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await app.TextAsync("select string_agg(xml, '') from data_protection_keys"), Does.Contain("aesGcmEncrypted"));
    }
}
