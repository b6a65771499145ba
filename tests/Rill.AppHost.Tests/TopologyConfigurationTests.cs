namespace Rill.AppHost.Tests;

/// <summary>Settings the topology cannot run with stop the AppHost before it starts anything, with one line that says what to change.</summary>
[Collection(AppHostCollection.Name)]
public sealed class TopologyConfigurationTests
{
    [Theory]
    [InlineData("--Rill:TaskManagers=0", "Rill:TaskManagers (the number of task manager replicas) must be a whole number of at least 1, got '0'.")]
    [InlineData("--Rill:Infrastructure=cloud", "Rill:Infrastructure must be 'containers' or 'local', got 'cloud'.")]
    [InlineData("--Rill:WindowMs=-5", "Rill:WindowMs (the window size in milliseconds) must be a whole number of at least 1, got '-5'.")]
    [InlineData("--Rill:DisableDashboard=maybe", "Rill:DisableDashboard must be true or false, got 'maybe'.")]
    public async Task A_bad_setting_fails_fast_with_one_line(string setting, string message)
    {
        // Containers: checked before anything needs an engine, and no redis-server lookup gets in the way.
        var run = await AppHostProgram.RunAsync(["--Rill:Infrastructure=containers", setting], null, TimeSpan.FromSeconds(60));

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("error: " + message, run.StandardError.TrimEnd());
        Assert.DoesNotContain("Distributed application starting", run.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_local_flavour_without_redis_server_on_PATH_says_how_to_install_it()
    {
        var emptyPath = Directory.CreateTempSubdirectory("rill-apphost-path-");
        try
        {
            var run = await AppHostProgram.RunAsync(["--Rill:Infrastructure=local"], new Dictionary<string, string?> { ["PATH"] = emptyPath.FullName },
                TimeSpan.FromSeconds(60));

            Assert.Equal(2, run.ExitCode);
            var line = Assert.Single(run.StandardError.TrimEnd().Split('\n'));
            Assert.StartsWith("error: The local infrastructure flavour runs redis-server from PATH, and there is none.", line, StringComparison.Ordinal);
            Assert.Contains("sudo apt-get install redis-server", line, StringComparison.Ordinal);
        }
        finally
        {
            emptyPath.Delete();
        }
    }
}
