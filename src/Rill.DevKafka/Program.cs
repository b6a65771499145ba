using System.Globalization;
using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace Rill.DevKafka;

/// <summary>Runs the development broker until SIGTERM or Ctrl+C; exit codes: 0 stopped, 1 failed, 2 usage error.</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        DevKafkaOptions options;
        try
        {
            options = DevKafkaOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            Console.Error.WriteLine("usage: " + DevKafkaOptions.Usage.Split('\n')[0]);
            return 2;
        }

        if (options.ShowHelp)
        {
            Console.WriteLine(DevKafkaOptions.Usage);
            return 0;
        }

        using var stop = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        // A file left by an earlier broker names ports nobody listens on: gone before this one starts, and again when it stops.
        if (options.BootstrapFile is { } stale)
        {
            File.Delete(stale);
        }

        try
        {
            using var cluster = new MockCluster(options.Brokers);
            foreach (var (name, partitions) in options.Topics)
            {
                cluster.CreateTopic(name, partitions);
            }

            await WaitUntilAnsweringAsync(cluster, options.Topics.Select(t => t.Name).ToList(), stop.Token).ConfigureAwait(false);
            Console.Error.WriteLine($"Rill.DevKafka: a DEVELOPMENT Kafka broker (librdkafka mock cluster, in memory, not for production): {options.Brokers} broker(s), "
                + $"topics {string.Join(", ", options.Topics.Select(t => $"{t.Name}:{t.Partitions}"))}.");
            // stdout first: whoever waits for the file then also finds the line on stdout.
            Console.WriteLine(cluster.BootstrapServers);
            if (options.BootstrapFile is { } file)
            {
                var temporary = file + ".tmp";
                await File.WriteAllTextAsync(temporary, cluster.BootstrapServers + "\n", stop.Token).ConfigureAwait(false);
                File.Move(temporary, file, overwrite: true);
            }

            _ = Task.Run(() => ServeControlChannel(cluster, stop.Token), CancellationToken.None);
            await Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            if (options.BootstrapFile is { } announced)
            {
                File.Delete(announced);
            }

            Console.Error.WriteLine("Rill.DevKafka: stopped; its topics and records are gone.");
            return 0;
        }
        catch (OperationCanceledException)
        {
            return 0;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or DllNotFoundException or KafkaException or IOException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    /// <summary>Bootstrap servers are only announced once a client sees every topic in a Metadata response.</summary>
    private static async Task WaitUntilAnsweringAsync(MockCluster cluster, IReadOnlyList<string> topics, CancellationToken stop)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = cluster.BootstrapServers }).Build();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            stop.ThrowIfCancellationRequested();
            var metadata = admin.GetMetadata(TimeSpan.FromSeconds(5));
            if (metadata.Brokers.Count == cluster.Brokers && topics.All(t => metadata.Topics.Any(m => m.Topic == t && m.Error.Code == ErrorCode.NoError)))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"The mock brokers did not report every topic within 30 s ({metadata.Brokers.Count} brokers, topics {string.Join(", ", metadata.Topics.Select(t => t.Topic))}).");
            }

            await Task.Delay(100, stop).ConfigureAwait(false);
        }
    }

    /// <summary>One command per stdin line. End of input only ends the channel: the broker runs on (it may have been started with stdin closed).</summary>
    private static void ServeControlChannel(MockCluster cluster, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested && Console.In.ReadLine() is { } line)
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            try
            {
                switch (parts)
                {
                    case ["create-topic", var name, var count]:
                        var (topic, partitions) = DevKafkaOptions.ParseTopic($"{name}:{count}");
                        cluster.CreateTopic(topic, partitions);
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"created {topic} {partitions}"));
                        break;
                    case []:
                        break;
                    default:
                        Console.WriteLine($"error: unknown command '{line}' (known: create-topic NAME PARTITIONS)");
                        break;
                }
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                Console.WriteLine($"error: {e.Message}");
            }
        }
    }
}
