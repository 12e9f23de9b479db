using System.Net;
using System.Net.Http.Headers;
using Contact.Tests.Infrastructure;

namespace Contact.Tests.Desktop;

/// <summary>The desktop's and the dev phone's pages and assets, served by ASP.NET's static files from the assemblies.</summary>
public sealed class DesktopAssetsTests : AppFixture
{
    [TestCase("/agent/assets/desktop.js", "text/javascript")]
    [TestCase("/agent/assets/desktop.css", "text/css")]
    [TestCase("/agent/assets/lib/signalr.min.js", "text/javascript")]
    [TestCase("/dev/phone/assets/phone.js", "text/javascript")]
    public async Task An_asset_has_an_etag_and_a_browser_that_has_it_gets_304(string path, string type)
    {
        var first = await Client.GetAsync(path);

        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(first.Content.Headers.ContentType?.MediaType, Is.EqualTo(type));
        Assert.That(first.Headers.CacheControl?.NoCache, Is.True, "asked again each time, so a new build is never hidden");
        Assert.That(first.Headers.ETag, Is.Not.Null);
        Assert.That((await first.Content.ReadAsByteArrayAsync()).Length, Is.GreaterThan(100));

        using var again = new HttpRequestMessage(HttpMethod.Get, path);
        again.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        var second = await Client.SendAsync(again);

        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.NotModified));
        Assert.That(await second.Content.ReadAsByteArrayAsync(), Is.Empty);
    }

    [TestCase("/agent")]
    [TestCase("/supervisor")]
    [TestCase("/dev/phone")]
    public async Task A_page_is_revalidated_by_its_last_modified_time(string path)
    {
        var first = await Client.GetAsync(path);

        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(first.Content.Headers.ContentType?.ToString(), Is.EqualTo("text/html; charset=utf-8"));
        Assert.That(first.Headers.CacheControl?.NoCache, Is.True);
        Assert.That(first.Content.Headers.LastModified, Is.Not.Null);

        using var again = new HttpRequestMessage(HttpMethod.Get, path);
        again.Headers.IfModifiedSince = first.Content.Headers.LastModified;
        Assert.That((await Client.SendAsync(again)).StatusCode, Is.EqualTo(HttpStatusCode.NotModified));
    }

    [TestCase("/agent", "/agent/assets/desktop.js", "agent.page_name", "returnUrl=/agent\"", "signin.heading\"", "id=\"state-select\"")]
    [TestCase("/supervisor", "/agent/assets/supervisor.js", "supervisor.page_name", "returnUrl=/supervisor\"", "signin.heading_supervisor\"", "id=\"forbidden-view\"")]
    public async Task A_page_is_the_shell_with_its_own_body_and_words(string path, string script, string pageName, string returnUrl, string heading, string body)
    {
        var html = await Client.GetStringAsync(path);

        Assert.That(html, Does.StartWith("<!doctype html>"));
        Assert.That(html, Does.Contain("<script type=\"module\" src=\"" + script + "\"></script>"));
        foreach (var part in new[] { pageName, returnUrl, heading, body, "id=\"signin-form\"", "id=\"status-live\"", "</html>" })
        {
            Assert.That(html, Does.Contain(part));
        }
        Assert.That(html, Does.Not.Contain("{{").And.Not.Contain("<!-- slot"), "every slot filled, no marker left");
    }

    // (Dot segments never reach the server: the client resolves them. An encoded slash does.)
    [TestCase("/agent/assets/nothing-here.js")]
    [TestCase("/agent/assets/..%2Fshell.html")]
    [TestCase("/agent/assets/..%2Fagent.body.html")]
    [TestCase("/agent/assets/..%2F..%2FContact.Agent.dll")]
    [TestCase("/agent/assets/Contact.Agent.wwwroot.shell.html")]
    public async Task Nothing_outside_the_assets_is_served_from_them(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        var response = await Client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound).Or.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Headers.ETag, Is.Null);
    }
}
