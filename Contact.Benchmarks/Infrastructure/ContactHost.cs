using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace Contact.Benchmarks.Infrastructure;

/// <summary>Raised when the host could not be found, did not start, or stopped during a run.</summary>
public sealed class HostFailedException(string message) : Exception(message);

/// <summary>
/// The real Contact host (Contact.Api.dll, as built beside this project) running as a child process on a
/// free loopback port against a given database. Its output is drained and the last lines kept for
/// diagnosis. Disposing kills the process tree.
/// </summary>
public sealed class ContactHost : IAsyncDisposable
{
    private const int KeptLines = 60;
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lastLines = new();

    private ContactHost(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    /// <summary>Where the host listens, e.g. http://127.0.0.1:41234/.</summary>
    public Uri BaseAddress { get; }

    /// <summary>True when the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The Twilio auth token benchmark hosts run with.</summary>
    public const string BenchmarkTwilioToken = "benchmark-token";

    /// <summary>The environment every benchmark host gets: production, quiet logs, no demo data, no practical rate limit.</summary>
    public static IReadOnlyDictionary<string, string> BenchmarkEnvironment(string connectionString) => new Dictionary<string, string>
    {
        ["ConnectionStrings__Cases"] = connectionString,
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["RateLimits__PublicWritesPerMinute"] = "100000000",
        ["RateLimits__PublicReadsPerMinute"] = "100000000",
        ["Serilog__MinimumLevel__Default"] = "Warning",
        ["Seed__DemoData"] = "false",
        // Production refuses to start without one; the benchmarks sign their Twilio webhooks with it.
        ["Twilio__AuthToken"] = BenchmarkTwilioToken,
        // Production also refuses to start with its data-protection keys unencrypted at rest.
        ["DataProtection__KeyEncryptionKey"] = "YmVuY2htYXJrLWRhdGEtcHJvdGVjdGlvbi1rZXktMzI=",
        // Texts the cases cause run through the outbox and its jobs, ending in the log (no Twilio here).
        ["Notifications__Sms"] = "log",
    };

    /// <summary>
    /// Contact.Api.dll in Contact.Api/bin/&lt;Configuration&gt;/&lt;framework&gt;/ of the checkout this benchmark was
    /// built in, with the same configuration and framework as this benchmark.
    /// </summary>
    public static string LocateHostAssembly()
    {
        var configuration = typeof(ContactHost).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        var framework = Path.GetFileName(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory));
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Contact.sln")))
            {
                var dll = Path.Combine(dir.FullName, "Contact.Api", "bin", configuration, framework, "Contact.Api.dll");
                return File.Exists(dll)
                    ? dll
                    : throw new HostFailedException($"The host is not built: {dll} does not exist. Build Contact.Api ({configuration}) first.");
            }
        }
        throw new HostFailedException($"No Contact.sln above {AppContext.BaseDirectory}: run the benchmarks from a checkout.");
    }

    /// <summary>Starts the host and waits until GET /health answers 200.</summary>
    /// <param name="environment">Environment variables for the host, e.g. <see cref="BenchmarkEnvironment"/>.</param>
    /// <param name="healthTimeout">How long to wait for health (default 60 s).</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static Task<ContactHost> StartAsync(
        IReadOnlyDictionary<string, string> environment, TimeSpan? healthTimeout = null, CancellationToken cancellationToken = default) =>
        StartProcessAsync(LocateHostAssembly(), [], environment, healthTimeout, cancellationToken);

    /// <summary>Starts the bare substrate (<see cref="BareHost"/>) in a process of its own and waits until GET /health answers 200.</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static Task<ContactHost> StartBareAsync(CancellationToken cancellationToken = default) =>
        StartProcessAsync(typeof(ContactHost).Assembly.Location, ["bare-host"], new Dictionary<string, string>(), null, cancellationToken);

    private static async Task<ContactHost> StartProcessAsync(string dll, string[] leadingArguments,
        IReadOnlyDictionary<string, string> environment, TimeSpan? healthTimeout, CancellationToken cancellationToken)
    {
        var port = FreeLoopbackPort();
        var baseAddress = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/"));
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
            // The content root, where appsettings.json is.
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        psi.ArgumentList.Add(dll);
        foreach (var argument in leadingArguments)
        {
            psi.ArgumentList.Add(argument);
        }
        psi.ArgumentList.Add("--urls");
        psi.ArgumentList.Add(baseAddress.GetLeftPart(UriPartial.Authority));
        foreach (var (name, value) in environment)
        {
            psi.Environment[name] = value;
        }

        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var host = new ContactHost(process, baseAddress);
        process.OutputDataReceived += (_, e) => host.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => host.Keep(e.Data);
        if (!process.Start())
        {
            throw new HostFailedException("Could not start dotnet " + dll);
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Progress.Say($"{Path.GetFileNameWithoutExtension(dll)} {string.Join(' ', leadingArguments)} started (pid {process.Id}) on {baseAddress}");
        try
        {
            await host.WaitHealthyAsync(healthTimeout ?? TimeSpan.FromSeconds(60), cancellationToken);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>One HttpClient for load against this host, allowing <paramref name="connections"/> connections.</summary>
    public HttpClient CreateClient(int connections) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = Math.Max(connections, 1),
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseProxy = false,
    })
    {
        BaseAddress = BaseAddress,
        Timeout = TimeSpan.FromSeconds(60),
    };

    /// <summary>The host's last lines of output.</summary>
    public IReadOnlyList<string> LastLines => [.. _lastLines];

    /// <summary>Throws <see cref="HostFailedException"/> (with the host's last output) if the process has exited.</summary>
    public void ThrowIfExited()
    {
        if (_process.HasExited)
        {
            throw new HostFailedException(Describe($"The host exited with code {_process.ExitCode}."));
        }
    }

    /// <summary><paramref name="problem"/> followed by the host's last lines of output.</summary>
    public string Describe(string problem) =>
        problem + Environment.NewLine + "Last host output:" + Environment.NewLine +
        string.Join(Environment.NewLine, LastLines.Select(l => "  | " + l));

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        _lastLines.Enqueue(line);
        while (_lastLines.Count > KeptLines && _lastLines.TryDequeue(out _))
        {
        }
    }

    private async Task WaitHealthyAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        var last = "no answer yet";
        while (clock.Elapsed < timeout)
        {
            ThrowIfExited();
            try
            {
                using var response = await client.GetAsync(new Uri("health", UriKind.Relative), ct);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    Progress.Say($"Host healthy after {clock.Elapsed.TotalSeconds:F1} s");
                    return;
                }
                var body = await response.Content.ReadAsStringAsync(ct);
                last = string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)response.StatusCode}: {body}");
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
            {
                last = e.Message;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
        }
        throw new HostFailedException(Describe(string.Create(CultureInfo.InvariantCulture,
            $"GET /health did not answer 200 within {timeout.TotalSeconds:F0} s (last: {last}).")));
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Kills the host's process tree and waits for it to go.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
        {
            Progress.Say($"Could not stop the host cleanly: {e.Message}");
        }
        finally
        {
            _process.Dispose();
        }
    }
}
