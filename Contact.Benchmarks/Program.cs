using Contact.Benchmarks.Desktop;
using Contact.Benchmarks.ResourceDirectory;
using Contact.Benchmarks.Infrastructure;
using Contact.Benchmarks.Intake;
using Contact.Benchmarks.LifeEvents;
using Contact.Benchmarks.Notifications;
using Contact.Benchmarks.Open311;
using Contact.Benchmarks.SelfServe;
using Contact.Benchmarks.Sla;
using Contact.Benchmarks.Voice;
using Contact.Core.Infrastructure;

// Load benchmarks of Contact against a private PostgreSQL cluster and the real host.
// Usage: dotnet run -c Release --project Contact.Benchmarks -- <benchmark> [--concurrency 16] [--seconds 10] [--warmup 3]
//        (closed-loop benchmarks: intake, lifeevent, selfserve)
//        dotnet run -c Release --project Contact.Benchmarks -- desktop [--agents 200] [--cases 40] [--claim-cases 2000]
//        dotnet run -c Release --project Contact.Benchmarks -- voice [--rate 460] [--seconds 20]
//        dotnet run -c Release --project Contact.Benchmarks -- outbox [--messages 5000] [--concurrency 16]
//        dotnet run -c Release --project Contact.Benchmarks -- sla [--cases 1000000] [--breaching 200000] [--timers 10000] [--idle-seconds 30]
//        dotnet run -c Release --project Contact.Benchmarks -- directory [--services 100000] [--searches 200] [--km 10]
//        dotnet run -c Release --project Contact.Benchmarks -- open311 [--cases 1000000] [--concurrency 8] [--seconds 10] [--warmup 2]
var benchmarks = new Dictionary<string, (string Description, Func<LoadOptions, CancellationToken, Task<int>> Run)>(StringComparer.Ordinal)
{
    ["intake"] = ("POST /api/cases through the host against raw single-row INSERTs; commits per case", IntakeBenchmark.RunAsync),
    ["lifeevent"] = ("a 7-service move through POST /api/life-events against the same 7 services as 7 × POST /api/cases and a bare insert; commits per request", LifeEventBenchmark.RunAsync),
    ["selfserve"] = ("\"FOOD K1P\" texted to the signed SMS webhook against the directory search alone", SelfServeBenchmark.RunAsync),
};

Func<CancellationToken, Task<int>> run;
if (args is ["bare-host", .. var bareArgs])
{
    // The baselines' own host, started by the benchmarks as a child process.
    return await BareHost.RunAsync(bareArgs);
}
if (args is ["desktop", .. var desktopArgs])
{
    // The desktop benchmark is not a closed loop: it has options of its own.
    if (!DesktopBenchOptions.TryParse(desktopArgs, out var desktopOptions, out var desktopError))
    {
        return Usage(desktopError);
    }
    run = ct => DesktopBenchmark.RunAsync(desktopOptions, ct);
}
else if (args is ["voice", .. var voiceArgs])
{
    // The voice benchmark is an open loop at a fixed rate: it has options of its own.
    if (!VoiceBenchOptions.TryParse(voiceArgs, out var voiceOptions, out var voiceError))
    {
        return Usage(voiceError);
    }
    run = ct => VoiceBenchmark.RunAsync(voiceOptions, ct);
}
else if (args is ["outbox", .. var outboxArgs])
{
    // The outbox benchmark delivers a fixed number of messages: it has options of its own.
    if (!OutboxBenchOptions.TryParse(outboxArgs, out var outboxOptions, out var outboxError))
    {
        return Usage(outboxError);
    }
    run = ct => OutboxBenchmark.RunAsync(outboxOptions, ct);
}
else if (args is ["sla", .. var slaArgs])
{
    // The SLA benchmark runs three fixed measurements: it has options of its own.
    if (!SlaBenchOptions.TryParse(slaArgs, out var slaOptions, out var slaError))
    {
        return Usage(slaError);
    }
    run = ct => SlaBenchmark.RunAsync(slaOptions, ct);
}
else if (args is ["directory", .. var directoryArgs])
{
    // The directory benchmark times single searches on a generated directory: it has options of its own.
    if (!DirectoryBenchOptions.TryParse(directoryArgs, out var directoryOptions, out var directoryError))
    {
        return Usage(directoryError);
    }
    run = ct => DirectoryBenchmark.RunAsync(directoryOptions, ct);
}
else if (args is ["open311", .. var open311Args])
{
    // The Open311 benchmark fills a store of its own size first: it has options of its own.
    if (!Open311BenchOptions.TryParse(open311Args, out var open311Options, out var open311Error))
    {
        return Usage(open311Error);
    }
    run = ct => Open311Benchmark.RunAsync(open311Options, ct);
}
else
{
    if (args is not [var name, .. var rest] || !benchmarks.TryGetValue(name, out var benchmark))
    {
        return Usage(args is [var unknown, ..] ? $"Unknown benchmark '{unknown}'." : null);
    }
    if (!LoadOptions.TryParse(rest, out var options, out var error))
    {
        return Usage(error);
    }
    run = ct => benchmark.Run(options, ct);
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // Let the run unwind, so the host is killed and the cluster stopped and deleted.
    e.Cancel = true;
    cancel.Cancel();
};
try
{
    return await run(cancel.Token);
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    await Console.Error.WriteLineAsync("Cancelled.");
    return 130;
}
catch (HostFailedException e)
{
    await Console.Error.WriteLineAsync(e.Message);
    return 1;
}
catch (PostgresNotInstalledException e)
{
    await Console.Error.WriteLineAsync(e.Message);
    return 1;
}
#pragma warning disable CA1031 // Any other failure ends the run with exit code 1 after the cluster and host were cleaned up.
catch (Exception e)
#pragma warning restore CA1031
{
    await Console.Error.WriteLineAsync("The benchmark failed: " + e);
    return 1;
}

int Usage(string? problem)
{
    if (problem is not null)
    {
        Console.Error.WriteLine(problem);
    }
    Console.Error.WriteLine("Usage: dotnet run -c Release --project Contact.Benchmarks -- <benchmark> " + LoadOptions.Usage);
    Console.Error.WriteLine("Benchmarks:");
    foreach (var (key, (description, _)) in benchmarks)
    {
        Console.Error.WriteLine($"  {key,-10} {description}");
    }
    Console.Error.WriteLine($"  {"desktop",-10} A case pushed to every agent's desktop against a bare SignalR echo; claims/s with all agents claiming at once");
    Console.Error.WriteLine("Usage: dotnet run -c Release --project Contact.Benchmarks -- desktop " + DesktopBenchOptions.Usage);
    Console.Error.WriteLine($"  {"voice",-10} A mid-call IVR webhook against a bare TwiML endpoint at a steady open-loop rate; target p99 ≤ 2× bare");
    Console.Error.WriteLine("Usage: dotnet run -c Release --project Contact.Benchmarks -- voice " + VoiceBenchOptions.Usage);
    Console.Error.WriteLine($"  {"outbox",-10} Outbox delivery (claim, send, record) against a Twilio API stub called directly; commits per message, double sends");
    Console.Error.WriteLine("Usage: dotnet run -c Release --project Contact.Benchmarks -- outbox " + OutboxBenchOptions.Usage);
    Console.Error.WriteLine($"  {"sla",-10} SLA sweep against a bare SKIP LOCKED drain, Hangfire timer lateness against Task.Delay, idle transactions/s against no client");
    Console.Error.WriteLine("Usage: dotnet run -c Release --project Contact.Benchmarks -- sla " + SlaBenchOptions.Usage);
    Console.Error.WriteLine($"  {"directory",-10} A need + place + open-now directory search against the bare SQL it runs; p50/p99 and the plan");
    Console.Error.WriteLine("Usage: dotnet run -c Release --project Contact.Benchmarks -- directory " + DirectoryBenchOptions.Usage);
    Console.Error.WriteLine($"  {"open311",-10} GET /open311/v2/requests.json by service code and dates over 1 M cases against the bare SQL it runs; its plan");
    Console.Error.WriteLine("Usage: dotnet run -c Release --project Contact.Benchmarks -- open311 " + Open311BenchOptions.Usage);
    return 2;
}
