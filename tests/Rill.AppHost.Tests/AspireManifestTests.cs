namespace Rill.AppHost.Tests;

/// <summary>aspire-manifest.json at the repository root is what the AppHost publishes today (the Kubernetes generator reads it).</summary>
[Collection(AppHostCollection.Name)]
public sealed class AspireManifestTests
{
    private const string Regenerate = "dotnet run --project AppHost -- --publisher manifest --output-path ../aspire-manifest.json";

    [Fact]
    public async Task The_committed_manifest_is_what_the_AppHost_publishes()
    {
        var root = AppHostProgram.RepositoryRoot;
        var committed = Path.Combine(root, "aspire-manifest.json");
        // Beside the committed file: the manifest names projects by paths relative to its own folder.
        var fresh = Path.Combine(root, $".aspire-manifest.{Guid.NewGuid():N}.tmp.json");
        try
        {
            var run = await AppHostProgram.RunAsync(["--publisher", "manifest", "--output-path", fresh], null, TimeSpan.FromSeconds(90));
            Assert.True(run.ExitCode == 0, $"Publishing the manifest failed (exit {run.ExitCode}): {run.StandardError} {run.StandardOutput}");
            Assert.True(File.Exists(committed), $"aspire-manifest.json is missing at the repository root; generate it with `{Regenerate}` and commit it.");
            var expected = Lines(File.ReadAllText(fresh));
            var actual = Lines(File.ReadAllText(committed));
            var firstDifference = Enumerable.Range(0, Math.Max(expected.Length, actual.Length))
                .FirstOrDefault(i => i >= expected.Length || i >= actual.Length || expected[i] != actual[i], -1);
            if (firstDifference >= 0)
            {
                Assert.Fail($"aspire-manifest.json is stale: line {firstDifference + 1} is '{At(actual, firstDifference)}' but the AppHost now publishes "
                    + $"'{At(expected, firstDifference)}'. Regenerate it with `{Regenerate}` and commit it.");
            }
        }
        finally
        {
            File.Delete(fresh);
        }
    }

    // Git may check the file out with CRLF line ends; the content is what counts.
    private static string[] Lines(string text) => text.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');

    private static string At(string[] lines, int index) => index < lines.Length ? lines[index].Trim() : "(end of file)";
}
