using Rill.State;

namespace Rill.Tests.State.Backends;

public sealed class HeapBackendContractTests : KeyedStateBackendContractTests
{
    protected override string Backend => StateBackends.Heap;
}
