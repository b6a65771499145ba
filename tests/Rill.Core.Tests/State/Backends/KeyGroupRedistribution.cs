using Rill.Api;
using Rill.Checkpointing;
using Rill.Functions;
using Rill.Graph;
using Rill.Runtime.Checkpoint;
using Rill.Sinks;
using Rill.State;

namespace Rill.Tests.State.Backends;

/// <summary>
/// Rescales keyed state as the JobMaster does (as StateRedistributionTests does for the heap backend): snapshots of
/// every subtask become a checkpoint of a keyed operator, <see cref="StateAssignment"/> deals its key groups out to the
/// new parallelism, and each new subtask restores its share, into whichever backend it is given.
/// </summary>
internal sealed class KeyGroupRedistribution(TestBackends backends)
{
    private long _checkpointId;

    public KeyedStateBackend<int>[] Rescale(IReadOnlyList<KeyedStateBackend<int>> from, int toParallelism, string toBackend)
    {
        var checkpoint = Checkpoint(from);
        var job = Job(toParallelism);
        var operatorId = checkpoint.Operators[0].OperatorId;
        var vertex = job.Vertices.Single(v => v.Chain.Any(n => n.OperatorId == operatorId));
        var restores = StateAssignment.Assign(checkpoint, job, allowNonRestoredState: false);
        var to = new KeyedStateBackend<int>[toParallelism];
        for (var subtask = 0; subtask < toParallelism; subtask++)
        {
            to[subtask] = backends.CreateSubtask<int>(toBackend, toParallelism, subtask);
            to[subtask].Restore(new StateInitializationContext(checkpoint.CheckpointId, restores[(vertex.Id, subtask)].For(operatorId)).ReadKeyGroups());
        }

        return to;
    }

    private CompletedCheckpoint Checkpoint(IReadOnlyList<KeyedStateBackend<int>> subtasks)
    {
        var id = ++_checkpointId;
        var operatorId = Job(subtasks.Count).Vertices.SelectMany(v => v.Chain).Single(n => n.Name.Contains("Process", StringComparison.Ordinal)).OperatorId;
        var location = Path.Combine(backends.Root, $"chk-{id}");
        var states = subtasks.Select((backend, subtask) => TestBackends.WriteSnapshot(backend, operatorId, Path.Combine(location, $"{subtask}.state"))).ToList();
        return new CompletedCheckpoint(Guid.NewGuid(), id, DateTimeOffset.UtcNow, CheckpointKind.Checkpoint, location,
            [new OperatorState(operatorId, "Process", subtasks.Count, TestBackends.MaxParallelism, states)], new Dictionary<string, byte[]>());
    }

    /// <summary>A keyed job whose stateful operator has a stable uid, at the given parallelism.</summary>
    private static JobGraph Job(int parallelism)
    {
        var env = StreamExecutionEnvironment.GetExecutionEnvironment().SetParallelism(parallelism).SetMaxParallelism(TestBackends.MaxParallelism);
        env.FromSequence(0, 10).KeyBy(x => (int)x).Process(new Passthrough()).Uid("stateful").SinkTo(new DiscardingSink<long>());
        return env.GetJobGraph();
    }

    private sealed class Passthrough : KeyedProcessFunction<int, long, long>
    {
        public override void ProcessElement(long value, Context context, ICollector<long> output) => output.Collect(value);
    }
}
