using System.Diagnostics;

namespace Contact.Tests;

/// <summary>Runs the built host (`Contact.Api.dll`) as its own process, the way an operator runs its commands.</summary>
public static class HostProcess
{
    /// <summary>
    /// Runs `dotnet Contact.Api.dll ARGS` in Production against <paramref name="connectionString"/>, writing
    /// <paramref name="input"/> (when given) as one line on standard input; answers the exit code and everything it printed.
    /// </summary>
    public static Task<(int Code, string Output)> RunAsync(string connectionString, string? input, params string[] args) =>
        RunAsync(connectionString, input, new Dictionary<string, string>(), args);

    /// <summary>
    /// The same with more environment variables (<paramref name="environment"/> may also replace
    /// ASPNETCORE_ENVIRONMENT); a host still running after 90 seconds is killed and the test fails.
    /// </summary>
    public static async Task<(int Code, string Output)> RunAsync(
        string connectionString, string? input, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Contact.Api.dll"), .. args])
        {
            RedirectStandardInput = input is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["ConnectionStrings__Cases"] = connectionString,
                ["DataProtection__KeyEncryptionKey"] = Contact.Tests.Infrastructure.DataProtectionTests.TestKey,
            },
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        if (input is not null)
        {
            await process.StandardInput.WriteLineAsync(input);
            process.StandardInput.Close();
        }
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"dotnet Contact.Api.dll {string.Join(' ', args)} was still running after 90 seconds");
        }
        return (process.ExitCode, await output + await errors);
    }
}
