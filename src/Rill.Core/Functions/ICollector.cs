namespace Rill.Functions;

/// <summary>Receives the records a function emits; calls go straight to the next chained operator.</summary>
public interface ICollector<in T>
{
    void Collect(T record);
}
