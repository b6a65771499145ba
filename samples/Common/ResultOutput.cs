using Rill.Api;
using Rill.Sinks;

namespace Rill.Samples;

internal static class ResultOutput
{
    /// <summary>Part files under <paramref name="directory"/>, or plain lines on stdout when no directory is given.</summary>
    public static void WriteTo<T>(DataStream<T> results, string? directory, Func<T, string> format)
    {
        if (directory is null)
        {
            // Without the "N> " subtask prefix of Print(): stdout carries the same lines as the part files.
            results.SinkTo(new PrintSink<T>(subtaskPrefix: false, format: format), "Print Results");
        }
        else
        {
            results.WriteAsText(directory, format);
        }
    }
}
