using System.Threading.Channels;

namespace Rill.Runtime.Rpc;

/// <summary>
/// Runs a component's work one item at a time, in order (Flink's RpcEndpoint main thread). Components never
/// block it waiting for another component: they send, and handle the answer in a later work item. That rule
/// is what keeps in-process calls free of deadlocks and lets the same code run over remote RPC.
/// </summary>
public sealed class MainThreadExecutor : IAsyncDisposable
{
    private readonly Channel<Action> _work = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;
    private readonly string _name;
    private readonly Action<Exception> _onUnhandled;

    public MainThreadExecutor(string name, Action<Exception> onUnhandled)
    {
        _name = name;
        _onUnhandled = onUnhandled;
        _loop = Task.Run(RunAsync);
    }

    public Task<T> CallAsync<T>(Func<T> work)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_work.Writer.TryWrite(() =>
            {
                try
                {
                    completion.SetResult(work());
                }
                catch (Exception e)
                {
                    completion.SetException(e);
                }
            }))
        {
            completion.SetException(new ObjectDisposedException(_name, $"{_name} has shut down."));
        }

        return completion.Task;
    }

    public Task CallAsync(Action work) => CallAsync(() =>
    {
        work();
        return true;
    });

    /// <summary>Runs work later without anyone waiting for it; a failure goes to the component's handler.</summary>
    public void Execute(Action work)
    {
        _work.Writer.TryWrite(() =>
        {
            try
            {
                work();
            }
            catch (Exception e)
            {
                _onUnhandled(e);
            }
        });
    }

    /// <summary>Continues on the main thread once <paramref name="task"/> completes.</summary>
    public void OnComplete<T>(Task<T> task, Action<T?, Exception?> continuation) =>
        task.ContinueWith(t => Execute(() => continuation(t.IsCompletedSuccessfully ? t.Result : default, t.Exception?.GetBaseException())), TaskScheduler.Default);

    public void OnComplete(Task task, Action<Exception?> continuation) =>
        task.ContinueWith(t => Execute(() => continuation(t.Exception?.GetBaseException())), TaskScheduler.Default);

    private async Task RunAsync()
    {
        await foreach (var work in _work.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            work();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _work.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }
}
