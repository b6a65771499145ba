namespace Rill.State;

/// <summary>Marks, on a backend's assembly, the factory of the state backend of that name (found as <see cref="Executors.PipelineExecutorFactoryAttribute"/> is).</summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
internal sealed class StateBackendFactoryAttribute(string name, Type factoryType) : Attribute
{
    public string Name { get; } = name;

    public Type FactoryType { get; } = factoryType;
}
