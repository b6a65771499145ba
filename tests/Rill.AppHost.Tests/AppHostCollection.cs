namespace Rill.AppHost.Tests;

/// <summary>One collection: the tests start AppHosts and whole topologies, which must not compete for the machine's two cores.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AppHostCollection
{
    public const string Name = "AppHost";
}
