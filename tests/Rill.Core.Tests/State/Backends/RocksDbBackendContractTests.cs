using Rill.State;

namespace Rill.Tests.State.Backends;

public sealed class RocksDbBackendContractTests : KeyedStateBackendContractTests
{
    protected override string Backend => StateBackends.RocksDb;
}
