using Microsoft.Extensions.Logging;
using Rill.Api;
using Rill.Graph;
using Rill.Logging;
using Rill.Runtime.Messages;

namespace Rill.Runtime.Scheduler.Adaptive;

/// <summary>
/// Reactive mode's scheduler (Flink's AdaptiveScheduler): a state machine (Created → WaitingForResources →
/// CreatingExecutionGraph → Executing, and Restarting, StopWithSavepoint, Canceling, Failing, Finished) that runs the
/// job at the parallelism the available slots allow and rescales it when they change: up and for a leaving TaskManager
/// through stop-with-savepoint (nothing is reprocessed), down after a lost TaskManager from the latest checkpoint.
/// </summary>
internal sealed class AdaptiveScheduler
{
    private static readonly ILogger Logger = RillLogging.CreateLogger<AdaptiveScheduler>();
    private readonly List<RescaleEntry> _rescales = [];

    public AdaptiveScheduler(IAdaptiveSchedulerContext context, ReactiveModeOptions options)
    {
        Context = context;
        Options = options;
        State = new Created(this);
    }

    public IAdaptiveSchedulerContext Context { get; }

    public ReactiveModeOptions Options { get; }

    public AdaptiveSchedulerState State { get; private set; }

    /// <summary>The job parallelism (its widest vertex) of the running or last attempt; 0 before the first.</summary>
    public int CurrentParallelism { get; private set; }

    public DateTimeOffset LastRescale { get; private set; } = DateTimeOffset.MinValue;

    /// <summary>When the job stopped processing for the change under way (a stop-with-savepoint or a failure).</summary>
    public DateTimeOffset? PauseStartedAt { get; set; }

    public IReadOnlyList<RescaleEntry> Rescales => _rescales;

    public void Start() => TransitionTo(new WaitingForResources(this, restore: Context.LatestRestorePoint, cause: null));

    public void TransitionTo(AdaptiveSchedulerState next)
    {
        Logger.LogInformation("Job {JobName}: adaptive scheduler {PreviousState} -> {State}.", Context.Job.JobName, State.Name, next.Name);
        State = next;
        next.OnEnter();
    }

    /// <summary>
    /// Each vertex runs min(slots, what it can take); vertices joined by forward edges need equal parallelism, so they
    /// all take the smallest of their group.
    /// </summary>
    public IReadOnlyDictionary<string, int> ParallelismFor(int slots)
    {
        var parallelism = Context.Job.Vertices.ToDictionary(v => v.Id, v => Math.Max(1, Math.Min(slots, v.ParallelismCap)));
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var edge in Context.Job.Vertices.SelectMany(v => v.Inputs).Where(e => e.IsPointwise))
            {
                var low = Math.Min(parallelism[edge.Source.Producer.Id], parallelism[edge.Target.Id]);
                changed |= parallelism[edge.Source.Producer.Id] != low || parallelism[edge.Target.Id] != low;
                parallelism[edge.Source.Producer.Id] = low;
                parallelism[edge.Target.Id] = low;
            }
        }

        return parallelism;
    }

    public int JobParallelismFor(int slots) => ParallelismFor(slots).Values.Max();

    /// <summary>The job (re)starts at a parallelism; a change against the previous attempt goes into the rescale history.</summary>
    public void RecordDeployment(int parallelism, string? cause)
    {
        var now = DateTimeOffset.UtcNow;
        if (CurrentParallelism > 0 && parallelism != CurrentParallelism)
        {
            var pause = PauseStartedAt is { } since ? (long)(now - since).TotalMilliseconds : 0;
            _rescales.Add(new RescaleEntry(now, cause ?? "resources changed", CurrentParallelism, parallelism, pause));
            Logger.LogInformation("Job {JobName}: rescaled from {PreviousParallelism} to {Parallelism} ({Cause}), paused {PauseMs} ms.",
                Context.Job.JobName, CurrentParallelism, parallelism, cause, pause);
            LastRescale = now;
            var tags = Observability.RuntimeActivities.JobTags(Context.Job.JobId, Context.Job.JobName);
            Observability.RuntimeMetrics.Rescales.Add(1, tags);
            // From the moment processing paused (the stop-with-savepoint or the failure) to the new deployment.
            Observability.RuntimeActivities.Record("rescale", PauseStartedAt ?? now, default,
                [.. tags, new("from_parallelism", CurrentParallelism), new("to_parallelism", parallelism), new("cause", cause ?? "resources changed")]);
        }

        CurrentParallelism = parallelism;
        PauseStartedAt = null;
    }
}
