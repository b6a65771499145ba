using System.Diagnostics;
using Confluent.Kafka;

namespace Rill.Bench.Kafka;

/// <summary>
/// Reads an output topic while a contender runs (its own thread, all partitions assigned from the earliest offset)
/// and notes the moment the last count of every expected (window, user) is right: that is when the contender's work
/// is done. Reading as the records arrive also keeps the development broker's 5 MiB per partition from mattering for
/// the timing.
/// </summary>
public sealed class OutputWatcher : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource<long> _complete = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Thread _thread;
    private readonly OutputTally _tally;
    private long _records;
    private long _lastRecordTimestamp;

    public OutputWatcher(string bootstrapServers, string topic, int partitions, ExpectedCounts expected)
    {
        _tally = new OutputTally(expected);
        var consumer = new ConsumerBuilder<string?, string?>(TopicReader.Config(bootstrapServers)).Build();
        consumer.Assign(TopicReader.FromBeginning(topic, partitions));
        _thread = new Thread(() => Run(consumer)) { IsBackground = true, Name = "output-watcher " + topic };
        _thread.Start();
    }

    /// <summary>Records read so far.</summary>
    public long Records => Interlocked.Read(ref _records);

    /// <summary>
    /// Waits until the output is complete and returns that moment (a <see cref="Stopwatch"/> timestamp). Throws when
    /// the output can no longer become right (a malformed or unexpected record), when <paramref name="failure"/>
    /// reports a failed contender, after <paramref name="timeout"/>, or after <paramref name="idle"/> without a new
    /// record once the first one arrived.
    /// </summary>
    public async Task<long> WaitForCompleteAsync(TimeSpan timeout, TimeSpan idle, Func<string?> failure, CancellationToken cancellation)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!_complete.Task.IsCompleted)
        {
            cancellation.ThrowIfCancellationRequested();
            var now = Stopwatch.GetTimestamp();
            var last = Interlocked.Read(ref _lastRecordTimestamp);
            var reason = failure()
                ?? (now > deadline ? $"the output was not complete after {timeout.TotalSeconds:0} s" : null)
                ?? (last != 0 && Stopwatch.GetElapsedTime(last, now) > idle ? $"no output record for {idle.TotalSeconds:0} s" : null);
            if (reason is not null)
            {
                throw new InvalidOperationException($"{reason}: {Describe()}");
            }

            await Task.WhenAny(_complete.Task, Task.Delay(50, cancellation));
        }

        return await _complete.Task;
    }

    private string Describe()
    {
        lock (_tally)
        {
            return _tally.Differences();
        }
    }

    private void Run(IConsumer<string?, string?> consumer)
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
                if (result is null)
                {
                    continue;
                }

                Interlocked.Increment(ref _records);
                Interlocked.Exchange(ref _lastRecordTimestamp, Stopwatch.GetTimestamp());
                lock (_tally)
                {
                    _tally.Add(result.Message.Key, result.Message.Value);
                    if (_tally.Complete)
                    {
                        _complete.TrySetResult(Stopwatch.GetTimestamp());
                    }
                    else if (_tally.Spoiled)
                    {
                        _complete.TrySetException(new InvalidOperationException("The output can no longer be right: " + _tally.Differences()));
                    }
                }
            }
        }
        catch (Exception e) when (e is KafkaException or ObjectDisposedException)
        {
            _complete.TrySetException(new InvalidOperationException("The output watcher's consumer failed.", e));
        }
        finally
        {
            consumer.Close();
            consumer.Dispose();
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _stop.Dispose();
    }
}
