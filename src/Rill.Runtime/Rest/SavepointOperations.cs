namespace Rill.Runtime.Rest;

/// <summary>
/// The savepoint and stop-with-savepoint operations the REST API started, so that clients can poll their outcome
/// (Flink's asynchronous operation store). Bounded: beyond the capacity the oldest finished operations are forgotten,
/// and while every kept one is still running a new one is refused rather than losing track of a running savepoint.
/// </summary>
internal sealed class SavepointOperations(int capacity = SavepointOperations.DefaultCapacity)
{
    public const int DefaultCapacity = 1024;

    private readonly Lock _lock = new();
    private readonly Dictionary<(Guid JobId, string TriggerId), SavepointOperation> _operations = [];
    private readonly LinkedList<(Guid JobId, string TriggerId)> _oldestFirst = new();

    public int Capacity { get; } = capacity;

    public SavepointOperation? Get(Guid jobId, string triggerId)
    {
        lock (_lock)
        {
            return _operations.GetValueOrDefault((jobId, triggerId));
        }
    }

    /// <summary>
    /// Starts <paramref name="savepoint"/> under <paramref name="triggerId"/>, or returns the operation already known
    /// under that id (a client retrying its request must not take a second savepoint). Null when the store is full of
    /// running operations.
    /// </summary>
    public SavepointOperation? Start(Guid jobId, string triggerId, Func<Task<string>> savepoint)
    {
        SavepointOperation operation;
        lock (_lock)
        {
            if (_operations.TryGetValue((jobId, triggerId), out var known))
            {
                return known;
            }

            if (_operations.Count >= Capacity && !EvictOldestFinished())
            {
                return null;
            }

            operation = new SavepointOperation();
            _operations[(jobId, triggerId)] = operation;
            _oldestFirst.AddLast((jobId, triggerId));
        }

        operation.Run(savepoint);
        return operation;
    }

    /// <summary>
    /// Waits, up to <paramref name="limit"/>, until every finished operation's outcome was read by a client. A program
    /// whose job runs embedded, and an application cluster, exit with the job, and a stop-with-savepoint ends the job: a
    /// client polling for the savepoint's path must get it before the REST API goes away.
    /// </summary>
    public async Task WaitUntilCollectedAsync(TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            lock (_lock)
            {
                if (_operations.Values.All(o => !o.Result.IsCompleted || o.IsCollected))
                {
                    return;
                }
            }

            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    private bool EvictOldestFinished()
    {
        for (var node = _oldestFirst.First; node is not null; node = node.Next)
        {
            if (_operations[node.Value].Result.IsCompleted)
            {
                _operations.Remove(node.Value);
                _oldestFirst.Remove(node);
                return true;
            }
        }

        return false;
    }
}

/// <summary>One savepoint as a client polls it: running, or done with its directory or the reason it failed.</summary>
internal sealed class SavepointOperation
{
    private readonly TaskCompletionSource<string> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private int _collected;

    public Task<string> Result => _result.Task;

    /// <summary>A client read the outcome (see <see cref="SavepointOperations.WaitUntilCollectedAsync"/>).</summary>
    public bool IsCollected => Volatile.Read(ref _collected) == 1;

    /// <summary>This operation, as a client reads it: once it is finished, that reading counts as collecting it.</summary>
    public SavepointOperation Collect()
    {
        if (Result.IsCompleted)
        {
            Volatile.Write(ref _collected, 1);
        }

        return this;
    }

    public void Run(Func<Task<string>> savepoint) => _ = RunAsync(savepoint);

    private async Task RunAsync(Func<Task<string>> savepoint)
    {
        try
        {
            // Off the request's thread: the caller answers 202 at once, whatever the savepoint does synchronously first.
            _result.TrySetResult(await Task.Run(savepoint).ConfigureAwait(false));
        }
        catch (Exception e)
        {
            _result.TrySetException(e);
        }
    }
}
