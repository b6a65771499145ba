using StackExchange.Redis;

namespace Rill.Connectors.Redis;

/// <summary>
/// Commands a writer has sent but not yet seen answered. StackExchange.Redis pipelines them on the connection (no
/// round trip per record); <see cref="Drain"/> waits for all answers, which is what makes writes durable at a
/// checkpoint, and turns the first Redis error into the task's failure with Redis's own message and the key it was for.
/// A bounded number in flight backpressures the writer instead of buffering without limit.
/// </summary>
internal sealed class PipelinedWrites(string sinkDescription, int maxInFlight = 4096)
{
    private readonly List<(Task Command, RedisKey Key)> _inFlight = [];

    public void Add(Task command, RedisKey key)
    {
        _inFlight.Add((command, key));
        if (_inFlight.Count >= maxInFlight)
        {
            Drain();
        }
    }

    /// <summary>Waits for every command sent so far; throws for the first (in sending order) that Redis refused.</summary>
    public void Drain()
    {
        if (_inFlight.Count == 0)
        {
            return;
        }

        try
        {
            // The task thread waits here on purpose: the checkpoint must not go on before Redis has the data.
            Task.WhenAll(_inFlight.Select(c => c.Command)).Wait();
        }
        catch (AggregateException)
        {
            var (command, key) = _inFlight.First(c => c.Command.IsFaulted || c.Command.IsCanceled);
            var cause = command.Exception?.InnerException ?? new TaskCanceledException(command);
            _inFlight.Clear();
            throw new RedisWriteException($"{sinkDescription} could not write key '{key}': {cause.Message}", cause);
        }

        _inFlight.Clear();
    }
}
