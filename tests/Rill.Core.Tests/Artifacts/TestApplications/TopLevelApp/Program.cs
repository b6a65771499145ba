using Rill.Api;

// With await, the compiler makes this code "<Main>$" returning Task, plus a synchronous entry point that blocks on it.
var env = StreamExecutionEnvironment.GetExecutionEnvironment().SetParallelism(1);
env.FromElements(args).Map(arg => arg.ToUpperInvariant()).Name("Upper Case").Print();
await Task.Yield();
await env.ExecuteAsync(args.Length > 0 ? args[0] : "Top-Level App");
