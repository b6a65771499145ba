using System.Text;

namespace Rill.Runtime.Artifacts;

/// <summary>
/// While a cluster plans a program, that program's console output belongs to the planning, not to the JobManager's
/// own output: what it writes to stdout is dropped, what it writes to stderr is kept to explain a failed plan (e.g. a
/// usage error). The console is process-wide, so a router is installed once and follows each planning's async flow.
/// </summary>
internal static class PlanningConsole
{
    private static readonly AsyncLocal<StringBuilder?> Capture = new();
    private static readonly Lazy<bool> Installed = new(() =>
    {
        Console.SetOut(new Router(Console.Out, errors: false));
        Console.SetError(new Router(Console.Error, errors: true));
        return true;
    });

    /// <summary>Routes this flow's console output into a buffer until disposed; <see cref="Errors"/> then holds its stderr.</summary>
    public static Scope Begin()
    {
        _ = Installed.Value;
        var buffer = new StringBuilder();
        var previous = Capture.Value;
        Capture.Value = buffer;
        return new Scope(buffer, previous);
    }

    public sealed class Scope(StringBuilder errors, StringBuilder? previous) : IDisposable
    {
        private const int MaxLength = 2000;

        /// <summary>The program's error output, trimmed to its last part.</summary>
        public string Errors => errors.Length > MaxLength ? "…" + errors.ToString(errors.Length - MaxLength, MaxLength) : errors.ToString();

        public void Dispose() => Capture.Value = previous;
    }

    private sealed class Router(TextWriter original, bool errors) : TextWriter
    {
        public override Encoding Encoding => original.Encoding;

        public override void Write(char value) => Write(value.ToString());

        public override void Write(string? value)
        {
            if (Capture.Value is not { } buffer)
            {
                original.Write(value);
                return;
            }

            if (errors)
            {
                lock (buffer)
                {
                    buffer.Append(value);
                }
            }
        }

        public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

        public override void WriteLine(string? value) => Write(value + NewLine);

        public override void Flush() => original.Flush();
    }
}
