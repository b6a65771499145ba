namespace Rill.Cluster.Tests;

/// <summary>
/// Every test of this project starts several OS processes (JobManagers, TaskManagers, whole applications, Redis):
/// they run one test at a time, so clusters never compete for the CPUs or ports of another test, and the timeouts
/// measure the cluster, not the machine's load. The shared fixture holds the input files and embedded reference runs.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterProcesses : ICollectionFixture<ReferenceRuns>
{
    public const string Name = "Cluster processes";
}
