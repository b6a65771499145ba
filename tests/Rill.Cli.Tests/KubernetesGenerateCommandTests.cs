namespace Rill.Cli.Tests;

/// <summary>
/// <c>rill k8s generate</c> as scripts see it: exit 0 with the base written; exit 1 with one line for a manifest that
/// cannot be deployed; exit 2 with one line for a wrong command line; nothing written when it fails. No cluster is
/// involved: the command only writes files.
/// </summary>
[Collection(CliProcesses.Name)]
public sealed class KubernetesGenerateCommandTests
{
    private static readonly string Fixture = Path.Combine(AppContext.BaseDirectory, "Fixtures", "aspire-manifest.json");

    [Fact]
    public async Task WritesTheBaseAndExits0()
    {
        using var dir = new TempDirectory();
        var output = dir.File("base");

        var run = await CliProcess.RunRillAsync("k8s", "generate", "--manifest", Fixture, "--output", output, "--namespace", "streaming", "--max-replicas", "5");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Empty(run.ErrorLines);
        Assert.Contains($"to {output}.", run.OutputLines[0]);
        var kustomization = File.ReadAllText(Path.Combine(output, "kustomization.yaml"));
        Assert.Contains("namespace: streaming", kustomization);
        Assert.Contains("maxReplicas: 5", File.ReadAllText(Path.Combine(output, "taskmanager-horizontalpodautoscaler.yaml")));
        Assert.All(kustomization.Split('\n').Where(line => line.StartsWith("- ", StringComparison.Ordinal)), line => Assert.True(File.Exists(Path.Combine(output, line[2..])), line));
    }

    [Fact]
    public async Task AMissingManifestIsExitCode1WithOneLine()
    {
        using var dir = new TempDirectory();

        var run = await CliProcess.RunRillAsync("k8s", "generate", "--manifest", dir.File("aspire-manifest.json"), "--output", dir.File("base"));

        AssertFailure(run, 1, "does not exist");
        Assert.False(Directory.Exists(dir.File("base")));
    }

    [Theory]
    [InlineData("""{"resources": {"db": {"type": "azure.bicep.v0", "path": "db.bicep"}}}""", "resource 'db' has type 'azure.bicep.v0'")]
    [InlineData("""{"resources": {"api": {"type": "container.v0", "image": "api", "env": {"DB": "{db.connectionString}"}}}}""", "cannot resolve the expression {db.connectionString}")]
    [InlineData("""{"resources": {"redis": {"type": "executable.v0", "command": "redis-server"}}}""", "executable")]
    [InlineData("{ not json", "is not valid JSON")]
    public async Task AManifestThatCannotBeDeployedIsExitCode1WithOneLine(string manifest, string expected)
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("aspire-manifest.json"), manifest);

        var run = await CliProcess.RunRillAsync("k8s", "generate", "--manifest", dir.File("aspire-manifest.json"), "--output", dir.File("base"));

        AssertFailure(run, 1, expected);
        Assert.False(Directory.Exists(dir.File("base")));
    }

    [Theory]
    [InlineData("--min-replicas", "0")]
    [InlineData("--max-replicas", "1")]
    [InlineData("--cpu-target", "lots")]
    [InlineData("--checkpoint-volume-size", "ten gigs")]
    [InlineData("--taskmanager-grace-period", "-5")]
    [InlineData("--parameter", "no-value")]
    [InlineData("--namespace", "Not_A_Namespace")]
    [InlineData("--no-such-option", "x")]
    public async Task AWrongCommandLineIsExitCode2WithOneLine(string option, string value)
    {
        using var dir = new TempDirectory();

        var run = await CliProcess.RunRillAsync("k8s", "generate", "--manifest", Fixture, "--output", dir.File("base"), option, value);

        AssertFailure(run, 2, "");
        Assert.False(Directory.Exists(dir.File("base")));
    }

    [Fact]
    public async Task AnOutputDirectoryWithOtherFilesIsExitCode2AndLeftAlone()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("notes.txt"), "mine");

        var run = await CliProcess.RunRillAsync("k8s", "generate", "--manifest", Fixture, "--output", dir.Path);

        AssertFailure(run, 2, "is not empty");
        Assert.Equal(["notes.txt"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task HelpListsTheOptions()
    {
        var run = await CliProcess.RunRillAsync("k8s", "generate", "--help");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("--taskmanager-grace-period", run.StandardOutput);
        Assert.Contains("--storage-class", run.StandardOutput);
    }

    private static void AssertFailure(CliRun run, int exitCode, string expected)
    {
        Assert.True(run.ExitCode == exitCode, run.ToString());
        var error = Assert.Single(run.ErrorLines);
        Assert.StartsWith("error: ", error);
        Assert.Contains(expected, error);
        Assert.Empty(run.OutputLines);
    }
}
