namespace Rill.Cli.Tests;

/// <summary><c>rill jobmanager</c> and <c>rill taskmanager</c> as separate processes form a session cluster.</summary>
[Collection(CliProcesses.Name)]
public sealed class SessionClusterTests
{
    [Fact]
    public async Task ATaskManagerRegistersItsSlotsAndTheCliListsIt()
    {
        await using var cluster = await SessionCluster.StartAsync();
        var taskManager = cluster.AddTaskManager(slots: 2);

        await cluster.WaitUntilAsync("one TaskManager is registered", TimeSpan.FromSeconds(15), async () => (await cluster.TaskManagersAsync()).Length == 1, taskManager);

        var registered = Assert.Single(await cluster.TaskManagersAsync());
        Assert.Equal(2, registered.GetProperty("slotsNumber").GetInt32());
        Assert.Equal(2, registered.GetProperty("freeSlots").GetInt32());
        var id = registered.GetProperty("id").GetString()!;

        var run = await CliProcess.RunRillAsync("taskmanagers", "--jobmanager", cluster.Url);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(2, run.OutputLines.Count);
        Assert.Equal([id, "2", "2"], run.OutputLines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task ATaskManagerExitsWithCode0OnSigterm()
    {
        await using var cluster = await SessionCluster.StartAsync();
        var taskManager = cluster.AddTaskManager(slots: 1);
        await cluster.WaitUntilAsync("one TaskManager is registered", async () => (await cluster.TaskManagersAsync()).Length == 1, taskManager);

        taskManager.Signal("TERM");

        var run = await taskManager.WaitForExitAsync(TimeSpan.FromSeconds(10));
        Assert.True(run.ExitCode == 0, run.ToString());
    }
}
