namespace Rill.Api;

/// <summary>Flink's execution modes; AUTOMATIC picks BATCH when every source is bounded.</summary>
public enum RuntimeExecutionMode
{
    Streaming,
    Batch,
    Automatic,
}
