namespace Rill.Cli.Tests;

/// <summary>
/// Every test that starts processes belongs here: they run one at a time, so clusters do not compete for the CPUs
/// (and timeouts measure the CLI, not the machine's load from other tests).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CliProcesses
{
    public const string Name = "CLI processes";
}
