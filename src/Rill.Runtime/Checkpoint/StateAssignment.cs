using Rill.Checkpointing;
using Rill.Graph;
using Rill.State;

namespace Rill.Runtime.Checkpoint;

/// <summary>
/// Maps a completed checkpoint onto a job graph, whose parallelism may differ from the checkpoint's (Flink's
/// StateAssignmentOperation): keyed state goes by key group to the subtask whose range holds it, split list state is
/// dealt out round-robin (each element to one subtask; unchanged parallelism keeps each subtask's own), union list
/// state goes to every subtask. Refuses, with the reason, what cannot be restored faithfully.
/// </summary>
public static class StateAssignment
{
    /// <summary>What each subtask (by vertex id and subtask index) starts from.</summary>
    public static IReadOnlyDictionary<(string VertexId, int Subtask), TaskRestore> Assign(CompletedCheckpoint checkpoint, JobGraph job, bool allowNonRestoredState)
    {
        var nodes = job.Vertices.SelectMany(v => v.Chain.Select(n => (Vertex: v, Node: n))).ToDictionary(x => x.Node.OperatorId);
        foreach (var state in checkpoint.Operators.Where(o => !o.IsEmpty))
        {
            if (!nodes.TryGetValue(state.OperatorId, out var target))
            {
                if (allowNonRestoredState)
                {
                    continue;
                }

                throw new CheckpointException(
                    $"The checkpoint holds state of operator '{state.OperatorName}' (id {state.OperatorId}) that no operator of this job has. "
                    + "Give operators stable ids with Uid(\"…\") so a changed program maps its state, or allow dropping it with --allow-non-restored-state.");
            }

            if (state.HasKeyedState && state.MaxParallelism != target.Vertex.MaxParallelism)
            {
                throw new CheckpointException(
                    $"Operator '{target.Node.Name}' has max parallelism {target.Vertex.MaxParallelism}, but its state was written with max parallelism "
                    + $"{state.MaxParallelism}: keyed state is split into that many key groups, so max parallelism is fixed once a checkpoint exists. "
                    + $"Set it to {state.MaxParallelism} (SetMaxParallelism).");
            }
        }

        var byOperator = checkpoint.Operators.ToDictionary(o => o.OperatorId);
        var result = new Dictionary<(string, int), TaskRestore>();
        foreach (var vertex in job.Vertices)
        {
            for (var subtask = 0; subtask < vertex.Parallelism; subtask++)
            {
                var operators = new List<OperatorSubtaskState>();
                foreach (var node in vertex.Chain)
                {
                    if (byOperator.TryGetValue(node.OperatorId, out var state) && !state.IsEmpty)
                    {
                        operators.Add(ForSubtask(state, vertex, subtask));
                    }
                }

                result[(vertex.Id, subtask)] = new TaskRestore(checkpoint.CheckpointId, operators);
            }
        }

        return result;
    }

    private static OperatorSubtaskState ForSubtask(OperatorState state, JobVertex vertex, int subtask)
    {
        var range = KeyGroupRangeAssignment.ComputeKeyGroupRangeForOperatorIndex(vertex.MaxParallelism, vertex.Parallelism, subtask);
        var keyGroups = state.Subtasks.SelectMany(s => s.KeyGroups).Where(k => range.Contains(k.KeyGroup)).OrderBy(k => k.KeyGroup).ToList();
        var lists = new List<OperatorListState>();
        foreach (var name in state.Subtasks.SelectMany(s => s.ListStates).Select(l => l.Name).Distinct())
        {
            var perOldSubtask = state.Subtasks.Select(s => s.ListStates.Where(l => l.Name == name).ToList()).ToList();
            var distribution = perOldSubtask.SelectMany(l => l).First().Distribution;
            IReadOnlyList<StateSlice> elements;
            if (distribution == OperatorStateDistribution.Union)
            {
                elements = perOldSubtask.SelectMany(l => l).SelectMany(l => l.Elements).ToList();
            }
            else if (state.Parallelism == vertex.Parallelism)
            {
                elements = perOldSubtask[subtask].SelectMany(l => l.Elements).ToList();
            }
            else
            {
                elements = perOldSubtask.SelectMany(l => l).SelectMany(l => l.Elements).Where((_, index) => index % vertex.Parallelism == subtask).ToList();
            }

            lists.Add(new OperatorListState(name, distribution, elements));
        }

        return new OperatorSubtaskState(state.OperatorId, keyGroups, lists);
    }
}
