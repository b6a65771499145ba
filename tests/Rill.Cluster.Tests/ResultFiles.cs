using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Rill.Cluster.Tests;

/// <summary>Reads an --output directory as users are told to: every <c>part-*</c> file is results; hidden <c>.part-*</c> files are in progress.</summary>
internal static partial class ResultFiles
{
    public static IReadOnlyList<string> Names(string directory) =>
        Directory.Exists(directory)
            ? Directory.EnumerateFiles(directory, "part-*").Select(file => Path.GetFileName(file)).Order(StringComparer.Ordinal).ToArray()
            : [];

    public static IReadOnlyList<string> ReadSortedLines(string directory) =>
        Names(directory).SelectMany(name => File.ReadAllLines(Path.Combine(directory, name))).Order(StringComparer.Ordinal).ToArray();

    /// <summary>The cluster's results equal the embedded run's, line for line (no loss, no duplicates); else a readable difference.</summary>
    public static void AssertSameAsEmbedded(ClusterHarness cluster, ReferenceRun embedded, string outputDirectory) =>
        AssertSameAsEmbedded(cluster, embedded.Lines, ReadSortedLines(outputDirectory), outputDirectory, "results");

    private static void AssertSameAsEmbedded(ClusterHarness cluster, IReadOnlyList<string> expected, IReadOnlyList<string> actual, string outputDirectory, string what)
    {
        if (actual.SequenceEqual(expected, StringComparer.Ordinal))
        {
            return;
        }

        var missing = Multiset(expected);
        foreach (var line in actual)
        {
            missing[line] = missing.GetValueOrDefault(line) - 1;
        }

        var text = new StringBuilder($"The cluster's {what} in {outputDirectory} differ from the embedded run: {actual.Count} lines, expected {expected.Count}.\n");
        text.Append("files: ").Append(string.Join(", ", Directory.Exists(outputDirectory) ? Directory.EnumerateFileSystemEntries(outputDirectory).Select(Path.GetFileName) : ["(no directory)"])).Append('\n');
        foreach (var (line, count) in missing.Where(m => m.Value != 0).Take(20))
        {
            text.Append(count > 0 ? $"  missing x{count}: " : $"  extra x{-count}: ").Append(line).Append('\n');
        }

        cluster.Fail(text.ToString());
    }

    /// <summary>
    /// ClickCounts' output against the embedded run's. Per its README, watermarks are emitted every 200 ms of wall-clock
    /// time, "so which clicks are late can differ between runs; every click is either counted in its window or counted as
    /// late": only the hour-old clicks (every 500th) can go either way. So every window of the on-time stream must equal
    /// the embedded run's exactly; hour-old windows (half an hour or more before the latest window) may appear or not,
    /// each as a count of 1, and — when the cluster's <c>late: N</c> is known — counted plus late hour-old clicks must
    /// add up to the embedded run's.
    /// </summary>
    public static void AssertClickCountsMatchEmbedded(ClusterHarness cluster, ReferenceRun embedded, string outputDirectory, long? clusterLate)
    {
        var actual = ReadSortedLines(outputDirectory);
        var latest = embedded.Lines.Max(WindowStart);
        bool IsHourOld(string line) => WindowStart(line) < latest - (long)TimeSpan.FromMinutes(30).TotalMilliseconds;

        var onTimeExpected = embedded.Lines.Where(line => !IsHourOld(line)).ToArray();
        AssertSameAsEmbedded(cluster, onTimeExpected, actual.Where(line => !IsHourOld(line)).ToArray(), outputDirectory, "on-time windows");

        var hourOld = actual.Where(IsHourOld).ToArray();
        cluster.Check(hourOld.All(line => line.EndsWith(",1", StringComparison.Ordinal)) && hourOld.Distinct(StringComparer.Ordinal).Count() == hourOld.Length,
            $"Each hour-old click is alone in its window: expected distinct counts of 1, got {string.Join(" | ", hourOld)}.");
        var embeddedLate = LateCount(embedded.StandardError) ?? throw new InvalidOperationException($"The embedded ClickCounts run printed no 'late: N':\n{embedded.StandardError}");
        var hourOldClicks = embedded.Lines.Count(IsHourOld) + embeddedLate;
        cluster.Check(hourOld.Length <= hourOldClicks, $"At most {hourOldClicks} hour-old clicks exist, but {hourOld.Length} were counted: {string.Join(" | ", hourOld)}.");
        if (clusterLate is { } late)
        {
            cluster.Check(hourOld.Length + late == hourOldClicks,
                $"Every hour-old click must be counted in its window or as late: {hourOld.Length} counted + {late} late != {hourOldClicks} (embedded: {hourOldClicks - embeddedLate} + {embeddedLate}).");
        }
    }

    /// <summary>The <c>late: N</c> line ClickCounts prints on stderr after a successful run.</summary>
    public static long? LateCount(string standardError) =>
        LateLine().Match(standardError) is { Success: true } match ? long.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture) : null;

    private static long WindowStart(string line) => long.Parse(line[..line.IndexOf(',', StringComparison.Ordinal)], CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^late: (?<n>\d+)\r?$", RegexOptions.Multiline)]
    private static partial Regex LateLine();

    private static Dictionary<string, int> Multiset(IEnumerable<string> lines)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            counts[line] = counts.GetValueOrDefault(line) + 1;
        }

        return counts;
    }
}
