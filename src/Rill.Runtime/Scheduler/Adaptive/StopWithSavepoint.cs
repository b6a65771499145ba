using Microsoft.Extensions.Logging;
using Rill.Logging;
using Rill.Runtime.Checkpoint;

namespace Rill.Runtime.Scheduler.Adaptive;

/// <summary>
/// Takes a savepoint after which the tasks stop, then redeploys at the parallelism the remaining slots allow, starting
/// from that savepoint: nothing is processed twice. A failed savepoint resumes the job (or, when a TaskManager must
/// leave anyway, restarts it from the latest checkpoint without that TaskManager).
/// </summary>
internal sealed class StopWithSavepoint(AdaptiveScheduler scheduler, string cause) : AdaptiveSchedulerState(scheduler)
{
    private static readonly ILogger Logger = RillLogging.CreateLogger<StopWithSavepoint>();
    private CompletedCheckpoint? _savepoint;

    public override string Name => "StopWithSavepoint";

    // Right after a deployment tasks are still starting, and a savepoint cannot be taken yet: retried for up to 10 s.
    private const int MaxTriggerAttempts = 100;
    private static readonly TimeSpan TriggerRetryDelay = TimeSpan.FromMilliseconds(100);

    public override void OnEnter()
    {
        Scheduler.PauseStartedAt = DateTimeOffset.UtcNow;
        Trigger(1);
    }

    private void Trigger(int attempt)
    {
        var savepoint = Context.TriggerStopWithSavepointAsync();
        savepoint.ContinueWith(t => Context.RunLater(TimeSpan.Zero, () =>
        {
            if (!IsCurrent)
            {
                return;
            }

            if (t.IsFaulted && t.Exception!.InnerException is Checkpointing.CheckpointException { Message: var message }
                && message.Contains("not all tasks are running", StringComparison.Ordinal) && attempt < MaxTriggerAttempts)
            {
                Context.RunLater(TriggerRetryDelay, () =>
                {
                    if (IsCurrent)
                    {
                        Trigger(attempt + 1);
                    }
                });
                return;
            }

            if (t.IsFaulted)
            {
                var error = t.Exception!.InnerException!;
                Logger.LogWarning(error, "Job {JobName}: stop-with-savepoint for '{Cause}' failed: {Reason}", Context.Job.JobName, cause, error.Message);
                if (Context.HasLeavingTaskManagers)
                {
                    Restarting.OrFail(Scheduler, new InvalidOperationException($"{cause}, and the savepoint failed: {error.Message}", error));
                }
                else
                {
                    Scheduler.PauseStartedAt = null;
                    Scheduler.TransitionTo(new Executing(Scheduler));
                }

                return;
            }

            _savepoint = t.Result;
            ContinueIfStopped();
        }), TaskScheduler.Default);
    }

    public override void OnAllTasksTerminal() => ContinueIfStopped();

    public override void OnTaskFailure(Exception failure) => Restarting.OrFail(Scheduler, failure);

    private void ContinueIfStopped()
    {
        if (_savepoint is null || !Context.AllTasksTerminal)
        {
            return;
        }

        Context.ReleaseLeavingTaskManagers();
        Scheduler.TransitionTo(Context.AvailableSlots >= Scheduler.Options.MinParallelism
            ? new CreatingExecutionGraph(Scheduler, _savepoint, cause)
            : new WaitingForResources(Scheduler, _savepoint, cause));
    }
}
