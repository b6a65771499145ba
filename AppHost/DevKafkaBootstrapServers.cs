using Aspire.Hosting.ApplicationModel;

namespace Rill.AppHost;

/// <summary>
/// The development broker's bootstrap servers, as it announces them in its bootstrap file. librdkafka's mock cluster only
/// listens on random loopback ports (it binds port 0 and has no option to choose one), so the address is known only after the
/// broker started; the AppHost reads the file and hands the value on as <c>ConnectionStrings__kafka</c>, and no consumer
/// needs to know about the file.
/// </summary>
internal sealed class DevKafkaBootstrapServers(string resourceName, string bootstrapFile) : IValueProvider, IManifestExpressionProvider
{
    /// <summary>How long a dependent waits for the announcement (the broker writes it within seconds once it runs).</summary>
    private static readonly TimeSpan AnnouncementTimeout = TimeSpan.FromSeconds(60);

    public string BootstrapFile => bootstrapFile;

    // Publish mode describes the Kafka container, never this broker; a manifest that somehow got here names the value plainly.
    public string ValueExpression => $"{{{resourceName}.bootstrapServers}}";

    /// <summary>Without a caller (status displays, the health check) the value is simply unknown (null) until the broker announced it.</summary>
    public ValueTask<string?> GetValueAsync(CancellationToken cancellationToken = default) => new(TryRead());

    /// <summary>A resource that reads the value for its environment waits for the announcement, then fails with a clear message.</summary>
    public async ValueTask<string?> GetValueAsync(ValueProviderContext context, CancellationToken cancellationToken = default)
    {
        if (context.Caller is null || context.Caller.Name == resourceName)
        {
            return TryRead();
        }

        var deadline = DateTime.UtcNow + AnnouncementTimeout;
        while (true)
        {
            if (TryRead() is { } servers)
            {
                return servers;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"The development Kafka broker '{resourceName}' did not announce its bootstrap servers in {bootstrapFile} within "
                    + $"{AnnouncementTimeout.TotalSeconds:0} s, so '{context.Caller.Name}' cannot be given ConnectionStrings__kafka; see the broker's log.");
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The broker writes the file atomically (temporary file, then rename), so a file that exists is complete.</summary>
    private string? TryRead()
    {
        try
        {
            return File.ReadAllText(bootstrapFile).Trim() is { Length: > 0 } servers ? servers : null;
        }
        catch (FileNotFoundException)
        {
            return null; // not announced yet
        }
    }
}
