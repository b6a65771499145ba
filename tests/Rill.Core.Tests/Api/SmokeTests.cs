using Rill.Api;

namespace Rill.Tests.Api;

public class SmokeTests
{
    [Fact]
    public async Task MapFilterKeyByReduceRunsEmbedded()
    {
        var env = StreamExecutionEnvironment.GetExecutionEnvironment().SetParallelism(2);
        var result = await env.FromCollection(Enumerable.Range(1, 1000))
            .Map(x => (Key: x % 3, Value: x))
            .Filter(t => t.Value % 2 == 0)
            .KeyBy(t => t.Key)
            .Reduce((a, b) => (a.Key, a.Value + b.Value))
            .ExecuteAndCollectAsync();
        var expected = Enumerable.Range(1, 1000).Where(v => v % 2 == 0).GroupBy(v => v % 3).ToDictionary(g => g.Key, g => g.Sum());
        Assert.Equal(expected.OrderBy(kv => kv.Key), result.ToDictionary(t => t.Key, t => t.Value).OrderBy(kv => kv.Key));
    }
}
