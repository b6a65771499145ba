using System.Net;

namespace Rill.Cli.Rest;

/// <summary>
/// The JobManager could not be reached, or answered with an error: the message is one line for the user (for an
/// HTTP error, the server's problem-details <c>detail</c>), never a stack trace.
/// </summary>
internal sealed class RestClientException(string message, HttpStatusCode? statusCode = null, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>Null when no HTTP answer came (connection refused, timeout, not HTTP).</summary>
    public HttpStatusCode? StatusCode { get; } = statusCode;
}
