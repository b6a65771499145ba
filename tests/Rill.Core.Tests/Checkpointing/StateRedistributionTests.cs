using Rill.Api;
using Rill.Checkpointing;
using Rill.Functions;
using Rill.Graph;
using Rill.Runtime.Checkpoint;
using Rill.Sinks;
using Rill.State;
using Xunit;

namespace Rill.Tests.Checkpointing;

/// <summary>
/// Keyed state written per key group and list state written per element are redistributed when the parallelism
/// changes: after 1 → 3 → 2 → 5 subtasks every key's value is present exactly once and unchanged, split list state is
/// dealt out without loss or duplicates, and union state reaches every subtask.
/// </summary>
public sealed class StateRedistributionTests : IDisposable
{
    private const int Keys = 5_000;
    private const int MaxParallelism = 128;
    private readonly string _root = Path.Combine(Path.GetTempPath(), "rill-redistribute-" + Guid.NewGuid().ToString("N")[..8]);
    private static readonly ValueStateDescriptor<long> Count = new("count", 0);
    private static readonly ListStateDescriptor<string> Visits = new("visits");

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public void KeyedAndListStateSurviveOneThreeTwoFiveSubtasks()
    {
        var backends = new[] { Backend(1, 0) };
        for (var key = 0; key < Keys; key++)
        {
            var backend = backends[0];
            backend.SetCurrentKey(key);
            backend.GetState(Count).Update(key * 7L);
            backend.GetListState(Visits).AddAll([$"a{key}", $"b{key}"]);
        }

        var splits = Enumerable.Range(0, 11).Select(i => $"split-{i}").ToList();
        IReadOnlyList<IReadOnlyList<string>> splitsPerSubtask = [splits];
        var checkpoint = Snapshot(1, backends, splitsPerSubtask);
        foreach (var parallelism in new[] { 3, 2, 5 })
        {
            var job = Job(parallelism);
            var restores = StateAssignment.Assign(checkpoint, job, allowNonRestoredState: false);
            var vertex = job.Vertices.Single(v => v.Chain.Any(n => n.OperatorId == checkpoint.Operators[0].OperatorId));
            backends = new HeapKeyedStateBackend<int>[parallelism];
            var restoredSplits = new List<IReadOnlyList<string>>();
            for (var subtask = 0; subtask < parallelism; subtask++)
            {
                var state = restores[(vertex.Id, subtask)].For(checkpoint.Operators[0].OperatorId);
                var context = new StateInitializationContext(checkpoint.CheckpointId, state);
                backends[subtask] = Backend(parallelism, subtask);
                backends[subtask].Restore(context.ReadKeyGroups());
                restoredSplits.Add(context.ReadListState<string>("splits"));
                Assert.Equal(["union-0", "union-1"], context.ReadListState<string>("union").Order(StringComparer.Ordinal));
            }

            // Every key exactly once (entries add up), in the subtask that owns its key group, with its value unchanged.
            Assert.Equal(Keys, backends.Sum(b => { b.GetState(Count); return b.CountEntries("count"); }));
            for (var key = 0; key < Keys; key++)
            {
                var owner = backends[KeyGroupRangeAssignment.AssignKeyToParallelOperator(key, MaxParallelism, parallelism)];
                owner.SetCurrentKey(key);
                Assert.Equal(key * 7L, owner.GetState(Count).Value);
                Assert.Equal([$"a{key}", $"b{key}"], owner.GetListState(Visits).Get());
            }

            Assert.Equal(splits.Order(StringComparer.Ordinal), restoredSplits.SelectMany(s => s).Order(StringComparer.Ordinal));
            Assert.All(restoredSplits, s => Assert.InRange(s.Count, splits.Count / parallelism, (splits.Count / parallelism) + 1));
            checkpoint = Snapshot(parallelism, backends, restoredSplits, checkpoint.CheckpointId + 1);
        }
    }

    [Fact]
    public void AChangedMaxParallelismIsRefusedWithTheReason()
    {
        var backend = Backend(1, 0);
        backend.SetCurrentKey(1);
        backend.GetState(Count).Update(1);
        var checkpoint = Snapshot(1, [backend], [[]]);

        var error = Assert.Throws<CheckpointException>(() => StateAssignment.Assign(checkpoint, Job(2, maxParallelism: 256), allowNonRestoredState: false));

        Assert.Contains("max parallelism 256", error.Message, StringComparison.Ordinal);
        Assert.Contains("written with max parallelism 128", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StateOfAnOperatorTheJobNoLongerHasIsRefusedUnlessAllowed()
    {
        var backend = Backend(1, 0);
        backend.SetCurrentKey(1);
        backend.GetState(Count).Update(1);
        var checkpoint = Snapshot(1, [backend], [[]]);

        var error = Assert.Throws<CheckpointException>(() => StateAssignment.Assign(checkpoint, Job(2, uid: "renamed"), allowNonRestoredState: false));
        Assert.Contains("allow-non-restored-state", error.Message, StringComparison.Ordinal);

        var restores = StateAssignment.Assign(checkpoint, Job(2, uid: "renamed"), allowNonRestoredState: true);
        Assert.All(restores.Values, r => Assert.Empty(r.Operators));
    }

    private static HeapKeyedStateBackend<int> Backend(int parallelism, int subtask) =>
        new(KeyGroupRangeAssignment.ComputeKeyGroupRangeForOperatorIndex(MaxParallelism, parallelism, subtask), MaxParallelism);

    /// <summary>A keyed job whose counting operator has a stable uid, at the given parallelism.</summary>
    private static JobGraph Job(int parallelism, int maxParallelism = MaxParallelism, string uid = "counter")
    {
        var env = StreamExecutionEnvironment.GetExecutionEnvironment().SetParallelism(parallelism).SetMaxParallelism(maxParallelism);
        env.FromSequence(0, 10).KeyBy(x => (int)x).Process(new Passthrough()).Uid(uid).SinkTo(new DiscardingSink<long>());
        return env.GetJobGraph();
    }

    private CompletedCheckpoint Snapshot(int parallelism, IReadOnlyList<HeapKeyedStateBackend<int>> backends, IReadOnlyList<IReadOnlyList<string>> splits, long id = 1)
    {
        var operatorId = Job(parallelism).Vertices.SelectMany(v => v.Chain).Single(n => n.Name.Contains("Process", StringComparison.Ordinal)).OperatorId;
        var location = Path.Combine(_root, $"chk-{id}");
        var subtasks = new List<OperatorSubtaskState>();
        for (var subtask = 0; subtask < parallelism; subtask++)
        {
            var context = new StateSnapshotContext(id, CheckpointKind.Checkpoint, operatorId);
            backends[subtask].Snapshot(context);
            context.AddListState("splits", OperatorStateDistribution.Split, splits[subtask]);
            context.AddListState("union", OperatorStateDistribution.Union, subtask == 0 ? ["union-0", "union-1"] : Array.Empty<string>());
            using var writer = new StateFileWriter(Path.Combine(location, $"{subtask}.state"));
            subtasks.Add(context.WriteTo(writer));
            writer.Commit();
        }

        return new CompletedCheckpoint(Guid.NewGuid(), id, DateTimeOffset.UtcNow, CheckpointKind.Checkpoint, location,
            [new OperatorState(operatorId, "Process", parallelism, MaxParallelism, subtasks)], new Dictionary<string, byte[]>());
    }

    private sealed class Passthrough : KeyedProcessFunction<int, long, long>
    {
        public override void ProcessElement(long value, Context context, ICollector<long> output) => output.Collect(value);
    }
}
