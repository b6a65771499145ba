using System.Globalization;

namespace Rill.Samples.ClickGen;

/// <summary>
/// The command line. The Kafka address also comes from the configuration key <c>ConnectionStrings:kafka</c> (environment
/// <c>ConnectionStrings__kafka</c>, as Aspire sets it); the command line wins.
/// </summary>
internal sealed record ClickGenOptions(string BootstrapServers, string Topic, int ClicksPerSecond, double EventTimeSpeed, int Users, int Seed, bool ShowHelp)
{
    public const string Usage = """
        ClickGen [--bootstrap-servers HOST:PORT] [--topic clicks] [--rate CLICKS_PER_SECOND] [--event-time-speed X] [--users N] [--seed S]

        Produces a steady stream of synthetic clicks until SIGTERM or Ctrl+C: record value "timestampMillis,userId,url" (the
        ClickCounts CSV line), key = the user id. Event time starts at the wall clock and advances X times as fast
        (--event-time-speed 60: a minute of clicks per second). Defaults: --topic clicks --rate 20 --event-time-speed 1
        --users 10 --seed 1. The Kafka address defaults to ConnectionStrings:kafka (environment ConnectionStrings__kafka).
        """;

    public static ClickGenOptions Parse(IReadOnlyList<string> args, Func<string, string?> configuration)
    {
        string? bootstrap = null;
        var topic = "clicks";
        var rate = 20;
        var speed = 1.0;
        var users = 10;
        var seed = 1;
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"Option {args[i]} needs a value.");
            switch (args[i])
            {
                case "--bootstrap-servers":
                    bootstrap = NonEmpty(Value(), "--bootstrap-servers");
                    break;
                case "--topic":
                    topic = NonEmpty(Value(), "--topic");
                    break;
                case "--rate":
                    rate = AtLeastOne(Value(), "--rate");
                    break;
                case "--event-time-speed":
                    var text = Value();
                    speed = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && x > 0 && double.IsFinite(x)
                        ? x
                        : throw new ArgumentException($"Option --event-time-speed needs a number above 0, got '{text}'.");
                    break;
                case "--users":
                    users = AtLeastOne(Value(), "--users");
                    break;
                case "--seed":
                    var seedText = Value();
                    seed = int.TryParse(seedText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var s)
                        ? s
                        : throw new ArgumentException($"Option --seed needs a whole number, got '{seedText}'.");
                    break;
                case "--help" or "-h":
                    return new ClickGenOptions("", topic, rate, speed, users, seed, ShowHelp: true);
                default:
                    throw new ArgumentException($"Unknown option '{args[i]}'.");
            }
        }

        bootstrap ??= configuration("ConnectionStrings:kafka") is { Length: > 0 } configured ? configured
            : throw new ArgumentException("Missing the Kafka address: --bootstrap-servers HOST:PORT (or ConnectionStrings:kafka).");
        return new ClickGenOptions(bootstrap, topic, rate, speed, users, seed, ShowHelp: false);
    }

    private static string NonEmpty(string value, string option) =>
        value.Length > 0 ? value : throw new ArgumentException($"Option {option} needs a non-empty value.");

    private static int AtLeastOne(string text, string option) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 1
            ? value
            : throw new ArgumentException($"Option {option} needs a whole number of at least 1, got '{text}'.");
}
