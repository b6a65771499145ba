using Rill.Accumulators;
using Rill.Graph;
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
    private long _bufferTimeoutMs;
    private long _nextFlush;

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

    /// <summary>Hands a coordinator's event to an operator; it is looked up and handled on the task thread, after the chain exists.</summary>
    public void DeliverOperatorEvent(string operatorId, OperatorEvent operatorEvent) => _mailbox.Post(() =>
    {
        var target = _operators.Find(o => o.Context.OperatorId == operatorId) as ISourceOperator
            ?? throw new InvalidOperationException($"Task {Info.TaskNameWithSubtask} has no source operator {operatorId}.");
        target.HandleOperatorEvent(operatorEvent);
    });

    /// <summary>Runs the task to its end on the calling thread; throws the failure, or OperationCanceledException when cancelled.</summary>
    public void Invoke()
    {
        ThreadId = Environment.CurrentManagedThreadId;
        var token = _cancellation.Token;
        _bufferTimeoutMs = (long)_environment.Partitions.Config.BufferTimeout.TotalMilliseconds;
        var completed = false;
        try
        {
            BuildChain(token);
            for (var i = _operators.Count - 1; i >= 0; i--)
            {
                RunWithOperatorName(_operators[i], static op => op.Open());
            }

            if (_head is ISourceOperator source)
            {
                RunSource(source, token);
            }
            else
            {
                RunNetworkInput(token);
            }

            foreach (var op in _operators)
            {
                RunWithOperatorName(op, static o => o.Finish());
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
            Metrics.BackPressuredTime = TimeSpan.FromTicks(_partitions.Sum(p => p.BufferPool.BackPressuredTime.Ticks));
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
                Console.Error.WriteLine($"{Info.TaskNameWithSubtask}: also failed while closing after the failure: {closeFailure.Message}");
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
        inputGate.Connect(_mailbox);
    }

    private void RunNetworkInput(CancellationToken token)
    {
        var input = _input!;
        var timeout = TimeSpan.FromMilliseconds(Math.Max(1, _bufferTimeoutMs));
        _nextFlush = Environment.TickCount64 + _bufferTimeoutMs;
        while (!input.IsFinished)
        {
            token.ThrowIfCancellationRequested();
            DrainMail();
            if (_mailbox.TryTakeData(out var channel))
            {
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
