using Rill.Api;
using Rill.Runtime.Scheduler;

namespace Rill.Tests.Runtime;

public sealed class RestartStrategyParsingTests
{
    [Fact]
    public void Each_form_gives_the_strategy_it_names()
    {
        var now = DateTimeOffset.UtcNow;
        Assert.Null(RestartStrategies.Parse("none")().OnFailure(now));

        var fixedDelay = RestartStrategies.Parse("fixed-delay:2:1.5")();
        Assert.Equal(TimeSpan.FromSeconds(1.5), fixedDelay.OnFailure(now));
        Assert.Equal(TimeSpan.FromSeconds(1.5), fixedDelay.OnFailure(now));
        Assert.Null(fixedDelay.OnFailure(now)); // a third failure exceeds the 2 attempts

        var failureRate = RestartStrategies.Parse("failure-rate:1:60:0")();
        Assert.Equal(TimeSpan.Zero, failureRate.OnFailure(now));
        Assert.Null(failureRate.OnFailure(now.AddSeconds(1))); // a second failure within the minute
    }

    [Theory]
    [InlineData("")]
    [InlineData("fixed")]
    [InlineData("fixed-delay:0:1")]
    [InlineData("fixed-delay:2")]
    [InlineData("fixed-delay:2.5:1")]
    [InlineData("failure-rate:1:0:1")]
    [InlineData("none:1")]
    public void Anything_else_is_refused_with_the_syntax(string spec)
    {
        var error = Assert.Throws<ArgumentException>(() => RestartStrategies.Parse(spec));
        Assert.Contains("fixed-delay:ATTEMPTS:DELAY_S", error.Message);
    }

    [Theory]
    [InlineData("fixed-delay:3:1", true)]
    [InlineData("failure-rate:3:60:0.5", true)]
    [InlineData("none", true)]
    [InlineData("fixed-delay:x:1", false)]
    [InlineData("restart-always", false)]
    public void Programs_reject_a_malformed_strategy_as_a_usage_error(string spec, bool valid)
    {
        var parse = () => DeploymentOptions.Read(ParameterTool.FromArgs(["--restart-strategy", spec]));
        if (valid)
        {
            Assert.Equal(spec, parse().RestartStrategy);
        }
        else
        {
            Assert.Contains("--restart-strategy", Assert.Throws<ArgumentException>(parse).Message);
        }
    }
}
