using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace Rill.Samples.ClickGen;

/// <summary>Exit codes: 0 stopped by SIGTERM or Ctrl+C, 1 Kafka failed, 2 usage error.</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        ClickGenOptions options;
        try
        {
            // Configuration keys as .NET spells them in environment variables ("ConnectionStrings:kafka" → ConnectionStrings__kafka).
            options = ClickGenOptions.Parse(args, key => Environment.GetEnvironmentVariable(key.Replace(":", "__", StringComparison.Ordinal)));
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            Console.Error.WriteLine("usage: " + ClickGenOptions.Usage.Split('\n')[0]);
            return 2;
        }

        if (options.ShowHelp)
        {
            Console.WriteLine(ClickGenOptions.Usage);
            return 0;
        }

        using var stop = new CancellationTokenSource();
        // .NET has no default SIGTERM handling that lets the loop flush; Aspire and Kubernetes stop processes with SIGTERM.
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        try
        {
            await ClickProducer.RunAsync(options, Console.Out, stop.Token);
            return 0;
        }
        catch (KafkaException e)
        {
            Console.Error.WriteLine($"error: Kafka at {options.BootstrapServers}: {e.Error.Reason}");
            return 1;
        }
    }
}
