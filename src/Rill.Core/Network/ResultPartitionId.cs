namespace Rill.Network;

/// <summary>Identifies the output of one producer subtask attempt for one intermediate data set.</summary>
public readonly record struct ResultPartitionId(Guid JobId, string DataSetId, int ProducerSubtask, int Attempt)
{
    public override string ToString() => $"{DataSetId}#{ProducerSubtask}@{Attempt}";
}
