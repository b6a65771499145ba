using System.Globalization;

namespace Rill.Bench.Kafka;

/// <summary>The results table and the target line.</summary>
public static class Report
{
    public const double Target = 2.0;

    public static void Print(BenchOptions options, long events, ExpectedCounts expected, ContenderResult ceiling, IReadOnlyList<ContenderResult> results)
    {
        Console.WriteLine($"| Contender | Median s | Events/s | Runs (s) | Startup s (median) | Output records (median) | Result |");
        Console.WriteLine($"|---|---:|---:|---|---:|---:|---|");
        if (ceiling.Times.Count > 0)
        {
            Row(ceiling, events, "-", "ok");
        }

        foreach (var result in results)
        {
            var outputs = result.OutputRecords.Count > 0 ? Stats.Median(result.OutputRecords.Select(r => (double)r)).ToString("N0", CultureInfo.InvariantCulture) : "-";
            var verdict = result.NotRun is not null ? "not run" : result.Wrong is not null ? "WRONG" : "ok";
            Row(result, events, outputs, verdict);
        }

        Console.WriteLine();
        Console.WriteLine($"Expected output: {expected.Counts.Count:N0} (window, user) counts; the LAST count per (window, user) is compared, because Streamiz emits updates.");
        foreach (var result in results.Where(r => !r.Ok))
        {
            Console.WriteLine($"{result.Name}: {(result.NotRun is not null ? "not run: " + result.NotRun : "WRONG: " + result.Wrong)}");
        }

        if (ceiling.Times.Count > 0)
        {
            foreach (var result in results.Where(r => r.Ok))
            {
                Console.WriteLine($"{result.Name} / ceiling = {result.EventsPerSecond(events) / ceiling.EventsPerSecond(events):0.000}x");
            }
        }

        var rill = results.FirstOrDefault(r => r.Id == "rill");
        var streamiz = results.Where(r => r.Id.StartsWith("streamiz", StringComparison.Ordinal)).ToList();
        var bestStreamiz = streamiz.Where(r => r.Ok).MaxBy(r => r.EventsPerSecond(events));
        if (rill is { Ok: true } && bestStreamiz is not null && streamiz.All(r => r.Ok))
        {
            var ratio = rill.EventsPerSecond(events) / bestStreamiz.EventsPerSecond(events);
            Console.WriteLine($"Rill / Streamiz = {ratio:0.000}x   target >= {Target:0.00}x   {(ratio >= Target ? "PASS" : "MISS")}   (the faster Streamiz variant: {bestStreamiz.Name})");
        }
        else
        {
            Console.WriteLine($"Rill / Streamiz: no ratio (target >= {Target:0.00}x): a ratio is printed only when Rill and every Streamiz variant ran and all their outputs are right.");
        }
    }

    private static void Row(ContenderResult result, long events, string outputs, string verdict)
    {
        var runs = string.Join(" ", result.Times.Select(t => t.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture)));
        var median = result.Times.Count > 0 ? result.MedianSeconds.ToString("0.000", CultureInfo.InvariantCulture) : "-";
        var rate = result.Times.Count > 0 ? Stats.Rate(result.EventsPerSecond(events)) : "-";
        var startup = result.Startups.Count > 0 ? Stats.Median(result.Startups.Select(s => s.TotalSeconds)).ToString("0.000", CultureInfo.InvariantCulture) : "-";
        Console.WriteLine($"| {result.Name} | {median} | {rate} | {runs} | {startup} | {outputs} | {verdict} |");
    }
}
