using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;
using Polly.Timeout;

namespace Rill.ServiceDefaults.Tests;

/// <summary>
/// The HTTP resilience of AddServiceDefaults: transient failures of safe calls are retried, unsafe methods never (a lost
/// answer to a submission must not start a job twice), and an upload is not cut off by the attempt or total timeout.
/// The timeouts are shortened here so that the test takes a second instead of half a minute.
/// </summary>
public sealed class HttpResilienceTests
{
    [Fact]
    public async Task A_failing_GET_is_retried_a_failing_POST_is_not()
    {
        var server = new ScriptedHandler(_ => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
        using var provider = ClientServices(server);
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("jobmanager");

        var get = await client.GetAsync("http://127.0.0.1:1/jobs");
        var getCalls = server.Calls;
        var post = await client.PostAsync("http://127.0.0.1:1/jobs", new StringContent("{}"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, get.StatusCode);
        Assert.Equal(1 + 3, getCalls); // the standard handler's 3 retries
        Assert.Equal(HttpStatusCode.ServiceUnavailable, post.StatusCode);
        Assert.Equal(getCalls + 1, server.Calls);
    }

    [Fact]
    public async Task An_upload_outlasts_the_timeouts_that_stop_a_slow_GET()
    {
        var server = new ScriptedHandler(_ => new HttpResponseMessage(HttpStatusCode.OK), delay: TimeSpan.FromSeconds(1.5));
        using var provider = ClientServices(server);
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("jobmanager");

        var upload = await client.PostAsync("http://127.0.0.1:1/artifacts", new ByteArrayContent(new byte[1024]));
        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);

        await Assert.ThrowsAsync<TimeoutRejectedException>(() => client.GetAsync("http://127.0.0.1:1/overview"));
    }

    private static ServiceProvider ClientServices(ScriptedHandler server)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.AddServiceDefaults();
        builder.Services.ConfigureAll<HttpStandardResilienceOptions>(options =>
        {
            options.Retry.Delay = TimeSpan.FromMilliseconds(1);
            options.AttemptTimeout.Timeout = TimeSpan.FromMilliseconds(200);
            options.TotalRequestTimeout.Timeout = TimeSpan.FromMilliseconds(500);
        });
        builder.Services.AddHttpClient("jobmanager").ConfigurePrimaryHttpMessageHandler(() => server);
        return builder.Services.BuildServiceProvider();
    }

    /// <summary>The server side, in process: answers every request with the scripted response after an optional delay.</summary>
    private sealed class ScriptedHandler(Func<HttpRequestMessage, HttpResponseMessage> respond, TimeSpan? delay = null) : HttpMessageHandler
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            if (delay is { } wait)
            {
                await Task.Delay(wait, cancellationToken);
            }

            return respond(request);
        }
    }
}
