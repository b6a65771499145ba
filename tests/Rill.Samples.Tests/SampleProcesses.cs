namespace Rill.Samples.Tests;

/// <summary>
/// Every test that starts sample processes belongs here: they run one at a time, so parallel jobs do not compete
/// for the CPUs and the timeouts measure the sample, not the machine's load from other tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SampleProcesses
{
    public const string Name = "Sample processes";
}
