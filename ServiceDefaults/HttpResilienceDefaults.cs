using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Rill.ServiceDefaults;

/// <summary>
/// The standard resilience handler (retry, circuit breaker, attempt and total timeouts) with two changes. POST, PUT,
/// PATCH, DELETE and CONNECT are never retried: a job submission whose answer was lost may have started the job, and
/// sending it again must be the caller's decision (with its own submission id), not a handler's. And a request with a
/// body (an upload: an application archive can take minutes) has no attempt or total timeout; it ends when the
/// transfer does, or by the caller's own cancellation.
/// </summary>
internal static class HttpResilienceDefaults
{
    public static void Configure(HttpStandardResilienceOptions options)
    {
        options.Retry.DisableForUnsafeHttpMethods();
        options.AttemptTimeout.TimeoutGenerator = args => new ValueTask<TimeSpan>(IsUpload(args.Context) ? Timeout.InfiniteTimeSpan : options.AttemptTimeout.Timeout);
        options.TotalRequestTimeout.TimeoutGenerator = args => new ValueTask<TimeSpan>(IsUpload(args.Context) ? Timeout.InfiniteTimeSpan : options.TotalRequestTimeout.Timeout);
    }

    private static bool IsUpload(ResilienceContext context) => context.GetRequestMessage()?.Content is not null;
}
