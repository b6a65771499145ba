using System.Diagnostics;
using Rill.Functions;

namespace Rill.Samples;

/// <summary>
/// Passes lines through at no more than a given rate per subtask (<c>--lines-per-second</c>), so a short input takes
/// long enough to watch the job in the REST API or to kill a TaskManager while it runs. Results do not change.
/// </summary>
internal sealed class Throttle<T>(int perSecond) : IMapFunction<T, T>
{
    // Started by the first record of each subtask attempt (each gets its own copy of this function), not when the
    // program built its graph: a restarted attempt is throttled from its own start.
    private Stopwatch? _clock;
    private long _passed;

    public T Map(T value)
    {
        _clock ??= Stopwatch.StartNew();
        var due = TimeSpan.FromSeconds((double)++_passed / perSecond);
        var wait = due - _clock.Elapsed;
        if (wait > TimeSpan.Zero)
        {
            Thread.Sleep(wait);
        }

        return value;
    }
}
