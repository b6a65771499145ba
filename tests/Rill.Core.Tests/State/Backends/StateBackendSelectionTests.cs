using Rill.Api;
using Rill.Sinks;
using Rill.State;

namespace Rill.Tests.State.Backends;

/// <summary>
/// A job's backend comes from the program (SetStateBackend), else from the launcher (--state-backend or
/// RILL_STATE_BACKEND), else it is the heap; the name is checked, and the backend found, when the job is planned.
/// </summary>
public sealed class StateBackendSelectionTests
{
    [Fact]
    public void TheHeapIsTheDefault()
    {
        var options = Plan(Env());

        Assert.Null(options.Name);
        Assert.IsType<HeapStateBackendFactory>(options.Factory);
    }

    [Fact]
    public void TheLauncherChoosesWhenTheProgramDoesNot()
    {
        var env = Env();
        env.Deployment = DeploymentOptions.Read(ParameterTool.FromArgs(["--state-backend", "rocksdb"]));

        var options = Plan(env);

        Assert.Equal("rocksdb", options.Name);
        Assert.Equal("Rill.StateBackend.RocksDb", options.Factory!.GetType().Assembly.GetName().Name);
        Assert.Contains("state-backend", DeploymentOptions.Keys);
    }

    [Fact]
    public void TheProgramsChoiceWinsOverTheLaunchers()
    {
        var env = Env().SetStateBackend(StateBackends.Heap, "/var/rill-state");
        env.Deployment = env.Deployment with { StateBackend = StateBackends.RocksDb };

        var options = Plan(env);

        Assert.Equal(StateBackends.Heap, options.Name);
        Assert.Equal("/var/rill-state", options.LocalDirectory);
        Assert.IsType<HeapStateBackendFactory>(options.Factory);
    }

    [Fact]
    public void AnUnknownBackendFailsWhenTheJobIsPlannedNotInEveryTask()
    {
        var env = Env().SetStateBackend("hashmap");

        var error = Assert.Throws<ArgumentException>(() => env.GetStreamGraph());

        Assert.Contains("Unknown state backend 'hashmap'", error.Message, StringComparison.Ordinal);
    }

    private static StreamExecutionEnvironment Env()
    {
        var env = StreamExecutionEnvironment.GetExecutionEnvironment().SetParallelism(1);
        env.Deployment = new DeploymentOptions();
        env.FromSequence(0, 10).KeyBy(x => x % 2).Reduce((a, b) => a + b).SinkTo(new DiscardingSink<long>());
        return env;
    }

    private static StateBackendConfig Plan(StreamExecutionEnvironment env) => env.GetJobGraph().Options.StateBackend;
}
