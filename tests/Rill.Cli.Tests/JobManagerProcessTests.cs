using System.Net;
using System.Net.Sockets;

namespace Rill.Cli.Tests;

/// <summary><c>rill jobmanager</c> as an operator runs it: it serves the REST API, stops cleanly on SIGTERM, and refuses unsafe setups.</summary>
[Collection(CliProcesses.Name)]
public sealed class JobManagerProcessTests
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ServesTheRestApiAndExitsWithCode0OnSigterm()
    {
        await using var cluster = await SessionCluster.StartAsync();

        var taskManagers = await CliProcess.RunRillAsync("taskmanagers", "--jobmanager", cluster.Url);

        Assert.True(taskManagers.ExitCode == 0, taskManagers.ToString());
        Assert.Empty(taskManagers.ErrorLines);
        Assert.Equal(["ID", "SLOTS", "FREE", "SLOTS"], Assert.Single(taskManagers.OutputLines).Split(' ', StringSplitOptions.RemoveEmptyEntries));

        cluster.JobManager.Signal("TERM");
        var run = await cluster.JobManager.WaitForExitAsync(ExitTimeout);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.DoesNotContain(run.ErrorLines, line => line.StartsWith("error:", StringComparison.Ordinal));
        Assert.DoesNotContain("Exception", run.StandardError);
    }

    [Fact]
    public async Task CtrlCStopsItCleanlyToo()
    {
        await using var cluster = await SessionCluster.StartAsync();

        cluster.JobManager.Signal("INT");

        var run = await cluster.JobManager.WaitForExitAsync(ExitTimeout);
        Assert.True(run.ExitCode == 0, run.ToString());
    }

    [Fact]
    public async Task AnEmptyJobListIsAHeaderOnly()
    {
        await using var cluster = await SessionCluster.StartAsync();

        var run = await CliProcess.RunRillAsync("list", "--jobmanager", cluster.Url);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["ID", "NAME", "STATUS", "START", "DURATION"], Assert.Single(run.OutputLines).Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData("info")]
    [InlineData("cancel")]
    [InlineData("savepoint")]
    [InlineData("stop")]
    public async Task AnUnknownJobIsExitCode1WithTheServersDetail(string command)
    {
        await using var cluster = await SessionCluster.StartAsync();
        const string unknown = "0123456789abcdef0123456789abcdef";

        var run = await CliProcess.RunRillAsync(command, unknown, "--jobmanager", cluster.Url);

        Assert.True(run.ExitCode == 1, run.ToString());
        var error = Assert.Single(run.ErrorLines);
        // RestServer's problem detail for a 404: "Job <id> not found."
        Assert.StartsWith($"error: Job {unknown} not found.", error);
        Assert.Empty(run.OutputLines);
    }

    [Fact]
    public async Task ATokenProtectedApiNeedsTheTokenWhichTheEnvironmentMayGive()
    {
        const string token = "test-token-123";
        await using var cluster = await SessionCluster.StartAsync(token);

        var without = await CliProcess.RunRillAsync("taskmanagers", "--jobmanager", cluster.Url);
        var withOption = await CliProcess.RunRillAsync("taskmanagers", "--jobmanager", cluster.Url, "--auth-token", token);
        var fromEnvironment = await CliProcess.RunAsync(Programs.Rill, ["taskmanagers", "--jobmanager", cluster.Url],
            new Dictionary<string, string> { ["RILL_AUTH_TOKEN"] = token });

        Assert.True(without.ExitCode == 1, without.ToString());
        Assert.Contains("bearer token", Assert.Single(without.ErrorLines), StringComparison.OrdinalIgnoreCase);
        Assert.True(withOption.ExitCode == 0, withOption.ToString());
        Assert.True(fromEnvironment.ExitCode == 0, fromEnvironment.ToString());
    }

    [Fact]
    public async Task RefusesToServeBeyondLoopbackWithoutAToken()
    {
        var run = await CliProcess.RunRillAsync("jobmanager", "--bind-address", "0.0.0.0", "--port", $"{FreePort.Next()}");

        Assert.NotEqual(0, run.ExitCode);
        var error = Assert.Single(run.ErrorLines);
        Assert.StartsWith("error: ", error);
        Assert.Contains("token", error);
        Assert.Empty(run.OutputLines);
    }

    [Fact]
    public async Task APortInUseIsExitCode1WithOneLine()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((IPEndPoint)occupant.LocalEndpoint).Port;

        var run = await CliProcess.RunRillAsync("jobmanager", "--port", $"{port}");

        Assert.True(run.ExitCode == 1, run.ToString());
        var error = Assert.Single(run.ErrorLines);
        Assert.StartsWith("error: ", error);
        Assert.Contains($"{port}", error);
        Assert.Contains("in use", error);
    }
}
