using System.Diagnostics;

namespace Contact.Tests;

/// <summary>Runs the built host (`Contact.Api.dll`) as its own process, the way an operator runs its commands.</summary>
public static class HostProcess
{
    /// <summary>
    /// Runs `dotnet Contact.Api.dll ARGS` in Production against <paramref name="connectionString"/>, writing
    /// <paramref name="input"/> (when given) as one line on standard input; answers the exit code and everything it printed.
    /// </summary>
    public static async Task<(int Code, string Output)> RunAsync(string connectionString, string? input, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Contact.Api.dll"), .. args])
        {
            RedirectStandardInput = input is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["ASPNETCORE_ENVIRONMENT"] = "Production", ["ConnectionStrings__Cases"] = connectionString },
        };
        using var process = Process.Start(start)!;
        if (input is not null)
        {
            await process.StandardInput.WriteLineAsync(input);
            process.StandardInput.Close();
        }
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await errors);
    }
}
