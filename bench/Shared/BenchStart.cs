using System.Globalization;

namespace Rill.Bench.Shared;

/// <summary>How every bench starts: invariant culture, its options parsed, and a warning when the numbers cannot mean anything.</summary>
public static class BenchStart
{
    /// <summary>
    /// Parses the options; returns the exit code when the bench should stop right away: 2 after a bad option (with the
    /// usage), 0 after <c>--help</c>. Null means: run with <paramref name="options"/>.
    /// </summary>
    public static int? Begin<TOptions>(string[] args, Func<string[], TOptions> parse, Func<TOptions, bool> wantsHelp, string usage, out TOptions options)
    {
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        options = default!;
        try
        {
            options = parse(args);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(usage);
            return 2;
        }

        if (wantsHelp(options))
        {
            Console.WriteLine(usage);
            return 0;
        }

#if DEBUG
        Console.Error.WriteLine("WARNING: Debug build. Numbers are meaningless; run with -c Release.");
#endif
        return null;
    }
}
