using Akka;
using Akka.Actor;
using Akka.Configuration;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace Rill.Bench;

/// <summary>
/// ClickCounts on Akka.Streams: one fused graph (no async boundaries; GroupBy substreams are sub-fused into the
/// same interpreter), run by a default <see cref="ActorMaterializer"/>. Akka.Streams has no event-time windows,
/// so the window is part of the grouping key (variant A) or of the per-user aggregate (variant B).
/// </summary>
public sealed class AkkaContender : IDisposable
{
    private readonly ActorSystem _system;
    private readonly ActorMaterializer _materializer;

    public AkkaContender()
    {
        // Quiet logging only; everything else (dispatcher, materializer settings) stays at its default.
        _system = ActorSystem.Create("clickcounts-bench", ConfigurationFactory.ParseString("akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING"));
        _materializer = _system.Materializer();
    }

    /// <summary>Variant A, as the issue suggests: GroupBy on (window start, user) → Aggregate (Fold) a count per substream.</summary>
    public Task<List<WindowCount>> RunGroupByWindowAndUserAsync(Click[] events) =>
        ((Source<WindowCount, NotUsed>)Source.From(events)
            .Where(c => ClickCounts.IsValid(c))
            .Select(c => ClickCounts.ToUserClick(c))
            .GroupBy(int.MaxValue, c => (ClickCounts.WindowStart(c.Timestamp), c.UserId))
            .Aggregate(default(WindowCount), (acc, c) => new WindowCount(ClickCounts.WindowStart(c.Timestamp), c.UserId, acc.Count + 1))
            .MergeSubstreams())
            .RunWith(Sink.Aggregate<WindowCount, List<WindowCount>>(new List<WindowCount>(), (list, count) =>
            {
                list.Add(count);
                return list;
            }), _materializer);

    /// <summary>
    /// Variant B: GroupBy on user (about 1000 substreams) → Aggregate the counts of each window of that user, then emit
    /// them. The accumulator is created lazily, so substreams never share the blueprint's zero value.
    /// </summary>
    public Task<List<WindowCount>> RunGroupByUserAsync(Click[] events, int users) =>
        ((Source<WindowCount, NotUsed>)Source.From(events)
            .Where(c => ClickCounts.IsValid(c))
            .Select(c => ClickCounts.ToUserClick(c))
            .GroupBy(users * 2, c => c.UserId)
            .Aggregate((PerUser?)null, (acc, c) =>
            {
                acc ??= new PerUser(c.UserId);
                acc.Add(ClickCounts.WindowStart(c.Timestamp));
                return acc;
            })
            .SelectMany(acc => acc!.Results())
            .MergeSubstreams())
            .RunWith(Sink.Aggregate<WindowCount, List<WindowCount>>(new List<WindowCount>(), (list, count) =>
            {
                list.Add(count);
                return list;
            }), _materializer);

    public void Dispose()
    {
        _materializer.Dispose();
        _system.Terminate().Wait(TimeSpan.FromSeconds(30));
    }

    private sealed class PerUser(int userId)
    {
        private readonly Dictionary<long, long> _countsByWindow = [];

        public void Add(long windowStart) => System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_countsByWindow, windowStart, out _)++;

        public IEnumerable<WindowCount> Results() => _countsByWindow.Select(kv => new WindowCount(kv.Key, userId, kv.Value));
    }
}
