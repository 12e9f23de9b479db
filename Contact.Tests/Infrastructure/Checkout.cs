namespace Contact.Tests.Infrastructure;

/// <summary>The source checkout the tests run from (the folder holding Contact.sln), for files the tests read.</summary>
internal static class Checkout
{
    /// <summary>The folder of Contact.sln above the test assembly; fails the test when there is none.</summary>
    internal static string Root()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Contact.sln"))) return dir.FullName;
        }
        throw new AssertionException("No checkout (Contact.sln) found above " + TestContext.CurrentContext.TestDirectory);
    }
}
