namespace Contact.Tests.Infrastructure;

/// <summary>
/// A fixture with one host of its own, on its own database cloned from the template, started once for all its tests
/// and stopped after them. A fixture that wants other settings overrides <see cref="CreateAppAsync"/>; one with more to
/// arrange overrides <see cref="SetUpAppAsync"/> and <see cref="TearDownAppAsync"/>.
/// </summary>
public abstract class AppFixture
{
    private HttpClient? _client;

    /// <summary>The fixture's host.</summary>
    protected ContactFactory App { get; private set; } = null!;

    /// <summary>A client of the host, made on first use and disposed with it.</summary>
    protected HttpClient Client => _client ??= App.CreateClient();

    /// <summary>Makes the host (the default settings unless overridden).</summary>
    protected virtual Task<ContactFactory> CreateAppAsync() => ContactFactory.CreateAsync();

    /// <summary>What the fixture arranges once the host is up (the demo users exist by then).</summary>
    protected virtual Task SetUpAppAsync() => Task.CompletedTask;

    /// <summary>What the fixture releases before the host stops.</summary>
    protected virtual Task TearDownAppAsync() => Task.CompletedTask;

    [OneTimeSetUp]
    public async Task StartAppAsync()
    {
        App = await CreateAppAsync();
        _ = App.Server; // start the host: demo data and users are seeded at start-up
        await SetUpAppAsync();
    }

    [OneTimeTearDown]
    public async Task StopAppAsync()
    {
        await TearDownAppAsync();
        _client?.Dispose();
        await App.DisposeAsync();
    }
}
