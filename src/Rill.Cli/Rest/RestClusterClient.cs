using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Rill.Cli.Rest;

/// <summary>
/// The JobManager's REST API as the CLI uses it. Every failure surfaces as a <see cref="RestClientException"/> with a
/// one-line message that names the JobManager, so commands only decide what to print on success.
/// </summary>
internal sealed class RestClusterClient : IDisposable
{
    // Queries answer at once; an upload of a large application over a slow link may take minutes.
    private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan UploadTimeout = TimeSpan.FromMinutes(10);

    /// <summary>The JobManager plans the program before it answers a run, for up to 2 minutes: the answer is awaited a bit longer.</summary>
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2.5);

    private readonly HttpClient _http;

    /// <param name="baseAddress">The REST URL, ending with '/'.</param>
    public RestClusterClient(Uri baseAddress, string? authToken)
    {
        BaseAddress = baseAddress;
        // Timeouts are per request (see SendAsync): HttpClient's own would turn them into a bare TaskCanceledException.
        _http = new HttpClient { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (authToken is not null)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", authToken);
        }
    }

    public Uri BaseAddress { get; }

    public async Task<ArtifactUploadResponse> UploadArtifactAsync(Stream zip, string fileName, CancellationToken cancellation)
    {
        using var content = new MultipartFormDataContent();
        var file = new StreamContent(zip);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        content.Add(file, "file", fileName);
        return await SendAsync<ArtifactUploadResponse>(HttpMethod.Post, "artifacts", content, UploadTimeout, cancellation).ConfigureAwait(false);
    }

    public async Task<string> RunArtifactAsync(string artifactId, RunArtifactRequest request, CancellationToken cancellation)
    {
        using var content = JsonContent.Create(request);
        var response = await SendAsync<RunArtifactResponse>(HttpMethod.Post, $"artifacts/{Uri.EscapeDataString(artifactId)}/run", content, RunTimeout, cancellation)
            .ConfigureAwait(false);
        return response.JobId;
    }

    public async Task<IReadOnlyList<JobListEntry>> ListJobsAsync(CancellationToken cancellation) =>
        (await SendAsync<JobListResponse>(HttpMethod.Get, "jobs", null, QueryTimeout, cancellation).ConfigureAwait(false)).Jobs;

    public Task<JobDetailsResponse> GetJobAsync(string jobId, CancellationToken cancellation) =>
        SendAsync<JobDetailsResponse>(HttpMethod.Get, $"jobs/{jobId}", null, QueryTimeout, cancellation);

    public Task<JobExceptionsResponse> GetJobExceptionsAsync(string jobId, CancellationToken cancellation) =>
        SendAsync<JobExceptionsResponse>(HttpMethod.Get, $"jobs/{jobId}/exceptions", null, QueryTimeout, cancellation);

    public async Task CancelJobAsync(string jobId, CancellationToken cancellation)
    {
        using var response = await SendRawAsync(new HttpMethod("PATCH"), $"jobs/{jobId}?mode=cancel", null, QueryTimeout, cancellation).ConfigureAwait(false);
    }

    /// <summary>Starts a savepoint (<c>POST /jobs/{id}/savepoints</c>); returns the request id to poll with <see cref="GetSavepointStatusAsync"/>.</summary>
    public async Task<string> TriggerSavepointAsync(string jobId, string? targetDirectory, CancellationToken cancellation)
    {
        using var content = JsonContent.Create(new SavepointTriggerRequest(targetDirectory, CancelJob: false));
        return (await SendAsync<SavepointTriggerResponse>(HttpMethod.Post, $"jobs/{jobId}/savepoints", content, QueryTimeout, cancellation).ConfigureAwait(false)).RequestId;
    }

    /// <summary>Starts a stop-with-savepoint (<c>POST /jobs/{id}/stop</c>); its status is polled like a savepoint's.</summary>
    public async Task<string> StopWithSavepointAsync(string jobId, string? targetDirectory, CancellationToken cancellation)
    {
        using var content = JsonContent.Create(new StopWithSavepointRequest(targetDirectory, Drain: false));
        return (await SendAsync<SavepointTriggerResponse>(HttpMethod.Post, $"jobs/{jobId}/stop", content, QueryTimeout, cancellation).ConfigureAwait(false)).RequestId;
    }

    public Task<SavepointStatusResponse> GetSavepointStatusAsync(string jobId, string requestId, CancellationToken cancellation) =>
        SendAsync<SavepointStatusResponse>(HttpMethod.Get, $"jobs/{jobId}/savepoints/{Uri.EscapeDataString(requestId)}", null, QueryTimeout, cancellation);

    public async Task<IReadOnlyList<TaskManagerEntry>> ListTaskManagersAsync(CancellationToken cancellation) =>
        (await SendAsync<TaskManagerListResponse>(HttpMethod.Get, "taskmanagers", null, QueryTimeout, cancellation).ConfigureAwait(false)).TaskManagers;

    private async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent? content, TimeSpan timeout, CancellationToken cancellation)
    {
        using var response = await SendRawAsync(method, path, content, timeout, cancellation).ConfigureAwait(false);
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(cancellation).ConfigureAwait(false)
                ?? throw new JsonException("the body is JSON null");
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            // NotSupportedException: a body that is not JSON at all (no or another content type), e.g. a proxy's page.
            throw new RestClientException($"{method} {Describe(path)} answered with a body that is not what a Rill JobManager sends: {OneLine(e.Message)}", response.StatusCode, e);
        }
    }

    /// <summary>Sends one request; returns only a success response, the caller disposes it.</summary>
    private async Task<HttpResponseMessage> SendRawAsync(HttpMethod method, string path, HttpContent? content, TimeSpan timeout, CancellationToken cancellation)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(timeout);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellation.IsCancellationRequested)
        {
            throw new RestClientException($"the JobManager at {BaseAddress} did not answer {method} {Describe(path)} within {timeout.TotalSeconds:0} s.", inner: e);
        }
        catch (HttpRequestException e) when (e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
            or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError)
        {
            throw new RestClientException($"cannot reach the JobManager at {BaseAddress}: {OneLine(Reason(e))}", inner: e);
        }
        catch (HttpRequestException e)
        {
            // Connected, then the connection broke: the request may have reached the JobManager, only its answer is lost.
            throw new RestClientException($"lost the connection to the JobManager at {BaseAddress} during {method} {Describe(path)}: {OneLine(Reason(e))}", inner: e);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var detail = await ProblemDetailAsync(response, cancellation).ConfigureAwait(false);
            throw new RestClientException($"{detail} ({method} {Describe(path)}: HTTP {(int)response.StatusCode})", response.StatusCode);
        }
    }

    /// <summary>RFC 7807's <c>detail</c> (else its <c>title</c>), or the status text when the body is not problem details.</summary>
    private static async Task<string> ProblemDetailAsync(HttpResponseMessage response, CancellationToken cancellation)
    {
        try
        {
            var body = await response.Content.ReadAsStringAsync(cancellation).ConfigureAwait(false);
            using var problem = JsonDocument.Parse(body);
            foreach (var key in new[] { "detail", "title" })
            {
                if (problem.RootElement.ValueKind == JsonValueKind.Object && problem.RootElement.TryGetProperty(key, out var value)
                    && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text)
                {
                    return OneLine(text);
                }
            }
        }
        catch (Exception e) when (e is JsonException or HttpRequestException)
        {
            // not problem details: fall back to the status line
        }

        return response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => "the JobManager requires a bearer token: pass --auth-token or set RILL_AUTH_TOKEN",
            _ => $"the JobManager answered {(int)response.StatusCode} {response.ReasonPhrase}",
        };
    }

    // "Connection refused (host:port)" says it all; a TLS failure's own message only points at its inner exception, and
    // a broken connection's ("An error occurred while sending the request") says nothing without it.
    private static string Reason(HttpRequestException e) =>
        e.InnerException is { } inner && (e.Message.Contains("inner exception", StringComparison.OrdinalIgnoreCase) || e.HttpRequestError is not HttpRequestError.ConnectionError)
            ? $"{e.Message.TrimEnd('.')}: {inner.Message}"
            : e.Message;

    private string Describe(string path) => new Uri(BaseAddress, path).AbsolutePath;

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    public void Dispose() => _http.Dispose();
}
