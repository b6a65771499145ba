using Rill.Api;

namespace TopLevelApp;

/// <summary>A classic synchronous Main that blocks on its job, as programs calling <c>Execute()</c> do.</summary>
public static class BlockingMain
{
    public static int Main(string[] args)
    {
        var env = StreamExecutionEnvironment.GetExecutionEnvironment().SetParallelism(1);
        env.FromElements(1, 2, 3).Map(x => x * 2).Name("Double").Print();
        env.Execute(args.Length > 0 ? args[0] : "Blocking Main");
        return 0;
    }
}

/// <summary>Reports its own error and an exit code, as the samples do, before defining any job.</summary>
public static class FailsWithExitCode
{
    public static int Main()
    {
        Console.Error.WriteLine("error: nothing to do");
        return 3;
    }
}

/// <summary>Throws before defining any job.</summary>
public static class Throws
{
    public static Task Main(string[] args) => throw new ArgumentException("the input is missing");
}

/// <summary>Ends normally without ever calling Execute.</summary>
public static class NeverExecutes
{
    public static void Main()
    {
    }
}

public static class Outer
{
    /// <summary>A nested entry class, named with reflection's <c>Outer+Inner</c>.</summary>
    public static class Inner
    {
        public static async Task<int> Main(string[] args)
        {
            var env = StreamExecutionEnvironment.GetExecutionEnvironment().SetParallelism(1);
            env.FromElements(args).Print();
            await env.ExecuteAsync("Nested");
            return 0;
        }
    }
}
