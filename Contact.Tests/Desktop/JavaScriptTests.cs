using System.Diagnostics;
using Contact.Tests.Infrastructure;

namespace Contact.Tests.Desktop;

/// <summary>
/// The desktop's pure modules (formatting, service-standard clocks, queue order, input checks) tested in Node's own
/// test runner: <c>node --test Contact.Tests/JavaScript/*.test.mjs</c>, run here so <c>dotnet test</c> runs them too.
/// </summary>
public sealed class JavaScriptTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Test]
    public async Task The_desktop_modules_pass_their_node_tests()
    {
        var node = FindOnPath("node")
            ?? throw new AssertionException("node is not on PATH: install nodejs (apt-get install nodejs) to run the desktop's JavaScript tests.");
        var root = Checkout.Root();
        var start = new ProcessStartInfo(node)
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // The files themselves: Node 21 and later read a directory argument as a file pattern, not a folder to search.
        var files = Directory.GetFiles(Path.Combine(root, "Contact.Tests", "JavaScript"), "*.test.mjs").Order(StringComparer.Ordinal).ToList();
        Assert.That(files, Is.Not.Empty, "no *.test.mjs in Contact.Tests/JavaScript");
        start.ArgumentList.Add("--test");
        foreach (var file in files)
        {
            start.ArgumentList.Add(file);
        }

        using var process = Process.Start(start) ?? throw new AssertionException("node did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"node --test did not finish within {Timeout.TotalSeconds} s.\n{await output}\n{await errors}");
        }

        var report = await output;
        Assert.That(process.ExitCode, Is.EqualTo(0), $"node --test failed:\n{report}\n{await errors}");
        // A run that found no tests also exits 0.
        var ran = System.Text.RegularExpressions.Regex.Match(report, @"^# tests (\d+)$", System.Text.RegularExpressions.RegexOptions.Multiline);
        Assert.That(ran.Success && int.Parse(ran.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > 0, Is.True,
            $"node --test ran no tests:\n{report}");
        TestContext.Out.WriteLine(report);
    }

    private static string? FindOnPath(string name)
    {
        string[] names = OperatingSystem.IsWindows() ? [name + ".exe", name] : [name];
        return (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(dir => names.Select(n => Path.Combine(dir, n)))
            .FirstOrDefault(File.Exists);
    }
}
