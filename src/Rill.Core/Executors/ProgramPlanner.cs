using Rill.Api;
using Rill.Graph;

namespace Rill.Executors;

/// <summary>
/// Thrown into a program when its plan has been captured, to stop it before it runs anything (Flink's
/// ProgramAbortException). A program must let it pass; if it catches it, the plan is still used.
/// </summary>
public sealed class ProgramAbortException() : Exception("The program's plan was captured; its execution is left to the cluster.");

/// <summary>
/// Rebuilds a job's graph by running its program up to its <c>Execute</c> call (Flink's planning mode). Jobs are
/// code: every process that needs the graph (a JobManager, each TaskManager) runs the same program with the same
/// arguments instead of receiving a serialized graph.
/// </summary>
public static class ProgramPlanner
{
    private static readonly AsyncLocal<bool> Planning = new();

    /// <summary>
    /// True while a cluster runs this program only to rebuild its graph: the program should skip side effects meant
    /// for its real start (checks of an output directory that the running job may already be writing to).
    /// </summary>
    public static bool IsPlanning => Planning.Value;

    /// <summary>Runs <paramref name="program"/> and returns the stream graph of its first <c>Execute</c> call.</summary>
    /// <exception cref="InvalidOperationException">The program ended or failed without calling <c>Execute</c>.</exception>
    /// <param name="defaultParallelism">The parallelism of operators the program sets none for (the <c>run</c> request's).</param>
    public static async Task<StreamGraph> CapturePlanAsync(Func<Task> program, int? defaultParallelism = null)
    {
        var capture = new CapturingFactory();
        Exception? failure = null;
        var previousParallelism = StreamExecutionEnvironment.ScopedDefaultParallelism.Value;
        var previousPlanning = Planning.Value;
        StreamExecutionEnvironment.ScopedDefaultParallelism.Value = defaultParallelism;
        Planning.Value = true;
        using (PipelineExecutorServiceLoader.UseFactoryInScope(capture))
        {
            try
            {
                await program().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                failure = e;
            }
            finally
            {
                StreamExecutionEnvironment.ScopedDefaultParallelism.Value = previousParallelism;
                Planning.Value = previousPlanning;
            }
        }

        if (capture.Graph is { } graph)
        {
            return graph;
        }

        if (failure is not null and not ProgramAbortException)
        {
            throw new InvalidOperationException($"The program failed before it defined a job: {failure.GetBaseException().Message}", failure);
        }

        throw new InvalidOperationException("The program ended without executing a job: it must call Execute or ExecuteAsync on its StreamExecutionEnvironment.");
    }

    private sealed class CapturingFactory : IPipelineExecutorFactory, IPipelineExecutor
    {
        public StreamGraph? Graph { get; private set; }

        public IPipelineExecutor Create(StreamExecutionEnvironment environment) => this;

        public Task<JobExecutionResult> ExecuteAsync(StreamGraph streamGraph, CancellationToken cancellation)
        {
            Graph ??= streamGraph;
            throw new ProgramAbortException();
        }
    }
}
