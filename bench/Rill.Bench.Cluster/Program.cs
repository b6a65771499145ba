using System.Globalization;
using Rill.Bench.Cluster;

// Distributed-runtime bench: the harness (no arguments, or harness options) starts this same program as job
// processes: `job windowcount|dataplane ...`, embedded or as the members of an application-mode cluster on loopback.
// See bench/README.md.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

if (args.Length > 0 && args[0] == "job")
{
    try
    {
        return args.Length < 2
            ? throw new ArgumentException("usage: " + JobProgram.Usage)
            : await JobProgram.RunAsync(args[1], args[2..]);
    }
    catch (ArgumentException e)
    {
        Console.Error.WriteLine(e.Message);
        return 2;
    }
    catch (Exception e)
    {
        Console.Error.WriteLine($"job failed: {e}");
        return 1;
    }
}

HarnessOptions options;
try
{
    options = HarnessOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(HarnessOptions.Usage);
    return 2;
}

if (options.Help)
{
    Console.WriteLine(HarnessOptions.Usage);
    return 0;
}

#if DEBUG
Console.Error.WriteLine("WARNING: Debug build. Numbers are meaningless; run with -c Release.");
#endif

try
{
    return await new Harness(options).RunAsync();
}
catch (Exception e)
{
    // Caught here so that every `using` of a child process or cluster has run (and killed it) before the exit.
    Console.Error.WriteLine($"bench failed: {e}");
    return 1;
}
