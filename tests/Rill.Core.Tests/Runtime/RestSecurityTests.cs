using System.Net;
using System.Net.Http.Headers;
using Rill.Runtime.MiniCluster;

namespace Rill.Tests.Runtime;

/// <summary>Submitting work over REST means running code: beyond loopback the API needs a token, and checks it.</summary>
public sealed class RestSecurityTests
{
    [Fact]
    public async Task BindingBeyondLoopbackWithoutATokenRefusesToStart()
    {
        await using var cluster = new MiniCluster(new MiniClusterConfiguration { RestPort = 0, RestBindAddress = IPAddress.Any });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => cluster.StartAsync());

        Assert.Contains("auth token", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithATokenEveryRequestMustCarryIt()
    {
        await using var cluster = new MiniCluster(new MiniClusterConfiguration { RestPort = 0, RestAuthToken = "s3cret" });
        await cluster.StartAsync();
        using var http = new HttpClient { BaseAddress = cluster.RestAddress };

        using var anonymous = await http.GetAsync("/overview");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "wrong");
        using var wrong = await http.GetAsync("/overview");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "s3cret");
        using var allowed = await http.GetAsync("/overview");
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task TheApiDescribesItselfAndNamesUnknownTaskManagers()
    {
        await using var cluster = new MiniCluster(new MiniClusterConfiguration { RestPort = 0 });
        await cluster.StartAsync();
        using var http = new HttpClient { BaseAddress = cluster.RestAddress };

        var openApi = await http.GetStringAsync("/openapi/v1.json");
        Assert.Contains("/jobs/{jobId}", openApi, StringComparison.Ordinal);

        using var known = await http.GetAsync("/taskmanagers/taskmanager-0");
        Assert.Equal(HttpStatusCode.OK, known.StatusCode);
        using var unknown = await http.GetAsync("/taskmanagers/nope");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("nope", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}

/// <summary>A loopback API answers only requests addressed to loopback names, so DNS rebinding cannot reach it.</summary>
public sealed class RestHostFilteringTests
{
    [Fact]
    public async Task RequestsForOtherHostNamesAreRefused()
    {
        await using var cluster = new MiniCluster(new MiniClusterConfiguration { RestPort = 0 });
        await cluster.StartAsync();
        using var http = new HttpClient { BaseAddress = cluster.RestAddress };

        using var local = await http.GetAsync("/overview");
        Assert.Equal(HttpStatusCode.OK, local.StatusCode);

        using var rebound = new HttpRequestMessage(HttpMethod.Get, "/overview");
        rebound.Headers.Host = "attacker.example";
        using var refused = await http.SendAsync(rebound);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
    }
}
