using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Rill.Accumulators;
using Rill.Checkpointing;
using Rill.Graph;
using Rill.Logging;
using Rill.Metrics;
using Rill.Network;
using Rill.Operators;
using Rill.Sources;

namespace Rill.Tasks;

/// <summary>
/// Runs one subtask of a job vertex on its own thread: builds the operator chain, reads network input (or polls
/// the source), writes network output, and processes mail between buffers. Operators are single-threaded by
/// construction. Flink's StreamTask, with SourceStreamTask and OneInputStreamTask folded into two loops.
/// </summary>
public sealed class StreamTask
{
    private static readonly ILogger Logger = RillLogging.CreateLogger<StreamTask>();
    private readonly TaskDeploymentDescriptor _descriptor;
    private readonly TaskEnvironment _environment;
    private readonly CancellationTokenSource _cancellation = new();
    private readonly TaskMailbox _mailbox = new();
    private readonly List<StreamOperator> _operators = [];
    private readonly List<INetworkOutput> _networkOutputs = [];
    private readonly List<ResultPartition> _partitions = [];
    private readonly List<Network.Remote.RemoteInputChannel> _remoteChannels = [];
    private StreamOperator? _head;
    private IStreamTaskInput? _input;
    private readonly SortedDictionary<long, Action> _outOfOrder = [];
    private long _nextSequence;
    private long _bufferTimeoutMs;
    private long _nextFlush;
    private CheckpointBarrierHandler? _barriers;
    private bool _operatorsFinished;
    private long? _finalCheckpointId;
    private bool _finalCheckpointCompleted;
    private long? _stopWithSavepointId;
    private long _highestAborted = -1;
    private bool _stopped;

    public StreamTask(TaskDeploymentDescriptor descriptor, TaskEnvironment environment)
    {
        _descriptor = descriptor;
        _environment = environment;
        Info = descriptor.TaskInfo;
    }

    public TaskInfo Info { get; }

    public Guid ExecutionAttemptId => _descriptor.ExecutionAttemptId;

    public TaskIOMetrics Metrics { get; } = new();

    public AccumulatorRegistry Accumulators { get; } = new();

    /// <summary>Number of operators in the chain; a chain of N operators runs on this one thread.</summary>
    public int ChainLength => _descriptor.Vertex.Chain.Count;

    /// <summary>The id of the thread running the task, once started (tests use it to prove chaining).</summary>
    public int? ThreadId { get; private set; }

    public void Cancel() => _cancellation.Cancel();

    /// <summary>Runs an action on the task thread between records.</summary>
    public void Post(Action mail) => _mailbox.Post(mail);

    /// <summary>
    /// Hands a coordinator's event to an operator; it is looked up and handled on the task thread, after the chain exists.
    /// Events and checkpoint triggers are numbered by the JobMaster and handled in that order, whatever order the calls
    /// arrive in: a split assigned before a checkpoint's coordinator snapshot must reach the reader before its barrier.
    /// </summary>
    public void DeliverOperatorEvent(long sequence, string operatorId, OperatorEvent operatorEvent) => PostInOrder(sequence, () =>
    {
        var target = _operators.Find(o => o.Context.OperatorId == operatorId) as ISourceOperator
            ?? throw new InvalidOperationException($"Task {Info.TaskNameWithSubtask} has no source operator {operatorId}.");
        target.HandleOperatorEvent(operatorEvent);
    });

    /// <summary>Starts a checkpoint at this source task: snapshot, then the barrier goes downstream after every record emitted so far.</summary>
    public void TriggerCheckpoint(long sequence, CheckpointBarrier barrier) => PostInOrder(sequence, () =>
    {
        if (_head is not ISourceOperator)
        {
            throw new InvalidOperationException($"Task {Info.TaskNameWithSubtask} is not a source: checkpoints reach it through barriers.");
        }

        if (_stopped)
        {
            // Stopped with a savepoint and about to finish: it has no state left, and its end counts as its acknowledgement.
            return;
        }

        PerformCheckpoint(barrier);
    });

    public void NotifyCheckpointComplete(long checkpointId) => _mailbox.Post(() =>
    {
        foreach (var op in _operators)
        {
            RunWithOperatorName(op, o => o.NotifyCheckpointComplete(checkpointId));
        }

        if (_finalCheckpointId is { } final && checkpointId >= final)
        {
            _finalCheckpointCompleted = true;
        }

        if (_stopWithSavepointId is { } stop && checkpointId >= stop)
        {
            _finalCheckpointCompleted = true;
        }
    });

    public void NotifyCheckpointAborted(long checkpointId) => _mailbox.Post(() =>
    {
        // The abort may overtake the trigger or the barrier of that checkpoint: remembered, so they start nothing.
        _highestAborted = Math.Max(_highestAborted, checkpointId);
        _barriers?.Abort(checkpointId);
        foreach (var op in _operators)
        {
            RunWithOperatorName(op, o => o.NotifyCheckpointAborted(checkpointId));
        }

        if (_stopWithSavepointId == checkpointId && !_finalCheckpointCompleted)
        {
            // The savepoint failed: the job goes on (Flink resumes the sources after a failed stop-with-savepoint).
            _stopWithSavepointId = null;
            _stopped = false;
        }

        if (_finalCheckpointId == checkpointId)
        {
            _finalCheckpointId = null; // the next checkpoint becomes the final one
        }
    });

    private void PostInOrder(long sequence, Action action) => _mailbox.Post(() =>
    {
        _outOfOrder[sequence] = action;
        while (_outOfOrder.Remove(_nextSequence, out var next))
        {
            _nextSequence++;
            next();
        }
    });

    private bool CheckpointingEnabled => _descriptor.Job.Options.Checkpointing.IsEnabled && _environment.Checkpoints is not null;

    /// <summary>
    /// The synchronous part on the task thread (every chained operator's state to bytes, then the barrier goes on),
    /// then the asynchronous part on the thread pool (bytes to the checkpoint's file, fsync, acknowledge).
    /// </summary>
    private void PerformCheckpoint(CheckpointBarrier barrier)
    {
        var responder = _environment.Checkpoints;
        if (responder is null)
        {
            return;
        }

        if (barrier.CheckpointId <= _highestAborted)
        {
            // Already given up: no snapshot and no stop, but the barrier goes on so nothing downstream waits for it.
            foreach (var output in _networkOutputs)
            {
                output.BroadcastEvent(barrier);
            }

            return;
        }

        var start = Stopwatch.GetTimestamp();
        var snapshots = new List<StateSnapshotContext>(_operators.Count);
        Exception? failure = null;
        foreach (var op in _operators)
        {
            var context = new StateSnapshotContext(barrier.CheckpointId, barrier.Kind, op.Context.OperatorId);
            try
            {
                op.SnapshotState(context);
            }
            catch (Exception e)
            {
                failure = new OperatorException(op.Name, e);
                break;
            }

            snapshots.Add(context);
        }

        // The barrier goes on even when this snapshot failed: downstream tasks must not stay blocked waiting for it.
        foreach (var output in _networkOutputs)
        {
            output.BroadcastEvent(barrier);
        }

        if (_operatorsFinished)
        {
            _finalCheckpointId ??= barrier.CheckpointId;
        }

        if (barrier.Kind == CheckpointKind.SavepointTerminate && failure is null)
        {
            // Stop with savepoint: nothing after the barrier is emitted; the task ends once the savepoint completes.
            _stopWithSavepointId = barrier.CheckpointId;
            _stopped = true;
        }

        var syncMs = (long)Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        if (failure is not null)
        {
            responder.Decline(ExecutionAttemptId, barrier.CheckpointId, $"{Info.TaskNameWithSubtask}: snapshot failed: {failure.Message}");
            return;
        }

        var attemptId = ExecutionAttemptId;
        var fileName = $"{_descriptor.Vertex.Id}-{Info.SubtaskIndex}-{attemptId.ToString("N")[..8]}.state";
        _ = Task.Run(() =>
        {
            var asyncStart = Stopwatch.GetTimestamp();
            try
            {
                IReadOnlyList<OperatorSubtaskState> states;
                if (snapshots.All(s => s.IsEmpty))
                {
                    states = [];
                }
                else
                {
                    using var writer = new StateFileWriter(Path.Combine(barrier.Location, fileName), createDirectory: false);
                    states = snapshots.Where(s => !s.IsEmpty).Select(s => s.WriteTo(writer)).ToList();
                    writer.Commit();
                }

                responder.Acknowledge(attemptId, barrier.CheckpointId,
                    new TaskStateSnapshot(states, syncMs, (long)Stopwatch.GetElapsedTime(asyncStart).TotalMilliseconds));
            }
            catch (Exception e)
            {
                responder.Decline(attemptId, barrier.CheckpointId, $"{Info.TaskNameWithSubtask}: writing the snapshot failed: {e.Message}");
            }
        });
    }

    /// <summary>Runs the task to its end on the calling thread; throws the failure, or OperationCanceledException when cancelled.</summary>
    public void Invoke()
    {
        ThreadId = Environment.CurrentManagedThreadId;
        // Reported until the task ends; the last counts are added then, so the meter's sums are exact.
        using var reporting = TaskMetricsReporter.Register(Metrics, Info, _descriptor.Job.JobName);
        var token = _cancellation.Token;
        _bufferTimeoutMs = (long)_environment.Partitions.Config.BufferTimeout.TotalMilliseconds;
        var completed = false;
        try
        {
            BuildChain(token);
            Metrics.TrackBackPressureOf(_partitions.Select(p => p.BufferPool));
            var restore = _descriptor.Restore;
            for (var i = _operators.Count - 1; i >= 0; i--)
            {
                var op = _operators[i];
                var context = new StateInitializationContext(restore?.CheckpointId, restore?.For(op.Context.OperatorId));
                RunWithOperatorName(op, o => o.InitializeState(context));
            }

            for (var i = _operators.Count - 1; i >= 0; i--)
            {
                RunWithOperatorName(_operators[i], static op => op.Open());
            }

            if (_head is ISourceOperator source)
            {
                RunSource(source, token);
                if (!_stopped)
                {
                    FinishOperators();
                }

                WaitForFinalCheckpoint(token);
            }
            else
            {
                RunNetworkInput(token);
            }

            foreach (var output in _networkOutputs)
            {
                output.Flush();
                output.EndOfPartition();
            }

            completed = true;
        }
        finally
        {
            Exception? closeFailure = null;
            foreach (var op in _operators)
            {
                try
                {
                    op.Close();
                }
                catch (Exception e)
                {
                    closeFailure ??= new OperatorException(op.Name, e);
                }
            }

            foreach (var output in _networkOutputs)
            {
                output.ReleaseUnsent();
            }

            foreach (var remoteChannel in _remoteChannels)
            {
                remoteChannel.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }

            // A failure while closing fails an otherwise successful task; after a failure it must not replace the
            // original cause (it is often just a consequence of it), so it is only reported.
            if (closeFailure is not null && completed && !token.IsCancellationRequested)
            {
                throw closeFailure;
            }

            if (closeFailure is not null && !completed)
            {
                Logger.LogWarning(closeFailure, "{Task}: also failed while closing after the failure: {Reason}", Info.TaskNameWithSubtask, closeFailure.Message);
            }
        }
    }

    /// <summary>Mail posted by an operator (processing-time timers) fails under that operator's name.</summary>
    private static void RunAsOperator(string operatorName, Action mail)
    {
        try
        {
            mail();
        }
        catch (Exception e) when (e is not OperatorException and not OperationCanceledException)
        {
            throw new OperatorException(operatorName, e);
        }
    }

    private static void RunWithOperatorName(StreamOperator op, Action<StreamOperator> action)
    {
        try
        {
            action(op);
        }
        catch (Exception e) when (e is not OperatorException and not OperationCanceledException)
        {
            throw new OperatorException(op.Name, e);
        }
    }

    private void BuildChain(CancellationToken token)
    {
        var vertex = _descriptor.Vertex;
        var job = _descriptor.Job;
        var partitionOfEdge = new Dictionary<StreamEdge, ResultPartition>();
        foreach (var produced in _descriptor.ProducedPartitions)
        {
            var partition = _environment.Partitions.GetOrCreate(produced.Id, produced.NumberOfSubpartitions);
            _partitions.Add(partition);
            partitionOfEdge[produced.DataSet.StreamEdge] = partition;
        }

        var inputs = new Dictionary<int, object>();
        var built = new StreamOperator[vertex.Chain.Count];
        for (var i = vertex.Chain.Count - 1; i >= 0; i--)
        {
            var node = vertex.Chain[i];
            var outputs = new List<object>();
            foreach (var edge in node.OutEdges)
            {
                object output;
                if (partitionOfEdge.TryGetValue(edge, out var partition))
                {
                    output = edge.Type.CreateRecordWriterOutput(partition, edge.Partitioner, Info.SubtaskIndex, Metrics, token);
                    _networkOutputs.Add((INetworkOutput)output);
                }
                else
                {
                    output = edge.Type.CreateChainingOutput(inputs[edge.Target.Id], edge.Target.Name);
                }

                if (edge.SideOutputTag is { } tag)
                {
                    output = edge.Type.CreateSideOutputRouter(node.OutputType, tag, output);
                }

                outputs.Add(output);
            }

            var nodeOutput = outputs.Count == 0 ? node.OutputType.CreateDiscardingOutput() : node.OutputType.CreateBroadcastingOutput(outputs);
            var op = node.Factory();
            var operatorName = node.Name;
            var context = new OperatorContext(Info, node.Name, node.OperatorId, job.RuntimeMode, _environment.ProcessingTime, Accumulators, Metrics,
                mail => _mailbox.Post(() => RunAsOperator(operatorName, mail)), job.Options);
            var operatorId = node.OperatorId;
            context.SendToCoordinator = e => _environment.SendEventToCoordinator(operatorId, e);
            op.Setup(context, nodeOutput);
            inputs[node.Id] = op;
            built[i] = op;
        }

        _operators.AddRange(built);
        _head = built[0];
        if (vertex.IsSource)
        {
            return;
        }

        var channels = new List<IInputChannel>();
        foreach (var gate in _descriptor.InputGates)
        {
            foreach (var channel in gate.Channels)
            {
                if (channel.ProducerDataAddress is { } remote)
                {
                    var config = _environment.Partitions.Config;
                    var remoteChannel = new Network.Remote.RemoteInputChannel(remote, channel.Partition, channel.ProducerSubpartitions, channel.SubpartitionIndex,
                        config.RemoteBuffersPerChannel, config.SegmentSize);
                    _remoteChannels.Add(remoteChannel);
                    remoteChannel.ConnectAsync(token).GetAwaiter().GetResult();
                    channels.Add(remoteChannel);
                }
                else
                {
                    var partition = _environment.Partitions.GetOrCreate(channel.Partition, channel.ProducerSubpartitions);
                    channels.Add(partition.Subpartitions[channel.SubpartitionIndex]);
                }
            }
        }

        var inputGate = new InputGate(channels.ToArray());
        _input = vertex.Head.InputType!.CreateNetworkInput(inputGate, _head, vertex.Head.Name, Metrics);
        if (CheckpointingEnabled)
        {
            _barriers = new CheckpointBarrierHandler(inputGate.NumberOfChannels, job.Options.Checkpointing.Mode, PerformCheckpoint, _mailbox);
            _input.Barriers = _barriers;
        }

        inputGate.Connect(_mailbox);
    }

    /// <summary>
    /// Reads until every input delivered end of data, finishes the operators (unless stopping with a savepoint), then
    /// keeps reading barriers until the final checkpoint is complete and every input has ended.
    /// </summary>
    private void RunNetworkInput(CancellationToken token)
    {
        var input = _input!;
        var timeout = TimeSpan.FromMilliseconds(Math.Max(1, _bufferTimeoutMs));
        _nextFlush = Environment.TickCount64 + _bufferTimeoutMs;
        while (!(input.IsFinished && (_operatorsFinished || _stopped) && FinalCheckpointDone))
        {
            token.ThrowIfCancellationRequested();
            DrainMail();
            if (input.IsDataEnded && !_operatorsFinished && !_stopped)
            {
                FinishOperators();
                continue;
            }

            if (_mailbox.TryTakeData(out var channel))
            {
                if (_barriers is not null && _barriers.IsBlocked(channel))
                {
                    _barriers.Defer(channel);
                    continue;
                }

                input.ProcessChannel(channel);
                FlushIfDue();
                continue;
            }

            // Nothing to read: send partly filled buffers now rather than let records wait for the timeout.
            FlushOutputs();
            Metrics.IdleTicks += _mailbox.WaitForWork(timeout, token);
        }

        DrainMail();
    }

    private void RunSource(ISourceOperator source, CancellationToken token)
    {
        var wake = new Action<Task>(_ => _mailbox.Wake());
        Task? watched = null;
        _nextFlush = Environment.TickCount64 + _bufferTimeoutMs;
        while (true)
        {
            token.ThrowIfCancellationRequested();
            DrainMail();
            if (_stopped)
            {
                // Stop with savepoint: nothing is emitted after its barrier; the task ends once the savepoint completes,
                // or reads on if it failed.
                if (_finalCheckpointCompleted)
                {
                    break;
                }

                FlushOutputs();
                Metrics.IdleTicks += _mailbox.WaitForWork(TimeSpan.FromMilliseconds(50), token);
                continue;
            }

            var status = source.EmitNext();
            if (status == InputStatus.EndOfInput)
            {
                break;
            }

            if (status == InputStatus.NothingAvailable)
            {
                FlushOutputs();
                var available = source.IsAvailable();
                if (!available.IsCompleted)
                {
                    // Inline: waking the mailbox is cheap and must not wait for a thread-pool thread. Once per
                    // availability task, however long the reader stays idle.
                    if (!ReferenceEquals(available, watched))
                    {
                        watched = available;
                        available.ContinueWith(wake, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                    }

                    Metrics.IdleTicks += _mailbox.WaitForWork(TimeSpan.FromMilliseconds(50), token);
                }

                continue;
            }

            FlushIfDue();
        }
    }

    /// <summary>Without checkpointing a task ends with its input; with it, only once a checkpoint after its end (or its stop-with-savepoint) completed.</summary>
    private bool FinalCheckpointDone => !CheckpointingEnabled || _finalCheckpointCompleted;

    /// <summary>End of input: operators emit what they still hold (head to tail), and consumers learn that no more data follows.</summary>
    private void FinishOperators()
    {
        _operatorsFinished = true;
        foreach (var op in _operators)
        {
            RunWithOperatorName(op, static o => o.Finish());
        }

        foreach (var output in _networkOutputs)
        {
            output.BroadcastEvent(EndOfDataEvent.Instance);
        }
    }

    /// <summary>A finished source task stays until a checkpoint taken after its end completes (FLIP-147), so a sink commits the last records.</summary>
    private void WaitForFinalCheckpoint(CancellationToken token)
    {
        while (!FinalCheckpointDone)
        {
            token.ThrowIfCancellationRequested();
            DrainMail();
            if (!FinalCheckpointDone)
            {
                FlushOutputs();
                Metrics.IdleTicks += _mailbox.WaitForWork(TimeSpan.FromMilliseconds(50), token);
            }
        }
    }

    private void DrainMail()
    {
        while (_mailbox.TryTakeMail(out var mail))
        {
            mail();
        }
    }

    /// <summary>A busy task still sends partly filled buffers once per buffer timeout (Flink's output flusher).</summary>
    private void FlushIfDue()
    {
        if (Environment.TickCount64 >= _nextFlush)
        {
            FlushOutputs();
        }
    }

    private void FlushOutputs()
    {
        foreach (var output in _networkOutputs)
        {
            output.Flush();
        }

        _nextFlush = Environment.TickCount64 + _bufferTimeoutMs;
    }
}
