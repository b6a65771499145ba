using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Rill.Bench.Kafka;

// Kafka → keyed window count → Kafka through the development broker: Rill vs Streamiz.Kafka.Net, plus the raw
// consume ceiling. See bench/README.md.
if (Rill.Bench.Shared.BenchStart.Begin(args, BenchOptions.Parse, o => o.Help, BenchOptions.Usage, out var options) is { } exit)
{
    return exit;
}

// Ctrl+C and SIGTERM end the whole process through Environment.Exit, whose exit handlers kill the development
// broker: .NET 10 has no default SIGTERM handler (the process would die without them), and Streamiz handles Ctrl+C
// itself (it stops its stream and cancels the signal, which would leave the bench running).
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => Exit("Interrupted", 130));
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => Exit("Terminated", 143));

var total = Stopwatch.StartNew();
var loadAtStart = Stats.LoadAverage();
Console.WriteLine($"Rill Kafka bench: {Environment.ProcessorCount} cores, .NET {Environment.Version}, Confluent.Kafka {Library.VersionString} (librdkafka), load average {loadAtStart}.");

var clicks = ClickGenerator.Generate((int)options.Events, options.Users, TimeSpan.FromMinutes(options.Minutes), options.Seed);
var expected = ExpectedCounts.Of(clicks, options.WindowMs);
var eventTimeSpan = TimeSpan.FromMilliseconds(clicks.Max(c => c.Timestamp) - clicks.Min(c => c.Timestamp));
var inputBytes = clicks.Sum(c => (long)(c.KeyBytes().Length + c.ValueBytes().Length));
Console.WriteLine($"Input: {clicks.Length:N0} clicks of {options.Users:N0} users over {options.Minutes} minutes of event time (seed {options.Seed}), "
    + $"{inputBytes / 1e6:0.0} MB of keys and values ({inputBytes / options.Partitions / 1048576.0:0.00} MiB per partition before record overhead), "
    + $"{options.Partitions} partitions, compression {options.Compression.ToString().ToLowerInvariant()}.");
Console.WriteLine($"Expected: {expected.Counts.Count:N0} counts over {expected.Windows} tumbling windows of {options.WindowMs} ms.");

var workDirectory = Path.Combine(Path.GetTempPath(), $"rill-bench-kafka-{Environment.ProcessId}");
Directory.CreateDirectory(workDirectory);
using var streamizLog = new FileLoggerProvider(Path.Combine(workDirectory, "streamiz.log"));
using var streamizLogging = LoggerFactory.Create(b => b.AddProvider(streamizLog).SetMinimumLevel(LogLevel.Information));
var contenders = new List<IContender>();
StreamizSettings Streamiz(bool repartition) => new(repartition, options.StreamizThreads, options.StreamizCommitMs, options.StreamizCacheMb, options.StreamizChangelog, options.Compression);
if (options.Only.Contains("streamiz"))
{
    contenders.Add(new StreamizContender(Streamiz(repartition: true), streamizLogging));
}

if (options.Only.Contains("streamiz-bykey"))
{
    contenders.Add(new StreamizContender(Streamiz(repartition: false), streamizLogging));
}

if (options.Only.Contains("rill"))
{
    contenders.Add(new RillContender(parallelism: 1, options.Compression));
}

if (options.Only.Contains("rill-p2"))
{
    contenders.Add(new RillContender(parallelism: 2, options.Compression));
}

foreach (var contender in contenders)
{
    Console.WriteLine("  " + contender.Settings);
}

const string InputTopicName = "input";
static string OutputTopic(IContender contender, int run) => $"output-{contender.Id}-{run}";
var topics = new List<(string, int)> { (InputTopicName, options.Partitions) };
for (var run = 1; run <= options.Runs; run++)
{
    foreach (var contender in contenders)
    {
        topics.Add((OutputTopic(contender, run), options.Partitions));
        topics.AddRange(contender.InternalTopics(run).Select(t => (t, options.Partitions)));
    }
}

var failed = false;
var ceiling = new ContenderResult("Ceiling: Confluent.Kafka consumer, no processing", "ceiling");
var results = contenders.Select(c => new ContenderResult(c.Name, c.Id)).ToList();
try
{
    using var broker = await DevKafkaProcess.StartAsync(workDirectory, topics);
    Console.WriteLine($"Development broker: pid {broker.ProcessId}, {broker.BootstrapServers}, {topics.Count} topics; work directory {workDirectory}.");
    var produced = InputTopic.Produce(broker.BootstrapServers, InputTopicName, clicks, options.Compression);
    InputTopic.VerifyComplete(broker.BootstrapServers, InputTopicName, options.Partitions, clicks.Length);
    Console.WriteLine($"Produced the input in {produced.TotalSeconds:0.0} s (untimed) and read all {clicks.Length:N0} records back.");
    Console.WriteLine();

    for (var run = 1; run <= options.Runs; run++)
    {
        if (options.Only.Contains("ceiling"))
        {
            var elapsed = CeilingConsumer.Run(broker.BootstrapServers, InputTopicName, options.Partitions, clicks.Length);
            ceiling.Times.Add(elapsed);
            Console.WriteLine($"run {run}: {ceiling.Name,-55} {elapsed.TotalSeconds,7:0.000} s  {Stats.Rate(clicks.Length / elapsed.TotalSeconds),11}");
        }

        for (var i = 0; i < contenders.Count; i++)
        {
            var (contender, result) = (contenders[i], results[i]);
            if (result.NotRun is not null)
            {
                continue;
            }

            var context = new BenchContext
            {
                BootstrapServers = broker.BootstrapServers,
                InputTopic = InputTopicName,
                OutputTopic = OutputTopic(contender, run),
                Partitions = options.Partitions,
                WindowMs = options.WindowMs,
                EventCount = clicks.Length,
                EventTimeSpan = eventTimeSpan,
                Run = run,
                WorkDirectory = workDirectory,
                Expected = expected,
                Timeout = TimeSpan.FromSeconds(options.TimeoutSeconds),
            };
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            ContenderRun timing;
            try
            {
                timing = await contender.RunAsync(context, CancellationToken.None);
            }
            catch (NotImplementedException e)
            {
                result.NotRun = e.Message;
                Console.WriteLine($"run {run}: {contender.Name,-55} not run: {e.Message}");
                continue;
            }
            catch (Exception e) when (e is InvalidOperationException or KafkaException or TimeoutException)
            {
                result.Wrong ??= $"run {run} failed: {e.Message}";
                failed = true;
                Console.WriteLine($"run {run}: {contender.Name,-55} FAILED: {e.Message}");
                continue;
            }

            var check = OutputCheck.Read(broker.BootstrapServers, context.OutputTopic, options.Partitions, expected);
            var elapsed = timing.Elapsed;
            result.Times.Add(elapsed);
            if (timing.Startup is { } startup)
            {
                result.Startups.Add(startup);
            }

            result.OutputRecords.Add(check.Records);
            if (check.Problem is not null)
            {
                result.Wrong ??= $"run {run}: {check.Problem}";
                failed = true;
            }

            var startupText = timing.Startup is { } s ? $" (startup {s.TotalSeconds:0.000} s)" : "";
            Console.WriteLine($"run {run}: {contender.Name,-55} {elapsed.TotalSeconds,7:0.000} s  {Stats.Rate(clicks.Length / elapsed.TotalSeconds),11}  "
                + $"{check.Records:N0} output records  {(check.Problem is null ? "ok" : "WRONG")}{startupText}");
        }
    }
}
catch (Exception e) when (e is InvalidOperationException or KafkaException or TimeoutException)
{
    // The bench itself could not go on (broker, input): nothing to report.
    failed = true;
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
finally
{
    if (options.Keep || failed)
    {
        Console.WriteLine($"Kept the work directory (logs, broker output): {workDirectory}");
    }
    else
    {
        try
        {
            Directory.Delete(workDirectory, recursive: true);
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"Could not delete {workDirectory}: {e.Message}");
        }
    }
}

Console.WriteLine();
Report.Print(options, clicks.Length, expected, ceiling, results);
var ok = !failed && results.All(r => r.Ok);
Console.WriteLine();
Console.WriteLine($"Total bench time {total.Elapsed.TotalSeconds:0} s. Load average (1/5/15 min) at start {loadAtStart}, at end {Stats.LoadAverage()}.");
return ok ? 0 : 1;

static void Exit(string why, int code)
{
    Console.Error.WriteLine($"{why}: stopping the development broker.");
    Environment.Exit(code);
}
