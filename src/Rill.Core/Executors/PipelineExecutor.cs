using System.Reflection;
using Rill.Api;
using Rill.Graph;

namespace Rill.Executors;

/// <summary>Runs a program's stream graph somewhere: an embedded mini cluster, or (later) a remote cluster.</summary>
public interface IPipelineExecutor
{
    Task<JobExecutionResult> ExecuteAsync(StreamGraph streamGraph, CancellationToken cancellation);
}

/// <summary>Marks, on an assembly, the type that creates that assembly's default executor.</summary>
[AttributeUsage(AttributeTargets.Assembly)]
public sealed class PipelineExecutorFactoryAttribute(Type factoryType) : Attribute
{
    public Type FactoryType { get; } = factoryType;
}

public interface IPipelineExecutorFactory
{
    IPipelineExecutor Create(StreamExecutionEnvironment environment);
}

/// <summary>
/// Finds the executor, as Flink's PipelineExecutorServiceLoader does: an explicitly registered factory wins
/// (launchers and tests set one), else the runtime assembly that ships beside Rill.Core provides the embedded one.
/// </summary>
public static class PipelineExecutorServiceLoader
{
    private static IPipelineExecutorFactory? _override;

    // Planning runs a program inside a host that also runs other programs (a session cluster): the capturing
    // executor must apply to that program's flow only, not to the whole process.
    private static readonly AsyncLocal<IPipelineExecutorFactory?> ScopedOverride = new();

    public static void SetFactory(IPipelineExecutorFactory? factory) => _override = factory;

    /// <summary>Uses <paramref name="factory"/> for programs started from the current async flow until the scope is disposed.</summary>
    public static IDisposable UseFactoryInScope(IPipelineExecutorFactory factory)
    {
        var previous = ScopedOverride.Value;
        ScopedOverride.Value = factory;
        return new Scope(() => ScopedOverride.Value = previous);
    }

    public static IPipelineExecutor Create(StreamExecutionEnvironment environment)
    {
        if ((ScopedOverride.Value ?? _override) is { } factory)
        {
            return factory.Create(environment);
        }

        Assembly runtime;
        try
        {
            runtime = Assembly.Load(new AssemblyName("Rill.Runtime"));
        }
        catch (FileNotFoundException e)
        {
            throw new InvalidOperationException("No executor found: reference the Rill.Runtime package to run jobs.", e);
        }

        var attribute = runtime.GetCustomAttribute<PipelineExecutorFactoryAttribute>()
            ?? throw new InvalidOperationException("Rill.Runtime declares no executor factory.");
        return ((IPipelineExecutorFactory)Activator.CreateInstance(attribute.FactoryType)!).Create(environment);
    }
}

file sealed class Scope(Action onDispose) : IDisposable
{
    private Action? _onDispose = onDispose;

    public void Dispose() => Interlocked.Exchange(ref _onDispose, null)?.Invoke();
}
