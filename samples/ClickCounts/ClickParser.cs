using Rill.Accumulators;
using Rill.Functions;
using Rill.Sources;

namespace Rill.Samples.ClickCounts;

/// <summary>
/// Turns text lines into clicks. It runs on <see cref="TextLine"/>s rather than plain strings because those carry
/// the line's number in the whole file, whichever parallel reader read it, so errors point at the right line.
/// A malformed line fails the job, or with --skip-malformed is counted in a job-wide accumulator and dropped.
/// </summary>
internal sealed class ClickParser(bool skipMalformed) : ProcessFunction<TextLine, Click>
{
    public const string MalformedLinesCounter = "malformed-lines";

    private LongCounter _malformedLines = null!;

    public override void Open(IRuntimeContext context)
    {
        base.Open(context);
        _malformedLines = context.GetLongCounter(MalformedLinesCounter);
    }

    public override void ProcessElement(TextLine line, Context context, ICollector<Click> output)
    {
        if (ClickCsv.TryParse(line.Text, out var click, out var reason))
        {
            output.Collect(click);
        }
        else if (skipMalformed)
        {
            _malformedLines.Increment();
        }
        else
        {
            throw new MalformedLineException(line.Location, reason);
        }
    }
}
