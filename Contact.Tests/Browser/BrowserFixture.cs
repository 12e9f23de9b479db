using Contact.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Contact.Tests.Browser;

/// <summary>The real host on a loopback port and Debian's Chromium driven by Playwright.</summary>
public abstract class BrowserFixture
{
    protected ContactFactory App { get; private set; } = null!;
    protected IPlaywright Playwright { get; private set; } = null!;
    protected IBrowser Browser { get; private set; } = null!;
    protected string BaseUrl { get; private set; } = "";

    public static string ChromiumPath =>
        Environment.GetEnvironmentVariable("CONTACT_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    [OneTimeSetUp]
    public async Task StartBrowserAsync()
    {
        Assert.That(File.Exists(ChromiumPath), Is.True, $"Chromium is needed for browser tests: apt-get install -y chromium (looked for {ChromiumPath}; set CONTACT_CHROMIUM to use another).");
        App = new ContactFactory(await TestDatabase.CloneAsync(), new Dictionary<string, string?> { ["Urls"] = "http://127.0.0.1:0" });
        App.UseKestrel(0);
        App.StartServer();
        BaseUrl = App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-dev-shm-usage"],
        });
    }

    [OneTimeTearDown]
    public async Task StopBrowserAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        Playwright?.Dispose();
        if (App is not null)
        {
            await App.DisposeAsync();
        }
    }

    protected async Task<IPage> NewPageAsync(string locale = "en-CA", bool javaScript = true)
    {
        var context = await Browser.NewContextAsync(new() { Locale = locale, BaseURL = BaseUrl, ViewportSize = new() { Width = 1280, Height = 900 }, JavaScriptEnabled = javaScript });
        context.SetDefaultTimeout(10_000);
        return await context.NewPageAsync();
    }

    protected static async Task SignInAsync(IPage page, string userName, string password = "demo", string path = "/agent")
    {
        await page.GotoAsync(path);
        await page.GetByLabel("User name").FillAsync(userName);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
    }
}
