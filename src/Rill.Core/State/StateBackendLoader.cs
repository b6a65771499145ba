using System.Reflection;
using Rill.Operators;

namespace Rill.State;

/// <summary>Finds a state backend by name and creates operators' keyed state with it.</summary>
internal static class StateBackendLoader
{
    // Backends that ship apart from Rill.Core, so Core never loads their native code unless a job asks for them.
    private static readonly Dictionary<string, string> BackendAssemblies = new(StringComparer.OrdinalIgnoreCase)
    {
        [StateBackends.RocksDb] = "Rill.StateBackend.RocksDb",
    };

    public static IStateBackendFactory Load(string name)
    {
        if (string.Equals(name, StateBackends.Heap, StringComparison.OrdinalIgnoreCase))
        {
            return HeapStateBackendFactory.Instance;
        }

        if (!BackendAssemblies.TryGetValue(name, out var assemblyName))
        {
            throw new ArgumentException($"Unknown state backend '{name}': use '{StateBackends.Heap}' or '{StateBackends.RocksDb}'.");
        }

        Assembly assembly;
        try
        {
            assembly = Assembly.Load(new AssemblyName(assemblyName));
        }
        catch (FileNotFoundException e)
        {
            throw new InvalidOperationException($"The '{name}' state backend needs the {assemblyName} package: reference it from the job's project.", e);
        }

        var attribute = assembly.GetCustomAttributes<StateBackendFactoryAttribute>().FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException($"{assemblyName} declares no factory for the '{name}' state backend.");
        return (IStateBackendFactory)Activator.CreateInstance(attribute.FactoryType)!;
    }

    /// <summary>The keyed state of one operator subtask, in the job's backend.</summary>
    public static KeyedStateBackend<TKey> CreateKeyedStateBackend<TKey>(OperatorContext context) where TKey : notnull
    {
        var config = context.Options.StateBackend;
        var factory = config.Factory ?? Load(config.EffectiveName);
        var parameters = new KeyedStateBackendParameters(context.KeyGroupRange, context.Task.MaxParallelism, context.Task.JobId, context.OperatorId,
            context.Task.SubtaskIndex, context.Task.AttemptNumber, Path.GetFullPath(config.LocalDirectory ?? StateBackendConfig.DefaultLocalDirectory));
        return factory.CreateKeyedStateBackend<TKey>(parameters);
    }
}
