namespace Rill.Serialization;

/// <summary>
/// Turns records into bytes whenever they cross a task boundary (and, later, a process boundary or a checkpoint).
/// Implementations are stateless and thread-safe so one instance can serve every subtask.
/// </summary>
public abstract class TypeSerializer<T>
{
    public abstract void Serialize(T value, DataOutputSerializer target);

    public abstract T Deserialize(DataInputView source);

    /// <summary>The serialized size when it is the same for every value, else -1; lets buffers pre-compute capacity.</summary>
    public virtual int FixedLength => -1;

    public override string ToString() => GetType().Name;
}
