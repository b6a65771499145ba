namespace Rill.Functions;

/// <summary>A function with a life cycle: opened once per subtask before the first record, closed after the last.</summary>
public interface IRichFunction
{
    void Open(IRuntimeContext context);

    void Close();
}
