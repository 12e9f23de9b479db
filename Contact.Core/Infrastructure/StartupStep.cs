using Microsoft.Extensions.Logging;

namespace Contact.Core.Infrastructure;

/// <summary>
/// Work a feature does once its tables exist, before the host takes requests: a check of its settings, or its demo
/// data. A feature registers its own steps with its services; the host runs them all, in the order the features were
/// registered (so the catalog's demo categories exist before the service standards that name them).
/// </summary>
/// <param name="What">What the step does, for the log.</param>
/// <param name="RunAsync">The step, with the host's services and a logger.</param>
/// <param name="DemoOnly">Only with <c>Seed:DemoData</c> on.</param>
/// <param name="DevelopmentOnly">Only in the Development environment (demo accounts and keys, never on a real centre's system).</param>
public sealed record StartupStep(
    string What, Func<IServiceProvider, ILogger, CancellationToken, Task> RunAsync, bool DemoOnly = false, bool DevelopmentOnly = false);
