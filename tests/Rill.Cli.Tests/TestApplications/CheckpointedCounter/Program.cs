using Rill.Api;
using Rill.EventTime;
using Rill.Sinks;
using Rill.Sources;

// Usage: CheckpointedCounter --checkpoint-dir DIR. The directory is the test's own, so no test leaves checkpoints in
// the machine's shared default directory.
if (args is not ["--checkpoint-dir", var checkpoints])
{
    Console.Error.WriteLine("usage: CheckpointedCounter --checkpoint-dir DIR");
    return 2;
}

var env = StreamExecutionEnvironment.GetExecutionEnvironment().SetParallelism(2);
env.EnableCheckpointing(TimeSpan.FromMilliseconds(100));
env.ConfigureCheckpointing(c => c with { Directory = checkpoints });
env.FromSource(new DataGeneratorSource<long>(i => i, count: null, recordsPerSecond: 1_000), WatermarkStrategy<long>.NoWatermarks(), "Numbers").Uid("numbers")
    .KeyBy(x => x % 8)
    .Reduce((a, b) => a + b).Name("Sum per Key").Uid("sum-per-key")
    .SinkTo(new DiscardingSink<long>(), "Discard");
await env.ExecuteAsync("Checkpointed Counter");
return 0;
