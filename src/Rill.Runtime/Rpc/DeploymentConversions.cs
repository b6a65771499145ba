using System.Net;
using Rill.Graph;
using Rill.Network;
using Rill.Runtime.Rpc.Contracts;
using Rill.Tasks;

namespace Rill.Runtime.Rpc;

/// <summary>Turns a deployment descriptor into ids for the wire, and back against the receiver's own job graph.</summary>
internal static class DeploymentConversions
{
    public static TaskDeploymentMessage ToMessage(this TaskDeploymentDescriptor descriptor) => new()
    {
        JobId = descriptor.Job.JobId,
        VertexId = descriptor.Vertex.Id,
        SubtaskIndex = descriptor.SubtaskIndex,
        AttemptNumber = descriptor.AttemptNumber,
        ExecutionAttemptId = descriptor.ExecutionAttemptId,
        PlanFingerprint = descriptor.Job.Fingerprint,
        VertexParallelism = descriptor.Job.VertexParallelism.ToDictionary(),
        RestoreJson = descriptor.Restore is null ? null : System.Text.Json.JsonSerializer.Serialize(descriptor.Restore),
        InputGates = descriptor.InputGates.Select(g => new InputGateMessage
        {
            DataSetId = g.Edge.Source.Id,
            Channels = g.Channels.Select(c => new InputChannelMessage
            {
                DataSetId = c.Partition.DataSetId,
                ProducerSubtask = c.Partition.ProducerSubtask,
                Attempt = c.Partition.Attempt,
                ProducerSubpartitions = c.ProducerSubpartitions,
                SubpartitionIndex = c.SubpartitionIndex,
                ProducerHost = c.ProducerDataAddress?.Address.ToString(),
                ProducerPort = c.ProducerDataAddress?.Port ?? 0,
            }).ToList(),
        }).ToList(),
        ProducedPartitions = descriptor.ProducedPartitions.Select(p => new ProducedPartitionMessage
        {
            DataSetId = p.Id.DataSetId,
            ProducerSubtask = p.Id.ProducerSubtask,
            Attempt = p.Id.Attempt,
            NumberOfSubpartitions = p.NumberOfSubpartitions,
        }).ToList(),
    };

    /// <exception cref="InvalidOperationException">The message was made for another plan than <paramref name="job"/>.</exception>
    public static TaskDeploymentDescriptor ToDescriptor(this TaskDeploymentMessage message, JobGraph job)
    {
        // One lock over check, rescale, fingerprint and descriptor: deployments of one job arrive concurrently.
        lock (job)
        {
            return ToDescriptorLocked(message, job);
        }
    }

    private static TaskDeploymentDescriptor ToDescriptorLocked(TaskDeploymentMessage message, JobGraph job)
    {
        if (message.VertexParallelism.Any(v => job.Vertices.FirstOrDefault(x => x.Id == v.Key) is { } vertex && vertex.Parallelism != v.Value))
        {
            job.Rescale(message.VertexParallelism);
        }

        if (message.PlanFingerprint != job.Fingerprint)
        {
            throw new InvalidOperationException(
                $"This TaskManager built a different plan of job {job.JobName} (fingerprint {job.Fingerprint}, the JobManager's is {message.PlanFingerprint}): " +
                "every process must run the same application build with the same arguments.");
        }

        var vertex = job.FindVertex(message.VertexId);
        var dataSets = job.Vertices.SelectMany(v => v.Produced).ToDictionary(d => d.Id, StringComparer.Ordinal);
        var gates = message.InputGates.Select(g => new InputGateDescriptor(
            dataSets[g.DataSetId].Consumer ?? throw new InvalidOperationException($"Data set {g.DataSetId} has no consumer."),
            g.Channels.Select(c => new InputChannelDescriptor(
                new ResultPartitionId(job.JobId, c.DataSetId, c.ProducerSubtask, c.Attempt),
                c.ProducerSubpartitions,
                c.SubpartitionIndex,
                c.ProducerHost is null ? null : new IPEndPoint(IPAddress.Parse(c.ProducerHost), c.ProducerPort))).ToList())).ToList();
        var produced = message.ProducedPartitions.Select(p => new ResultPartitionDescriptor(
            dataSets[p.DataSetId],
            new ResultPartitionId(job.JobId, p.DataSetId, p.ProducerSubtask, p.Attempt),
            p.NumberOfSubpartitions)).ToList();
        var restore = message.RestoreJson is null ? null : System.Text.Json.JsonSerializer.Deserialize<Checkpointing.TaskRestore>(message.RestoreJson);
        return new TaskDeploymentDescriptor(job, vertex, message.SubtaskIndex, message.AttemptNumber, message.ExecutionAttemptId, gates, produced, restore);
    }
}
