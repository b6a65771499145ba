using Microsoft.Extensions.Logging;
using Rill.Logging;
using Rill.Runtime.HighAvailability;

namespace Rill.Runtime.Entrypoint;

/// <summary>
/// Competes for JobManager leadership through the HA services and runs a JobManager for each term it wins (Flink's
/// leader election driver). It renews its lease well within the lease time; when a renewal shows another leader (this
/// process was paused, or lost Redis for longer than the lease), it steps down at once: its JobManager stops, and any
/// call it still makes carries a fencing token nobody accepts any more.
/// </summary>
internal sealed class JobManagerLeaderContender : IAsyncDisposable
{
    private static readonly ILogger Logger = RillLogging.CreateLogger<JobManagerLeaderContender>();
    private readonly IHighAvailabilityServices _services;
    private readonly JobManagerConfiguration _configuration;
    private readonly Func<JobManagerRunner, long, CancellationToken, Task> _onLeadershipGranted;
    private readonly TimeSpan _lease;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private Term? _term;

    public JobManagerLeaderContender(IHighAvailabilityServices services, JobManagerConfiguration configuration, TimeSpan lease,
        Func<JobManagerRunner, long, CancellationToken, Task> onLeadershipGranted)
    {
        _services = services;
        _configuration = configuration;
        _lease = lease;
        _onLeadershipGranted = onLeadershipGranted;
    }

    public string ContenderId { get; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}";

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    /// <summary>The work of the term this process leads (completed when it leads none), so a leader can let it finish before stepping down.</summary>
    public Task CurrentTermWork => _term?.Work ?? Task.CompletedTask;

    private async Task RunAsync(CancellationToken stop)
    {
        var renewInterval = _lease / 4;
        var lastRenewal = DateTime.UtcNow;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var leader = await _services.AcquireOrRenewLeadershipAsync(ContenderId, "", _lease).ConfigureAwait(false);
                lastRenewal = DateTime.UtcNow;
                if (leader.ContenderId == ContenderId)
                {
                    if (_term?.Token != leader.FencingToken)
                    {
                        await StepDownAsync($"a new term {leader.FencingToken} began").ConfigureAwait(false);
                        await BeginTermAsync(leader.FencingToken, stop).ConfigureAwait(false);
                    }
                }
                else if (_term is not null)
                {
                    await StepDownAsync($"{leader.ContenderId} leads now (term {leader.FencingToken})").ConfigureAwait(false);
                }
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                return; // stopping, perhaps while a term was starting: the process is leaving anyway
            }
            catch (Exception e)
            {
                Logger.LogWarning(e, "JobManager contender {ContenderId}: leader election failed: {Reason}", ContenderId, e.Message);
                if (_term is not null && DateTime.UtcNow - lastRenewal > _lease)
                {
                    await StepDownAsync("the lease could not be renewed in time").ConfigureAwait(false);
                }
            }

            try
            {
                await Task.Delay(renewInterval, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task BeginTermAsync(long token, CancellationToken stop)
    {
        var runner = new JobManagerRunner(_configuration, token, _services);
        try
        {
            await runner.StartAsync(stop).ConfigureAwait(false);
            await _services.PublishLeaderAddressAsync(token, LeaderAddresses.Format(runner.RpcAddress, runner.AdvertisedRestAddress.ToString())).ConfigureAwait(false);
        }
        catch
        {
            await runner.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var termStop = CancellationTokenSource.CreateLinkedTokenSource(stop);
        Logger.LogInformation("JobManager contender {ContenderId}: granted leadership, term {FencingToken}.", ContenderId, token);
        var work = Task.Run(async () =>
        {
            try
            {
                await _onLeadershipGranted(runner, token, termStop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (termStop.IsCancellationRequested || e is FencingTokenException)
            {
                Logger.LogInformation(e, "JobManager contender {ContenderId}: term {FencingToken} ended its work: {Reason}", ContenderId, token, e.Message);
            }
        });
        _term = new Term(runner, token, termStop, work);
    }

    private async Task StepDownAsync(string reason, bool leaving = false)
    {
        if (_term is not { } term)
        {
            return;
        }

        _term = null;
        if (leaving)
        {
            Logger.LogInformation("JobManager contender {ContenderId}: gives up leadership of term {FencingToken} ({Reason}).", ContenderId, term.Token, reason);
        }
        else
        {
            Logger.LogWarning("JobManager contender {ContenderId}: lost leadership of term {FencingToken} ({Reason}); stepping down.", ContenderId, term.Token, reason);
        }

        await term.Stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await term.Runner.DisposeAsync().ConfigureAwait(false);
            await term.Work.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // The term is over either way; what failed in it must not keep this contender from going on (or releasing).
            Logger.LogError(e, "JobManager contender {ContenderId}: term {FencingToken} ended with an error.", ContenderId, term.Token);
        }
        finally
        {
            term.Stop.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        if (_term is { } term)
        {
            await StepDownAsync("this process stops", leaving: true).ConfigureAwait(false);
            try
            {
                // A clean exit hands over at once instead of after the lease.
                await _services.ReleaseLeadershipAsync(new LeaderInfo(ContenderId, "", term.Token)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is StackExchange.Redis.RedisException or TimeoutException)
            {
                Logger.LogWarning(e, "JobManager contender {ContenderId}: could not release leadership: {Reason}", ContenderId, e.Message);
            }
        }

        _stop.Dispose();
    }

    private sealed record Term(JobManagerRunner Runner, long Token, CancellationTokenSource Stop, Task Work);
}
