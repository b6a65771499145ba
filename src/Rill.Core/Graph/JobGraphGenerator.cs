namespace Rill.Graph;

/// <summary>
/// Chains operators into job vertices (Flink's StreamingJobGraphGenerator): an edge is chained when it is a
/// forward edge between operators of equal parallelism, the target has no other input and both allow chaining.
/// </summary>
public static class JobGraphGenerator
{
    public static JobGraph Create(StreamGraph streamGraph, Guid? jobId = null)
    {
        var heads = streamGraph.Nodes.Where(n => !n.InEdges.Any(IsChainable)).ToList();
        var vertexOfNode = new Dictionary<int, JobVertex>();
        var vertices = new List<JobVertex>();
        foreach (var head in heads)
        {
            var chain = new List<StreamNode>();
            Collect(head, chain);
            var vertex = new JobVertex(head.OperatorId, chain);
            vertices.Add(vertex);
            foreach (var node in chain)
            {
                vertexOfNode[node.Id] = vertex;
            }
        }

        foreach (var vertex in vertices)
        {
            foreach (var node in vertex.Chain)
            {
                for (var i = 0; i < node.OutEdges.Count; i++)
                {
                    var edge = node.OutEdges[i];
                    if (IsChainable(edge))
                    {
                        continue;
                    }

                    var dataSet = new IntermediateDataSet($"{node.OperatorId}-{i}", vertex, edge);
                    vertex.Produced.Add(dataSet);
                    var jobEdge = new JobEdge(dataSet, vertexOfNode[edge.Target.Id]);
                    dataSet.Consumer = jobEdge;
                    vertexOfNode[edge.Target.Id].Inputs.Add(jobEdge);
                }
            }
        }

        return new JobGraph(jobId ?? Guid.NewGuid(), streamGraph.JobName, streamGraph.RuntimeMode, streamGraph.Options, TopologicalOrder(vertices));
    }

    public static bool IsChainable(StreamEdge edge) =>
        edge.Target.InEdges.Count == 1
        && edge.Partitioner.IsPointwise
        && edge.Source.Parallelism == edge.Target.Parallelism
        && edge.Source.ChainingEnabled
        && edge.Target.ChainingEnabled
        && edge.Target.Source is null;

    private static void Collect(StreamNode node, List<StreamNode> chain)
    {
        chain.Add(node);
        foreach (var edge in node.OutEdges.Where(IsChainable))
        {
            Collect(edge.Target, chain);
        }
    }

    private static List<JobVertex> TopologicalOrder(List<JobVertex> vertices)
    {
        var ordered = new List<JobVertex>();
        var visited = new HashSet<JobVertex>();
        void Visit(JobVertex v)
        {
            if (!visited.Add(v))
            {
                return;
            }

            foreach (var input in v.Inputs)
            {
                Visit(input.Source.Producer);
            }

            ordered.Add(v);
        }

        foreach (var v in vertices)
        {
            Visit(v);
        }

        return ordered;
    }
}
