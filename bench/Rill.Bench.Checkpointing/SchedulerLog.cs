using System.Text;

namespace Rill.Bench.Checkpointing;

/// <summary>
/// Wraps stderr to timestamp the engine's own log lines: the adaptive scheduler writes every state transition
/// ("adaptive scheduler Executing -> StopWithSavepoint.") and every rescale to stderr, which gives the rescale's
/// timeline without touching engine code. Lines that match are kept (and shown only with --verbose); others pass
/// through.
/// </summary>
public sealed class SchedulerLog : TextWriter
{
    private readonly TextWriter _inner;
    private readonly bool _echo;
    private readonly StringBuilder _line = new();
    private readonly List<(DateTimeOffset Time, string Line)> _kept = [];
    private readonly object _lock = new();

    private SchedulerLog(TextWriter inner, bool echo)
    {
        _inner = inner;
        _echo = echo;
    }

    public static SchedulerLog Install(bool echo)
    {
        var log = new SchedulerLog(Console.Error, echo);
        Console.SetError(log);
        return log;
    }

    public override Encoding Encoding => _inner.Encoding;

    public override void Write(char value)
    {
        lock (_lock)
        {
            if (value == '\n')
            {
                EndLine();
            }
            else if (value != '\r')
            {
                _line.Append(value);
            }
        }
    }

    public override void Write(string? value)
    {
        if (value is null)
        {
            return;
        }

        lock (_lock)
        {
            foreach (var c in value)
            {
                Write(c);
            }
        }
    }

    public override void WriteLine(string? value)
    {
        lock (_lock)
        {
            Write(value);
            EndLine();
        }
    }

    public override void WriteLine() => Write('\n');

    /// <summary>Kept lines since <paramref name="since"/>.</summary>
    public IReadOnlyList<(DateTimeOffset Time, string Line)> Since(DateTimeOffset since)
    {
        lock (_lock)
        {
            return _kept.Where(k => k.Time >= since).ToList();
        }
    }

    /// <summary>When the scheduler first entered <paramref name="state"/> after <paramref name="since"/>.</summary>
    public DateTimeOffset? Entered(string state, DateTimeOffset since) =>
        Since(since).Where(k => k.Line.Contains($"-> {state}.", StringComparison.Ordinal)).Select(k => (DateTimeOffset?)k.Time).FirstOrDefault();

    private void EndLine()
    {
        var text = _line.ToString();
        _line.Clear();
        var keep = text.Contains("adaptive scheduler", StringComparison.Ordinal) || text.Contains("rescaled from", StringComparison.Ordinal);
        if (keep)
        {
            _kept.Add((DateTimeOffset.UtcNow, text));
        }

        if (!keep || _echo)
        {
            _inner.WriteLine(text);
        }
    }
}
